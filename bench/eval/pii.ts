// Accuracy and speed of the PII/secrets scanner on the public evaluation sets in ../shared/eval/pii
// (or the directory given as the first argument). Prints Markdown tables; `--verbose` lists misses.
import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { validCardNumber } from '../../dataplane/analysis/pii/checksums.js';
import { createPiiScanner, type RawFinding } from '../../dataplane/analysis/pii/index.js';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const args = process.argv.slice(2);
const verbose = args.includes('--verbose');
const evalDir = resolve(args.find((a) => !a.startsWith('--')) ?? join(repoRoot, '../shared/eval'));
const piiDir = join(evalDir, 'pii');
const scanner = createPiiScanner();

type Json = Record<string, unknown>;

function readJsonl(file: string): Json[] {
  return readFileSync(join(piiDir, file), 'utf8')
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as Json);
}

const pct = (n: number, d: number): string => (d === 0 ? 'n/a' : (n / d).toFixed(3));
const table = (head: string[], rows: (string | number)[][]): string =>
  [
    `| ${head.join(' | ')} |`,
    `|${head.map(() => '---').join('|')}|`,
    ...rows.map((r) => `| ${r.join(' | ')} |`),
  ].join('\n');
const misses: string[] = [];
const note = (line: string): void => {
  if (verbose) misses.push(line);
};

// ---- 1. Presidio research synthetic set: per-type precision/recall ----------------------------------
// Matching rule: a predicted span counts as a true positive when it overlaps (by at least one character)
// a not-yet-matched gold span of the same entity type; each gold span is matched at most once. Gold spans
// of other types (PERSON, STREET_ADDRESS...) are ignored, so a phone detected inside an address counts as
// a false positive. Exact-boundary matches are reported alongside.
const PII_TYPES = ['EMAIL_ADDRESS', 'PHONE_NUMBER', 'CREDIT_CARD', 'IBAN_CODE', 'US_SSN', 'IP_ADDRESS'];

interface Gold {
  entity_type: string;
  start_position: number;
  end_position: number;
}

function evalSynthetic(): string {
  const records = JSON.parse(
    readFileSync(join(piiDir, 'presidio_research_synth_dataset_v2.json'), 'utf8'),
  ) as {
    full_text: string;
    spans: Gold[];
  }[];
  const stats = new Map(PII_TYPES.map((t) => [t, { tp: 0, fp: 0, fn: 0, exact: 0 }]));
  for (const record of records) {
    const text = record.full_text;
    const found = scanner.scanText(text).filter((f) => stats.has(f.type));
    const gold = record.spans.filter((s) => stats.has(s.entity_type));
    const used = new Set<Gold>();
    for (const f of found) {
      const s = stats.get(f.type)!;
      const match = gold.find(
        (g) =>
          !used.has(g) && g.entity_type === f.type && f.start < g.end_position && g.start_position < f.end,
      );
      if (match === undefined) {
        s.fp++;
        note(
          `FP ${f.type} ${JSON.stringify(text.slice(f.start, f.end))} in ${JSON.stringify(text.slice(0, 120))}`,
        );
        continue;
      }
      used.add(match);
      s.tp++;
      if (match.start_position === f.start && match.end_position === f.end) s.exact++;
    }
    for (const g of gold) {
      if (used.has(g)) continue;
      stats.get(g.entity_type)!.fn++;
      note(`FN ${g.entity_type} ${JSON.stringify(text.slice(g.start_position, g.end_position))}`);
    }
  }
  const rows = PII_TYPES.map((t) => {
    const s = stats.get(t)!;
    const p = s.tp / (s.tp + s.fp);
    const r = s.tp / (s.tp + s.fn);
    const f1 = (2 * p * r) / (p + r);
    return [
      t,
      s.tp + s.fn,
      s.tp,
      s.fp,
      s.fn,
      pct(s.tp, s.tp + s.fp),
      pct(s.tp, s.tp + s.fn),
      f1.toFixed(3),
      s.exact,
    ];
  });
  const rule =
    'Match rule: a prediction is a TP when it overlaps an unmatched gold span of the same type (each gold span ' +
    'matched once); other gold types are ignored. "exact spans" counts TPs with identical boundaries.';
  return `${table(['type', 'gold', 'TP', 'FP', 'FN', 'precision', 'recall', 'F1', 'exact spans'], rows)}\n\n${rule}`;
}

// ---- 2. Secrets: must-detect recall and must-not-detect false-positive rate --------------------------
// A document "detects" when the scanner returns at least one SECRET finding anywhere in it. secretlint
// snapshot cases whose outcome depends on the rule's options (allow-lists, custom patterns, a debug home
// directory) or on secretlint's own test-only rules (filter-comments, example) are not applicable: the
// scanner has no such configuration.
const SECRETLINT_TEST_RULES = new Set(['secretlint-rule-filter-comments', 'secretlint-rule-example']);

interface SecretCase {
  rule: string;
  text: string;
  detect: boolean;
}

function secretCases(): { gitleaks: SecretCase[]; secretlint: SecretCase[]; skipped: number } {
  const gitleaks = readJsonl('secrets_gitleaks_tps_fps.jsonl').map((r) => ({
    rule: String(r.rule_id),
    text: String(r.text),
    detect: r.expect === 'detect',
  }));
  const all = readJsonl('secrets_secretlint_snapshots.jsonl');
  const applicable = all.filter((r) => r.rule_options === null && !SECRETLINT_TEST_RULES.has(String(r.rule)));
  const secretlint = applicable.map((r) => ({
    rule: `${String(r.rule)} ${String(r.case)}`,
    text: String(r.text),
    detect: r.expect === 'detect',
  }));
  return { gitleaks, secretlint, skipped: all.length - applicable.length };
}

/** Every flagged must-not-detect case, printed under the secrets table (also without --verbose). */
const secretFalsePositives: string[] = [];

function secretRow(name: string, cases: SecretCase[], report = true): (string | number)[] {
  let tp = 0;
  let fp = 0;
  const positives = cases.filter((c) => c.detect).length;
  for (const c of cases) {
    const found = scanner.scanText(c.text).filter((f) => f.type === 'SECRET');
    if (c.detect && found.length > 0) tp++;
    else if (c.detect && report) note(`secret FN [${c.rule}] ${JSON.stringify(c.text.slice(0, 140))}`);
    else if (found.length > 0) {
      fp++;
      const f = found[0]!;
      if (report) {
        const line = `[${c.rule}] ${f.subtype ?? ''} ${JSON.stringify(c.text.slice(f.start, f.end).slice(0, 100))}`;
        secretFalsePositives.push(line);
        note(`secret FP ${line}`);
      }
    }
  }
  const negatives = cases.length - positives;
  return [name, positives, tp, pct(tp, positives), negatives, fp, pct(fp, negatives)];
}

function evalSecrets(): string {
  const { gitleaks, secretlint, skipped } = secretCases();
  const rows = [
    secretRow('gitleaks rule tests', gitleaks),
    secretRow('secretlint snapshots', secretlint),
    secretRow('combined', [...gitleaks, ...secretlint], false),
  ];
  const head = ['set', 'must detect', 'detected', 'recall', 'must not detect', 'flagged', 'FP rate'];
  const flagged = secretFalsePositives.map((line) => `- ${line}`).join('\n');
  return (
    `${table(head, rows)}\n\n(${skipped} secretlint cases not applicable: option- or test-rule-dependent.)\n\n` +
    `False positives (must-not-detect cases flagged; rule, subtype, first finding):\n\n${flagged || '- none'}`
  );
}

// ---- 3. Card validator against braintree/card-validator's expectations --------------------------------
function evalCards(): string {
  const rows = readJsonl('credit_cards_braintree_card_validator.jsonl');
  let agree = 0;
  for (const r of rows) {
    const got = validCardNumber(String(r.number).replace(/[ -]/g, ''));
    if (got === r.isValid) agree++;
    else note(`card validator ${String(r.number)}: expected ${String(r.isValid)}, got ${String(got)}`);
  }
  return table(['cases', 'agree', 'accuracy'], [[rows.length, agree, pct(agree, rows.length)]]);
}

// ---- 4. Presidio recognizer unit-test cases (text, expected spans) ------------------------------------
// A case passes when the scanner's spans of the recognizer's entity type equal the expected spans (or,
// where the test gives only a count, when the count matches).
const RECOGNIZERS: Record<string, string> = {
  iban: 'IBAN_CODE',
  credit_card: 'CREDIT_CARD',
  ip: 'IP_ADDRESS',
  us_ssn: 'US_SSN',
  phone: 'PHONE_NUMBER',
  email: 'EMAIL_ADDRESS',
};

function evalRecognizerTests(): string {
  const tally = new Map<string, { cases: number; pass: number }>();
  for (const r of readJsonl('presidio_recognizer_test_cases.jsonl')) {
    const name = /test_(\w+?)_recognizer\.py/.exec(String(r.source))?.[1] ?? '';
    const type = RECOGNIZERS[name];
    if (type === undefined) continue;
    const p = r.params as Json;
    const text = String(p.text ?? p.iban);
    const expected = (p.expected_positions ?? p.expected_res ?? []) as [number, number][];
    const count = Number(p.expected_len);
    const found = scanner.scanText(text).filter((f: RawFinding) => f.type === type);
    const spans = found.map((f) => `${f.start}-${f.end}`).sort();
    const want = expected.map(([s, e]) => `${s}-${e}`).sort();
    const ok = expected.length > 0 || count === 0 ? spans.join() === want.join() : found.length === count;
    const t = tally.get(type) ?? { cases: 0, pass: 0 };
    t.cases++;
    if (ok) t.pass++;
    else
      note(
        `recognizer ${type} ${JSON.stringify(text)}: expected [${want.join(' ')}], got [${spans.join(' ')}]`,
      );
    tally.set(type, t);
  }
  const rows = [...tally].map(([type, t]) => [type, t.cases, t.pass, pct(t.pass, t.cases)]);
  return table(['entity', 'cases', 'pass', 'accuracy'], rows);
}

// ---- 5. Throughput ---------------------------------------------------------------------------------
const SAMPLE = [
  'Hi, I am writing about my order. Please call me at +1 (415) 555-0132 or write to jane.doe@example.org. ',
  'The staging server is 10.20.30.40 and the fallback is 2001:db8::8a2e:370:7334; deploy with the usual key. ',
  'Ich habe eine Frage zu meiner Rechnung, die Überweisung ging an DE89 3704 0044 0532 0130 00 am Montag. ',
  '请帮我总结一下这段文字，内容涉及数据库迁移和缓存策略，以及如何降低延迟。谢谢！',
  'function retry(fn, attempts = 3) { for (let i = 0; i < attempts; i++) { try { return fn(); } catch {} } }\n',
  'config:\n  timeout_ms: 2500\n  api_key: "sk-proj-abc"\n  region: eu-west-1\n',
  'Quarterly revenue grew 12.5% to 4,310,220 EUR while costs fell 3.1%; see table 4.2.1 for details. ',
].join('');

const PROSE =
  'The committee reviewed the proposal in detail and asked for a clearer plan, a realistic budget and ' +
  'a schedule that leaves room for testing; the team agreed to send a revised version next week. ';

/** A prompt of `units` UTF-16 code units (what the scanner indexes), repeating `unit`. */
function prompt(unit: string, units: number): string {
  return unit.repeat(Math.ceil(units / unit.length)).slice(0, units);
}

function timeScan(text: string, minMs: number): number {
  scanner.scanText(text);
  const times: number[] = [];
  const until = performance.now() + minMs;
  while (performance.now() < until || times.length < 5) {
    const t0 = performance.now();
    scanner.scanText(text);
    times.push(performance.now() - t0);
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)]!;
}

function evalThroughput(): string {
  const rows: string[][] = [];
  for (const [kind, unit] of [
    ['PII-dense mix', SAMPLE],
    ['plain prose', PROSE],
  ] as const) {
    for (const units of [1024, 8 * 1024, 64 * 1024, 1024 * 1024]) {
      const text = prompt(unit, units);
      const ms = timeScan(text, units >= 1024 * 1024 ? 3000 : 1000);
      const mb = units / (1024 * 1024);
      const label = units >= 1024 * 1024 ? '1 MB' : `${units / 1024} KB`;
      const perKb = (ms * 1000) / (units / 1024);
      rows.push([kind, label, (ms * 1000).toFixed(1), perKb.toFixed(1), (mb / (ms / 1000)).toFixed(1)]);
    }
  }
  return table(['text', 'prompt', 'µs per scan (median)', 'µs per KB', 'MB/s'], rows);
}

const sections: [string, () => string][] = [
  ['Presidio research synthetic set (span overlap, same type)', evalSynthetic],
  ['Secrets', evalSecrets],
  ['Card validator vs braintree/card-validator', evalCards],
  ['Presidio recognizer test cases', evalRecognizerTests],
  ['Throughput (one thread; sizes in UTF-16 code units)', evalThroughput],
];
console.log(`# PII and secrets evaluation\n\nData: ${piiDir}\n`);
for (const [title, run] of sections) console.log(`## ${title}\n\n${run()}\n`);
if (verbose) console.log(`## Misses\n\n${misses.map((m) => `- ${m}`).join('\n')}`);
