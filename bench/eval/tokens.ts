// Token-counting evaluation: exactness on the full tiktoken vector files and the 32 billed chat totals, and
// counting speed. Usage: node --import tsx bench/eval/tokens.ts [path-to-shared-eval] (default ../shared/eval).
import { existsSync, readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createEncoderCache, type EncodingName } from '../../dataplane/analysis/tokens/encoder-cache.js';
import { createGuardedCounter } from '../../dataplane/analysis/tokens/guarded-count.js';
import { createTokenCounter } from '../../dataplane/analysis/tokens/index.js';
import type { AnalysisRequest } from '../../dataplane/analysis/types.js';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const evalDir = resolve(process.argv[2] ?? resolve(repoRoot, '../shared/eval'), 'tiktoken');

interface Vector {
  text: string;
  ids: number[];
  count: number;
}

const rows: string[][] = [];
let failures = 0;

function exactness(label: string, hits: number, total: number): void {
  if (hits !== total) failures += 1;
  rows.push([label, `${hits}/${total}`, `${((100 * hits) / total).toFixed(1)}%`]);
}

const encoders = createEncoderCache();
const corpus: string[] = [];
for (const encoding of ['o200k_base', 'cl100k_base'] as const satisfies readonly EncodingName[]) {
  const vectors = readFileSync(resolve(evalDir, `vectors_${encoding}.jsonl`), 'utf8')
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as Vector);
  const encoder = encoders.get(encoding);
  const count = createGuardedCounter(encoder);
  let ids = 0;
  let counts = 0;
  for (const v of vectors) {
    if (JSON.stringify(encoder.encode(v.text)) === JSON.stringify(v.ids)) ids += 1;
    const counted = count(v.text);
    if (counted.tokens === v.count && counted.exact) counts += 1;
    corpus.push(v.text);
  }
  exactness(`${encoding} vectors: token ids`, ids, vectors.length);
  exactness(`${encoding} vectors: counts (guarded counter)`, counts, vectors.length);
}

const counter = createTokenCounter();
const chatCases = JSON.parse(
  readFileSync(resolve(evalDir, 'gpt-tokenizer_functionCallingTestCases.json'), 'utf8'),
) as { tokens: number }[];
const chatRequest = (body: object, model = 'gpt-4o'): AnalysisRequest => ({
  endpoint: 'chat',
  body: { model, ...body },
  upstreamModel: model,
  provider: 'openai',
});
let chatHits = 0;
for (const { tokens, ...body } of chatCases) {
  const result = counter.count(chatRequest(body));
  if (result.prompt === tokens && result.exact) chatHits += 1;
}
exactness('chat/function-calling totals (gpt-4o)', chatHits, chatCases.length);

// Speed corpora: real prompts (the injection eval's attack and benign texts, mostly English, some other
// scripts) when present, and the vector texts (edge cases: rare scripts, code, odd whitespace) as a harder case.
const promptsPath = resolve(evalDir, '../injection/combined_injection_eval.jsonl');
const prompts = existsSync(promptsPath)
  ? readFileSync(promptsPath, 'utf8')
      .split('\n')
      .filter((line) => line.trim() !== '')
      .map((line) => (JSON.parse(line) as { text: string }).text)
      .join('\n\n')
  : '';
const vectorText = corpus.join('\n');

/** A prompt of about `bytes` UTF-8 bytes cut from `text` at `offset`, wrapping around. */
function promptOf(text: string, bytes: number, offset: number): string {
  let out = '';
  let i = offset % text.length;
  while (Buffer.byteLength(out) < bytes) {
    out += text.slice(i, i + 4096);
    i = (i + 4096) % text.length;
  }
  return out.slice(0, out.length - Math.max(0, Buffer.byteLength(out) - bytes));
}

interface Speed {
  label: string;
  microseconds: number;
  tokensPerSecond: number;
  exact: boolean;
}

// Other processes share the machine: each case runs several rounds and the fastest round is reported.
const ROUNDS = 5;

function measure(label: string, prompts: string[], model = 'gpt-4o'): Speed {
  const requests = prompts.map((p) => chatRequest({ messages: [{ role: 'user', content: p }] }, model));
  for (const r of requests.slice(0, 3)) counter.count(r); // warm-up
  let tokens = 0;
  let exact = true;
  let bestNs = Infinity;
  for (let round = 0; round < ROUNDS; round++) {
    tokens = 0;
    const start = process.hrtime.bigint();
    for (const r of requests) {
      const result = counter.count(r);
      tokens += result.prompt;
      exact &&= result.exact;
    }
    bestNs = Math.min(bestNs, Number(process.hrtime.bigint() - start));
  }
  return {
    label,
    microseconds: bestNs / 1000 / requests.length,
    tokensPerSecond: tokens / (bestNs / 1e9),
    exact,
  };
}

const MIXED_SCRIPTS = '我能吞下玻璃而不伤身体。مرحبا بالعالم! 👋🌍 こんにちは、世界。';
const variants = (text: string, bytes: number, n: number) =>
  Array.from({ length: n }, (_, i) => promptOf(text, bytes, i * 7919));
const speeds: Speed[] = [];
if (prompts !== '') {
  speeds.push(
    measure('1 KB real prompt', variants(prompts, 1024, 2000)),
    measure('8 KB real prompt', variants(prompts, 8 * 1024, 400)),
    measure('64 KB real prompt', variants(prompts, 64 * 1024, 60)),
    measure('64 KB real prompt, gpt-4 (cl100k)', variants(prompts, 64 * 1024, 60), 'gpt-4'),
    measure('1 MB real prompt', variants(prompts, 1024 * 1024, 4)),
  );
}
speeds.push(
  measure('1 KB edge-case text (vectors)', variants(vectorText, 1024, 2000)),
  measure('8 KB edge-case text (vectors)', variants(vectorText, 8 * 1024, 400)),
  measure('64 KB edge-case text (vectors)', variants(vectorText, 64 * 1024, 60)),
  measure('1 MB edge-case text (vectors)', variants(vectorText, 1024 * 1024, 4)),
  measure('1 MB CJK/Arabic/emoji prose', [
    MIXED_SCRIPTS.repeat(Math.ceil((1024 * 1024) / Buffer.byteLength(MIXED_SCRIPTS))),
  ]),
  measure('1 MB emoji run (guarded)', ['😀🎉👍🏽'.repeat(131_072)]),
  measure('1 MB unbroken CJK (guarded)', ['我能吞下玻璃而不伤身体'.repeat(31_775)]),
  measure("1 MB 'a' run (guarded)", ['a'.repeat(1024 * 1024)]),
);

console.log('## Token counting: exactness\n');
console.log('| check | matched | rate |\n|---|---:|---:|');
for (const row of rows) console.log(`| ${row.join(' | ')} |`);
console.log('\n## Token counting: speed\n');
console.log('| prompt | µs per request (whole chat request) | tokens/s | exact |\n|---|---:|---:|:---:|');
for (const s of speeds) {
  const us = s.microseconds.toLocaleString('en-US', { maximumFractionDigits: s.microseconds < 100 ? 1 : 0 });
  const tps = Math.round(s.tokensPerSecond).toLocaleString('en-US');
  console.log(`| ${s.label} | ${us} | ${tps} | ${s.exact ? 'yes' : 'no (flagged)'} |`);
}
if (failures > 0) {
  console.error(`\n${failures} exactness check(s) below 100%`);
  process.exitCode = 1;
}
