// Evaluates the injection detector on the shared public set and prints Markdown: threshold sweep, TPR per
// source and category, FPR on benign and on NotInject, indirect (tool-result) view, throughput.
// Usage: node --import tsx bench/eval/injection.ts [eval-dir | path/to/combined_injection_eval.jsonl]
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createInjectionDetector, DEFAULT_FLAG_THRESHOLD } from '../../dataplane/analysis/injection/index.js';
import type { TextSegment } from '../../dataplane/analysis/types.js';

interface Item {
  readonly text: string;
  readonly label: 0 | 1;
  readonly source: string;
  readonly category: string;
}

interface Scored extends Item {
  readonly score: number;
  readonly signals: readonly string[];
}

const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));
const FILE = 'injection/combined_injection_eval.jsonl';
const SWEEP = [0.2, 0.25, 0.3, 0.35, 0.4, 0.45, 0.5, 0.6, 0.7];
// Categories whose attacks are instructions planted in documents or tool output, plus their benign foil.
const INDIRECT_CATEGORIES = [
  'indirect_injection_instruction',
  'injecguard_valid:BIPIA',
  'benign_email_context',
];

function dataPath(arg: string | undefined): string {
  const base = arg === undefined ? resolve(REPO_ROOT, '../shared/eval') : resolve(arg);
  const path = existsSync(base) && statSync(base).isFile() ? base : join(base, FILE);
  if (!existsSync(path)) throw new Error(`eval data not found: ${path} (pass the eval dir or the .jsonl)`);
  return path;
}

function load(path: string): Item[] {
  return readFileSync(path, 'utf8')
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => {
      const row = JSON.parse(line) as Record<string, unknown>;
      return {
        text: String(row.text ?? ''),
        label: row.label === 1 ? 1 : 0,
        source: String(row.source ?? ''),
        category: String(row.category ?? ''),
      };
    });
}

const isNotInject = (item: Item): boolean => item.category.startsWith('benign_with_trigger_words');

/** Category family: the part before ':' except for InjecGuard's validation split, whose suffix matters. */
function family(item: Item): string {
  const [head, tail] = item.category.split(':');
  return head === 'injecguard_valid' && tail !== undefined ? `${head}:${tail}` : (head ?? '');
}

/** Repository the item came from (the part of `source` before ':' or '@'). */
function repository(item: Item): string {
  return item.source.split(/[:@]/)[0] ?? item.source;
}

function asSegments(text: string, role: string): TextSegment[] {
  return [{ message: 0, part: null, role, text, path: '/messages/0/content' }];
}

function pct(numerator: number, denominator: number): string {
  return denominator === 0 ? 'n/a' : (numerator / denominator).toFixed(3);
}

function table(header: readonly string[], rows: readonly (readonly (string | number)[])[]): string {
  const line = (cells: readonly (string | number)[]): string => `| ${cells.join(' | ')} |`;
  return [line(header), line(header.map(() => '---')), ...rows.map(line)].join('\n');
}

function rates(
  items: readonly Scored[],
  threshold: number,
): { tpr: number; fpr: number; fprNotInject: number } {
  const attacks = items.filter((i) => i.label === 1);
  const benign = items.filter((i) => i.label === 0);
  const notInject = benign.filter(isNotInject);
  const hit = (list: readonly Scored[]): number => list.filter((i) => i.score >= threshold).length;
  return {
    tpr: hit(attacks) / Math.max(1, attacks.length),
    fpr: hit(benign) / Math.max(1, benign.length),
    fprNotInject: hit(notInject) / Math.max(1, notInject.length),
  };
}

function groupTable(items: readonly Scored[], key: (item: Item) => string, threshold: number): string {
  const groups = new Map<string, Scored[]>();
  for (const item of items) {
    const name = `${key(item)}\u0000${item.label}`;
    groups.set(name, [...(groups.get(name) ?? []), item]);
  }
  const rows = [...groups.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([name, list]) => {
      const [group, label] = name.split('\u0000');
      const flagged = list.filter((i) => i.score >= threshold).length;
      return [
        group ?? '',
        label === '1' ? 'attack' : 'benign',
        list.length,
        flagged,
        label === '1' ? `TPR ${pct(flagged, list.length)}` : `FPR ${pct(flagged, list.length)}`,
      ];
    });
  return table(['group', 'label', 'n', 'flagged', 'rate'], rows);
}

function signalTable(items: readonly Scored[]): string {
  const counts = new Map<string, [number, number]>();
  for (const item of items) {
    for (const signal of item.signals) {
      const entry = counts.get(signal) ?? [0, 0];
      entry[item.label] += 1;
      counts.set(signal, entry);
    }
  }
  const attacks = items.filter((i) => i.label === 1).length;
  const benign = items.length - attacks;
  const rows = [...counts.entries()]
    .sort((a, b) => b[1][1] - a[1][1])
    .map(([signal, [b, a]]) => [signal, `${a} (${pct(a, attacks)})`, `${b} (${pct(b, benign)})`]);
  return table(['signal listed', 'attacks', 'benign'], rows);
}

function throughput(benignTexts: readonly string[]): string {
  const detector = createInjectionDetector();
  const corpus = benignTexts.join('\n\n');
  const rows: string[][] = [];
  for (const size of [1024, 8192, 65_536, 1_048_576]) {
    let text = corpus;
    while (text.length < size) text += `\n${corpus}`;
    text = text.slice(0, size);
    const segments = asSegments(text, 'user');
    const iterations = Math.max(3, Math.min(500, Math.floor(4_000_000 / size)));
    for (let i = 0; i < Math.min(20, iterations); i++) detector.detect(segments);
    const start = process.hrtime.bigint();
    for (let i = 0; i < iterations; i++) detector.detect(segments);
    const micros = Number(process.hrtime.bigint() - start) / 1000 / iterations;
    rows.push([
      size >= 1_048_576 ? '1 MB' : `${size / 1024} KB`,
      micros.toFixed(0),
      (micros / (size / 1024)).toFixed(1),
    ]);
  }
  return table(['prompt size', 'µs per prompt', 'µs per KB'], rows);
}

function main(): void {
  const path = dataPath(process.argv[2]);
  const items = load(path);
  const detector = createInjectionDetector();
  const scoredAs = (role: string, list: readonly Item[]): Scored[] =>
    list.map((item) => ({ ...item, ...detector.detect(asSegments(item.text, role)) }));
  const scored = scoredAs('user', items);
  const threshold = DEFAULT_FLAG_THRESHOLD;
  const attacks = scored.filter((i) => i.label === 1).length;
  const notInject = scored.filter(isNotInject).length;
  const out: string[] = [];

  out.push('# Injection signals: evaluation');
  out.push('');
  out.push(
    `Data: \`${path}\` - ${items.length} items, ${attacks} attacks, ${items.length - attacks} benign ` +
      `(${notInject} NotInject benign-with-trigger-words). Every text is scored as one \`user\` turn.`,
  );
  out.push('');
  const at = rates(scored, threshold);
  out.push(
    `**At the default threshold ${threshold}: TPR ${at.tpr.toFixed(3)}, FPR ${at.fpr.toFixed(3)} ` +
      `(all benign), FPR ${at.fprNotInject.toFixed(3)} (NotInject).** Target: TPR >= 0.80 at FPR <= 0.05.`,
  );
  out.push('');
  out.push('## Threshold sweep');
  out.push('');
  out.push(
    table(
      ['threshold', 'TPR', 'FPR (all benign)', 'FPR (NotInject)'],
      SWEEP.map((t) => {
        const r = rates(scored, t);
        return [
          t === threshold ? `**${t}**` : String(t),
          r.tpr.toFixed(3),
          r.fpr.toFixed(3),
          r.fprNotInject.toFixed(3),
        ];
      }),
    ),
  );
  out.push('');
  out.push(`## By category (threshold ${threshold})`);
  out.push('');
  out.push(groupTable(scored, family, threshold));
  out.push('');
  out.push(`## By source repository (threshold ${threshold})`);
  out.push('');
  out.push(groupTable(scored, repository, threshold));
  out.push('');
  out.push('## Signals listed (score >= report floor)');
  out.push('');
  out.push(signalTable(scored));
  out.push('');
  out.push(`## Indirect injection: the same texts scored as a \`tool\` result (threshold ${threshold})`);
  out.push('');
  out.push(
    'BIPIA instructions are meant to sit inside documents or tool output, where an instruction to the ' +
      'assistant is itself the anomaly; benign e-mails are the matching benign data.',
  );
  out.push('');
  const indirect = items.filter((i) => INDIRECT_CATEGORIES.some((c) => i.category.startsWith(c)));
  out.push(groupTable(scoredAs('tool', indirect), family, threshold));
  out.push('');
  out.push('## Throughput (benign text, one user segment, this machine)');
  out.push('');
  out.push(throughput(items.filter((i) => i.label === 0).map((i) => i.text)));
  process.stdout.write(`${out.join('\n')}\n`);
}

main();
