// Accuracy and speed of the semantic-cache match verifier (dataplane/cache/verify) on the public paraphrase
// sets in ../shared/eval/paraphrase (or --data DIR) and on our own pairs in bench/eval/data. Prints Markdown;
// `--verbose` lists every wrong verdict. The public data is read at run time only, never copied.
import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { verifyMatch, type VerifyReason } from '../../dataplane/cache/verify/index.js';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const args = process.argv.slice(2);
const verbose = args.includes('--verbose');
const dataFlag = args.indexOf('--data');
const dataDir = resolve(dataFlag >= 0 ? args[dataFlag + 1]! : join(repoRoot, '../shared/eval/paraphrase'));

interface Pair {
  readonly id: string;
  readonly s1: string;
  readonly s2: string;
  readonly label?: number;
  readonly entailment?: string;
  readonly token_jaccard?: number;
  readonly kind?: string;
}

function readJsonl(file: string): Pair[] {
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as Pair);
}

interface Row {
  readonly set: string;
  readonly pairs: readonly Pair[];
  /** Whether a correct verifier should reject the pair. */
  readonly shouldReject: boolean;
}

function measure(row: Row): (string | number)[] {
  const reasons = new Map<VerifyReason, number>();
  let rejected = 0;
  for (const p of row.pairs) {
    const v = verifyMatch(p.s1, p.s2);
    if (!v.ok) {
      rejected++;
      reasons.set(v.reason, (reasons.get(v.reason) ?? 0) + 1);
    }
    if (verbose && v.ok === row.shouldReject)
      console.log(
        `${row.set} ${p.id}: ${v.ok ? 'accepted' : `${v.reason} (${v.detail})`}\n  ${p.s1}\n  ${p.s2}`,
      );
  }
  const top = [...reasons]
    .sort((x, y) => y[1] - x[1])
    .map(([r, n]) => `${r} ${n}`)
    .join(', ');
  const share = row.pairs.length === 0 ? 'n/a' : (rejected / row.pairs.length).toFixed(3);
  return [row.set, row.shouldReject ? 'reject' : 'keep', row.pairs.length, share, top];
}

const gptcache = readJsonl(join(dataDir, 'gptcache_mock_paraphrases_pos999.jsonl'));
const qqp = readJsonl(join(dataDir, 'qqp_gptcache_sample4000.jsonl'));
const sick = readJsonl(join(dataDir, 'sick2014_test.jsonl'));
const ours = readJsonl(join(repoRoot, 'bench/eval/data/cache-polarity-pairs.jsonl'));

const rows: Row[] = [
  { set: 'gptcache paraphrases (label 1)', pairs: gptcache, shouldReject: false },
  { set: 'QQP duplicates (label 1)', pairs: qqp.filter((p) => p.label === 1), shouldReject: false },
  { set: 'SICK ENTAILMENT', pairs: sick.filter((p) => p.entailment === 'ENTAILMENT'), shouldReject: false },
  {
    set: 'QQP non-duplicates, jaccard ≥ 0.5',
    pairs: qqp.filter((p) => p.label === 0 && (p.token_jaccard ?? 0) >= 0.5),
    shouldReject: true,
  },
  { set: 'QQP non-duplicates (all)', pairs: qqp.filter((p) => p.label === 0), shouldReject: true },
  {
    set: 'SICK CONTRADICTION',
    pairs: sick.filter((p) => p.entailment === 'CONTRADICTION'),
    shouldReject: true,
  },
  { set: 'ours: same meaning (label 1)', pairs: ours.filter((p) => p.label === 1), shouldReject: false },
  { set: 'ours: different meaning (label 0)', pairs: ours.filter((p) => p.label === 0), shouldReject: true },
];

console.log(`data: ${dataDir}\n`);
const table = [
  '| set | should | pairs | rejected share | reasons |',
  '|---|---|---|---|---|',
  ...rows.map((r) => `| ${measure(r).join(' | ')} |`),
];
console.log(table.join('\n'));

// Symmetry: swapping the arguments must not change ok / not ok.
const everyPair = [...gptcache, ...qqp, ...sick, ...ours];
const asymmetric = everyPair.filter((p) => verifyMatch(p.s1, p.s2).ok !== verifyMatch(p.s2, p.s1).ok);
console.log(`\nasymmetric verdicts: ${asymmetric.length} of ${everyPair.length}`);
for (const p of asymmetric.slice(0, verbose ? undefined : 5)) console.log(`  ${p.id}: ${p.s1} | ${p.s2}`);

// Cost: CPU time of this process (steadier than wall time on a shared machine), best of several rounds
// after a warm-up so the JIT has settled, by prompt length.
const words = (p: Pair): number => (p.s1.split(/\s+/).length + p.s2.split(/\s+/).length) / 2;
const all = everyPair;
const buckets: [string, Pair[]][] = [
  ['all pairs', all],
  ['≤ 15 words', all.filter((p) => words(p) <= 15)],
  ['16–40 words', all.filter((p) => words(p) > 15 && words(p) <= 40)],
  ['> 40 words', all.filter((p) => words(p) > 40)],
];
const costRows = buckets.map(([name, pairs]) => {
  for (const p of pairs) verifyMatch(p.s1, p.s2);
  let best = Infinity;
  for (let round = 0; round < 7; round++) {
    const start = process.cpuUsage();
    for (let r = 0; r < 3; r++) for (const p of pairs) verifyMatch(p.s1, p.s2);
    const used = process.cpuUsage(start);
    best = Math.min(best, (used.user + used.system) / (3 * pairs.length));
  }
  const mean = pairs.reduce((n, p) => n + words(p), 0) / pairs.length;
  return `| ${name} | ${pairs.length} | ${mean.toFixed(1)} | ${best.toFixed(2)} |`;
});
console.log(
  ['\n| cost | pairs | mean words per prompt | µs per call |', '|---|---|---|---|', ...costRows].join('\n'),
);
