// Speed and quality of the provisioned fp32 and int8 models, through the gateway's own loader
// (dataplane/cache/embeddings/model.ts). Each thread count runs in its own child process (one process per
// configuration keeps onnxruntime's shared threads apart), with fp32 and int8 measured in alternating rounds.
// Usage:
//   node --import tsx scripts/model/bench-embed.ts [--models-dir DIR] [--data FILE] [--quality-n 1000]
import { execFileSync } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { defaultModelsDir, loadEmbeddingModel } from '../../dataplane/cache/embeddings/model.js';
import type { EmbeddingModel } from '../../dataplane/cache/embeddings/model.js';
import { MODEL_ID } from './paths.js';

const DEFAULT_DATA = '/work/shared/eval/paraphrase/qqp_gptcache_sample4000.jsonl';
const BATCHES = [1, 8, 32] as const;
/** Texts of this many tokens (with [CLS]/[SEP]) are used for the speed runs. */
const TOKENS = [27, 33] as const;

const { values } = parseArgs({
  options: {
    'models-dir': { type: 'string' },
    data: { type: 'string' },
    'quality-n': { type: 'string' },
    child: { type: 'string' },
  },
});
const modelsDir = values['models-dir'] ?? defaultModelsDir();
const dataFile = values.data ?? DEFAULT_DATA;

interface Pair {
  s1: string;
  s2: string;
}
async function readPairs(): Promise<Pair[]> {
  return (await readFile(dataFile, 'utf8'))
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as Pair);
}

const load = (quantized: boolean, intraOpThreads: number): Promise<EmbeddingModel> =>
  loadEmbeddingModel({
    model: MODEL_ID,
    modelsDir,
    allowRemote: false,
    quantized,
    intraOpThreads,
    maxTokens: 256,
  });

/** s1/s2 sentences whose tokenization (with [CLS]/[SEP]) has TOKENS[0]..TOKENS[1] tokens. */
async function speedTexts(): Promise<string[]> {
  const { AutoTokenizer, env } = await import('@xenova/transformers');
  env.localModelPath = `${modelsDir}/`;
  env.allowRemoteModels = false;
  const tokenizer = (await AutoTokenizer.from_pretrained(MODEL_ID)) as unknown as (t: string) => {
    input_ids: { dims: number[] };
  };
  const texts = (await readPairs())
    .flatMap((p) => [p.s1, p.s2])
    .filter((t) => {
      const n = tokenizer(t).input_ids.dims.at(-1)!;
      return n >= TOKENS[0] && n <= TOKENS[1];
    });
  if (texts.length < 64) throw new Error(`only ${texts.length} texts of ${TOKENS.join('–')} tokens`);
  return texts;
}

const percentile = (sorted: readonly number[], p: number): number =>
  sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))]!;

interface SpeedRow {
  model: string;
  threads: number;
  batch: number;
  msP50: number;
  msMean: number;
  textsPerSecond: number;
}

/**
 * One process per thread count, with both models loaded: rounds alternate fp32 and int8 so that load from
 * other processes on a shared box hits both alike. p50 is the robust figure; texts/s is batch / p50.
 */
async function speedChild(threads: number): Promise<void> {
  const texts = await speedTexts();
  const models = { fp32: await load(false, threads), int8: await load(true, threads) };
  const rows: SpeedRow[] = [];
  for (const batch of BATCHES) {
    const callsPerRound = batch === 1 ? 30 : batch === 8 ? 6 : 2;
    const at = (i: number): string[] =>
      Array.from({ length: batch }, (_, k) => texts[(i * batch + k) % texts.length]!);
    const times = { fp32: [] as number[], int8: [] as number[] };
    for (const embedder of Object.values(models)) for (let i = 0; i < 3; i++) await embedder.embed(at(i));
    for (let round = 0; round < 10; round++) {
      for (const [name, embedder] of Object.entries(models) as [keyof typeof models, EmbeddingModel][]) {
        for (let i = 0; i < callsPerRound; i++) {
          const started = performance.now();
          await embedder.embed(at(round * callsPerRound + i));
          times[name].push(performance.now() - started);
        }
      }
    }
    for (const [model, t] of Object.entries(times)) {
      const mean = t.reduce((sum, x) => sum + x, 0) / t.length;
      t.sort((x, y) => x - y);
      const p50 = percentile(t, 0.5);
      rows.push({ model, threads, batch, msP50: p50, msMean: mean, textsPerSecond: (batch * 1000) / p50 });
    }
  }
  console.log(JSON.stringify(rows));
}

function cosine(a: Float32Array, i: number, b: Float32Array, j: number, dims: number): number {
  let dot = 0;
  for (let k = 0; k < dims; k++) dot += a[i * dims + k]! * b[j * dims + k]!;
  return dot; // both L2-normalised
}

async function embedAll(model: EmbeddingModel, texts: readonly string[]): Promise<Float32Array> {
  const out = new Float32Array(texts.length * model.dims);
  for (let i = 0; i < texts.length; i += 32)
    out.set(await model.embed(texts.slice(i, i + 32)), i * model.dims);
  return out;
}

async function qualityChild(n: number): Promise<void> {
  const pairs = (await readPairs()).slice(0, n);
  const fp32 = await load(false, 2);
  const int8 = await load(true, 2);
  const dims = fp32.dims;
  const s1 = pairs.map((p) => p.s1);
  const s2 = pairs.map((p) => p.s2);
  const [f1, f2, q1, q2] = [
    await embedAll(fp32, s1),
    await embedAll(fp32, s2),
    await embedAll(int8, s1),
    await embedAll(int8, s2),
  ];
  const agreement = pairs.map((_, i) => cosine(f1, i, q1, i, dims)).sort((a, b) => a - b);
  const deltas = pairs.map((_, i) => Math.abs(cosine(q1, i, q2, i, dims) - cosine(f1, i, f2, i, dims)));
  deltas.sort((a, b) => a - b);
  const mean = (xs: readonly number[]): number => xs.reduce((s, x) => s + x, 0) / xs.length;
  console.log(
    JSON.stringify({
      n: pairs.length,
      cosMean: mean(agreement),
      cosMin: agreement[0],
      cosP5: percentile(agreement, 0.05),
      deltaSimMean: mean(deltas),
      deltaSimP95: percentile(deltas, 0.95),
      deltaSimMax: deltas.at(-1),
    }),
  );
}

async function main(): Promise<void> {
  if (values.child !== undefined) {
    if (values.child.startsWith('quality:'))
      await qualityChild(Number(values.child.slice('quality:'.length)));
    else await speedChild(Number(values.child));
    return;
  }
  const self = fileURLToPath(import.meta.url);
  const run = (child: string): string =>
    execFileSync(process.execPath, [...process.execArgv, self, ...process.argv.slice(2), '--child', child], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'inherit'],
    })
      .trim()
      .split('\n')
      .at(-1)!;
  console.log(`texts of ${TOKENS.join('–')} tokens from ${dataFile}; models in ${modelsDir}`);
  console.log('| model | threads | batch | ms/call p50 | ms/call mean | texts/s (at p50) |');
  console.log('| ----- | ------: | ----: | ----------: | -----------: | ---------------: |');
  const rows: SpeedRow[] = [];
  for (const threads of [1, 2]) rows.push(...(JSON.parse(run(String(threads))) as SpeedRow[]));
  rows.sort((x, y) => x.model.localeCompare(y.model) || x.threads - y.threads || x.batch - y.batch);
  for (const r of rows) {
    console.log(
      `| ${r.model} | ${r.threads} | ${r.batch} | ${r.msP50.toFixed(2)} | ${r.msMean.toFixed(2)} | ${r.textsPerSecond.toFixed(0)} |`,
    );
  }
  const qualityN = Number(values['quality-n'] ?? 1000);
  if (qualityN === 0) return;
  const q = JSON.parse(run(`quality:${qualityN}`)) as Record<string, number>;
  const f = (x: number | undefined): string => (x ?? NaN).toFixed(4);
  console.log(
    `\nquality over ${q.n} s1 sentences: cos(int8, fp32) mean ${f(q.cosMean)}, min ${f(q.cosMin)}, ` +
      `5th percentile ${f(q.cosP5)}`,
  );
  console.log(
    `pair similarity cos(s1, s2), int8 vs fp32: mean |Δsim| ${f(q.deltaSimMean)}, ` +
      `95th percentile ${f(q.deltaSimP95)}, max ${f(q.deltaSimMax)}`,
  );
}

await main();
