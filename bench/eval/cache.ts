// Evaluates the semantic cache's decision (embedding similarity ≥ threshold, then verification) on public
// paraphrase sets: s1 is the cached prompt, s2 the new one. Chooses the default threshold (the lowest that
// keeps QQP precision ≥ 0.95 and the false-hit rate ≤ 2 % on each hard-negative set, verification on) and
// prints Markdown: the chosen threshold's numbers, and the precision/recall curve with and without it.
// Usage: node --import tsx bench/eval/cache.ts [eval-dir] [--fp32] [--json out.json]  (default: the int8 model the gateway uses)
// The data stays outside the repo (MRPC, SICK, QQP are non-commercial): read from ../shared/eval by default.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { dot } from '../../dataplane/cache/backend.js';
import { defaultModelsDir, loadEmbeddingModel } from '../../dataplane/cache/embeddings/model.js';
import { verifyMatch } from '../../dataplane/cache/verify/index.js';

interface Pair {
  readonly s1: string;
  readonly s2: string;
  /** 1: the cached answer is right for s2. */
  readonly label: 0 | 1;
  readonly set: string;
  readonly kind?: string;
}

interface Scored extends Pair {
  readonly similarity: number;
  readonly verified: boolean;
  readonly reason?: string;
}

const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));
const GRID = Array.from({ length: 41 }, (_, i) => Math.round((0.8 + i * 0.005) * 1000) / 1000);
const PRECISION_TARGET = 0.95;
const FALSE_HIT_TARGET = 0.02;

function readJsonl(path: string): Record<string, unknown>[] {
  return readFileSync(path, 'utf8')
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

function loadSets(dir: string): Record<string, Pair[]> {
  const paraphrase = join(dir, 'paraphrase');
  if (!existsSync(paraphrase)) throw new Error(`eval data not found: ${paraphrase} (pass the eval dir)`);
  const rows = (file: string) => readJsonl(join(paraphrase, file));
  const qqp = rows('qqp_gptcache_sample4000.jsonl').map((r): Pair => ({
    s1: String(r.s1),
    s2: String(r.s2),
    label: r.label === 1 ? 1 : 0,
    set: 'qqp',
  }));
  const hardQqp = rows('qqp_gptcache_sample4000.jsonl')
    .filter((r) => r.label === 0 && Number(r.token_jaccard) >= 0.5)
    .map((r): Pair => ({ s1: String(r.s1), s2: String(r.s2), label: 0, set: 'qqp-hard-negatives' }));
  const sick = rows('sick2014_test.jsonl')
    .filter((r) => r.entailment === 'CONTRADICTION')
    .map((r): Pair => ({ s1: String(r.s1), s2: String(r.s2), label: 0, set: 'sick-contradiction' }));
  const gptcache = rows('gptcache_mock_paraphrases_pos999.jsonl').map((r): Pair => ({
    s1: String(r.s1),
    s2: String(r.s2),
    label: 1,
    set: 'gptcache-positives',
  }));
  const polarity = readJsonl(join(REPO_ROOT, 'bench/eval/data/cache-polarity-pairs.jsonl')).map(
    (r): Pair => ({
      s1: String(r.s1),
      s2: String(r.s2),
      label: r.label === 1 ? 1 : 0,
      set: 'polarity (ours)',
      kind: String(r.kind),
    }),
  );
  return {
    qqp,
    'qqp-hard-negatives': hardQqp,
    'sick-contradiction': sick,
    'gptcache-positives': gptcache,
    'polarity (ours)': polarity,
  };
}

interface Counts {
  hits: number;
  truePositives: number;
  positives: number;
  negatives: number;
  falseHits: number;
  /** Negatives above the threshold that verification rejected. */
  rejectedByVerify: number;
}

function count(pairs: readonly Scored[], threshold: number, verify: boolean): Counts {
  const c: Counts = {
    hits: 0,
    truePositives: 0,
    positives: 0,
    negatives: 0,
    falseHits: 0,
    rejectedByVerify: 0,
  };
  for (const p of pairs) {
    if (p.label === 1) c.positives += 1;
    else c.negatives += 1;
    const above = p.similarity >= threshold;
    const hit = above && (!verify || p.verified);
    if (above && !hit && p.label === 0) c.rejectedByVerify += 1;
    if (!hit) continue;
    c.hits += 1;
    if (p.label === 1) c.truePositives += 1;
    else c.falseHits += 1;
  }
  return c;
}

const pct = (x: number) => (Number.isFinite(x) ? `${(x * 100).toFixed(1)} %` : '–');
const ratio = (a: number, b: number) => (b === 0 ? Number.NaN : a / b);

async function main() {
  const args = process.argv.slice(2);
  const jsonAt = args.indexOf('--json');
  const jsonOut = jsonAt >= 0 ? args[jsonAt + 1] : undefined;
  const dirArg = args.find((a, i) => !a.startsWith('--') && (jsonAt < 0 || i !== jsonAt + 1));
  const dir = dirArg === undefined ? resolve(REPO_ROOT, '../shared/eval') : resolve(dirArg);
  const sets = loadSets(dir);
  const model = await loadEmbeddingModel({
    model: 'Xenova/all-MiniLM-L6-v2',
    modelsDir: defaultModelsDir(),
    allowRemote: false,
    quantized: !args.includes('--fp32'),
    intraOpThreads: 2,
    maxTokens: 256,
  });
  const texts = [...new Set(Object.values(sets).flatMap((pairs) => pairs.flatMap((p) => [p.s1, p.s2])))];
  const vectors = new Map<string, Float32Array>();
  const started = performance.now();
  for (let i = 0; i < texts.length; i += 64) {
    const batch = texts.slice(i, i + 64);
    const out = await model.embed(batch);
    batch.forEach((t, j) => vectors.set(t, out.slice(j * model.dims, (j + 1) * model.dims)));
  }
  const embedSeconds = (performance.now() - started) / 1000;
  let verifyMicros = 0;
  let verifyCalls = 0;
  const scored: Record<string, Scored[]> = {};
  for (const [name, pairs] of Object.entries(sets)) {
    scored[name] = pairs.map((p) => {
      const a = vectors.get(p.s1)!;
      const b = vectors.get(p.s2)!;
      const similarity = dot(a, b);
      const t0 = performance.now();
      const verdict = verifyMatch(p.s1, p.s2);
      verifyMicros += (performance.now() - t0) * 1000;
      verifyCalls += 1;
      return { ...p, similarity, verified: verdict.ok, ...(verdict.ok ? {} : { reason: verdict.reason }) };
    });
  }
  const hardNegatives = [...scored['qqp-hard-negatives']!, ...scored['sick-contradiction']!];
  const curve = GRID.map((threshold) => {
    const row = (verify: boolean) => {
      const qqp = count(scored.qqp!, threshold, verify);
      const hard = count(hardNegatives, threshold, verify);
      const qqpHard = count(scored['qqp-hard-negatives']!, threshold, verify);
      const sick = count(scored['sick-contradiction']!, threshold, verify);
      return {
        qqpHardFalseHitRate: ratio(qqpHard.falseHits, qqpHard.negatives),
        sickFalseHitRate: ratio(sick.falseHits, sick.negatives),
        precision: ratio(qqp.truePositives, qqp.hits),
        recall: ratio(qqp.truePositives, qqp.positives),
        hardFalseHitRate: ratio(hard.falseHits, hard.negatives),
        hardRejectedByVerify: hard.rejectedByVerify,
        gptcacheHitRate: ratio(
          count(scored['gptcache-positives']!, threshold, verify).hits,
          scored['gptcache-positives']!.length,
        ),
      };
    };
    return { threshold, verified: row(true), raw: row(false) };
  });
  const chosen =
    curve.find(
      (r) =>
        r.verified.precision >= PRECISION_TARGET &&
        r.verified.qqpHardFalseHitRate <= FALSE_HIT_TARGET &&
        r.verified.sickFalseHitRate <= FALSE_HIT_TARGET,
    ) ?? curve[curve.length - 1]!;
  const t = chosen.threshold;

  const lines: string[] = [];
  const variant = args.includes('--fp32') ? 'fp32' : 'int8';
  lines.push(`## Semantic cache evaluation (all-MiniLM-L6-v2 ${variant}, threshold ${t})`, '');
  lines.push(
    `${texts.length} distinct texts embedded in ${embedSeconds.toFixed(1)} s (${Math.round(texts.length / embedSeconds)}/s, batches of 64, 2 threads); verification ${(verifyMicros / verifyCalls).toFixed(1)} µs per pair.`,
    '',
  );
  lines.push(
    '| set | pairs | hits (verified) | precision | recall / hit rate | false-hit rate | raw false-hit rate (no verification) | share of raw false hits verification removes |',
  );
  lines.push('|---|---:|---:|---:|---:|---:|---:|---:|');
  for (const [name, pairs] of Object.entries(scored)) {
    const v = count(pairs, t, true);
    const r = count(pairs, t, false);
    const removed = r.falseHits === 0 ? '–' : pct((r.falseHits - v.falseHits) / r.falseHits);
    lines.push(
      `| ${name} | ${pairs.length} | ${v.hits} | ${v.hits === 0 ? '–' : pct(ratio(v.truePositives, v.hits))} | ${v.positives === 0 ? '–' : pct(ratio(v.truePositives, v.positives))} | ${v.negatives === 0 ? '–' : pct(ratio(v.falseHits, v.negatives))} | ${r.negatives === 0 ? '–' : pct(ratio(r.falseHits, r.negatives))} | ${removed} |`,
    );
  }
  const hv = count(hardNegatives, t, true);
  const hr = count(hardNegatives, t, false);
  lines.push(
    '',
    `Hard negatives together (QQP non-duplicates with token_jaccard ≥ 0.5 and SICK CONTRADICTION, ${hardNegatives.length} pairs): false-hit rate ${pct(ratio(hv.falseHits, hv.negatives))} with verification, ${pct(ratio(hr.falseHits, hr.negatives))} without; verification removes ${hr.falseHits - hv.falseHits} of ${hr.falseHits} raw false hits.`,
    '',
  );
  const polarity = scored['polarity (ours)']!;
  const kinds = [...new Set(polarity.map((p) => p.kind ?? ''))].sort();
  lines.push('Our polarity pairs by kind (label 0 must miss, label 1 should hit):', '');
  lines.push('| kind | label-0 pairs | false hits | label-1 pairs | hits |', '|---|---:|---:|---:|---:|');
  for (const kind of kinds) {
    const of = polarity.filter((p) => p.kind === kind);
    const neg = count(
      of.filter((p) => p.label === 0),
      t,
      true,
    );
    const pos = count(
      of.filter((p) => p.label === 1),
      t,
      true,
    );
    lines.push(`| ${kind} | ${neg.negatives} | ${neg.falseHits} | ${pos.positives} | ${pos.hits} |`);
  }
  lines.push('', 'Precision/recall on QQP and false-hit rate on the hard negatives, by threshold:', '');
  lines.push(
    '| threshold | precision (verified) | recall (verified) | hard false hits (verified) | precision (raw) | recall (raw) | hard false hits (raw) | GPTCache hit rate (verified) |',
    '|---:|---:|---:|---:|---:|---:|---:|---:|',
  );
  for (const r of curve.filter((row, i) => i % 2 === 0 || row.threshold === t)) {
    lines.push(
      `| ${r.threshold.toFixed(3)}${r.threshold === t ? ' ←' : ''} | ${pct(r.verified.precision)} | ${pct(r.verified.recall)} | ${pct(r.verified.hardFalseHitRate)} | ${pct(r.raw.precision)} | ${pct(r.raw.recall)} | ${pct(r.raw.hardFalseHitRate)} | ${pct(r.verified.gptcacheHitRate)} |`,
    );
  }
  process.stdout.write(lines.join('\n') + '\n');
  if (jsonOut !== undefined) {
    writeFileSync(
      jsonOut,
      JSON.stringify({ threshold: t, embedSeconds, texts: texts.length, curve }, null, 2),
    );
  }
}

await main();
