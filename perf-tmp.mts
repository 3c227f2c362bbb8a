import { loadEmbeddingModel, defaultModelsDir } from './dataplane/cache/embeddings/model.ts';
const threads = Number(process.argv[2] ?? 1);
const m = await loadEmbeddingModel({ model: 'Xenova/all-MiniLM-L6-v2', modelsDir: defaultModelsDir(), allowRemote: false, quantized: false, intraOpThreads: threads, maxTokens: 256 });
const base = 'How do I configure the retry policy for my HTTP client when the upstream server returns errors number';
for (const bs of [1, 8, 32]) {
  let n = 0; const t0 = performance.now();
  while (performance.now() - t0 < 3000) { await m.embed(Array.from({ length: bs }, (_, i) => `${base} ${n + i}`)); n += bs; }
  const el = performance.now() - t0;
  console.log(`threads ${threads} batch ${bs}: ${(n / el * 1000).toFixed(0)} texts/s, ${(el / (n / bs)).toFixed(2)} ms per call`);
}
