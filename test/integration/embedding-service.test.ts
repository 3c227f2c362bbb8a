// The embeddings service with two workers (the default on two cores): each thread holds its own session of the
// provisioned model, concurrent texts are spread over them in micro-batches, and whichever session embeds a
// text, in whatever batch, the vector is the one the model gives that text alone; without a model it refuses to
// start and says why. A thread that replaces a crashed one loads the model as soon as it starts, before any
// text reaches it, and says so on /metrics and in the log.
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { dot } from '../../dataplane/cache/backend.js';
import { defaultModelsDir, loadEmbeddingModel } from '../../dataplane/cache/embeddings/model.js';
import type { EmbeddingModel } from '../../dataplane/cache/embeddings/model.js';
import { startEmbeddingService, type EmbeddingService } from '../../dataplane/cache/embeddings/service.js';
import { embeddingsConfigSchema } from '../../dataplane/cache/schema.js';
import { createGatewayMetrics } from '../../dataplane/observability/gateway-metrics.js';
import { createLogger, type Logger } from '../../dataplane/observability/logger.js';
import { sibling } from '../../dataplane/workers/pool.js';
import { EXIT_TEXT } from '../fixtures/workers/embed-exit-text.js';
import { waitFor } from '../support/wait.js';

/** The count of `gateway_cache_embed_model_loads_total` with this outcome. */
function modelLoads(metrics: ReturnType<typeof createGatewayMetrics>, outcome: string): number {
  const exposition = metrics.registry.render();
  const line = new RegExp(`^gateway_cache_embed_model_loads_total\\{outcome="${outcome}"\\} (\\d+)$`, 'm');
  return Number(line.exec(exposition)?.[1] ?? 0);
}

describe('embeddings service with two workers', () => {
  let service: EmbeddingService;
  let alone: EmbeddingModel;
  const metrics = createGatewayMetrics();
  before(async () => {
    const config = embeddingsConfigSchema.parse({ workers: 2, allow_remote: false, lru_entries: 0 });
    assert.equal(config.workers, 2);
    service = await startEmbeddingService(config, { metrics, logger: createLogger('error') });
    alone = await loadEmbeddingModel({
      model: config.model,
      modelsDir: defaultModelsDir(),
      allowRemote: false,
      quantized: config.quantized,
      intraOpThreads: 1,
      maxTokens: config.max_tokens,
    });
  });
  after(async () => {
    await service?.close();
    await alone?.close();
  });

  it('embeds concurrent texts in batches, each as the model embeds it alone', async () => {
    const texts = Array.from(
      { length: 48 },
      (_, i) =>
        `How do I rotate the API key number ${i} of the ${i % 2 === 0 ? 'staging' : 'production'} team?`,
    );
    const vectors = await Promise.all(texts.map((text) => service.embedder.embed(text)));
    for (const [i, text] of texts.entries()) {
      const reference = await alone.embed([text]);
      const cosine = dot(vectors[i]!, reference);
      assert.ok(cosine > 0.999, `${text}: cosine ${cosine} to the text embedded alone`);
    }
    // Four batches go out at once (two per worker); the rest queue and leave in larger batches.
    const exposition = metrics.registry.render();
    const count = Number(/gateway_cache_embed_batch_size_count(?:\{[^}]*\})? (\d+)/.exec(exposition)?.[1]);
    const sum = Number(/gateway_cache_embed_batch_size_sum(?:\{[^}]*\})? (\d+)/.exec(exposition)?.[1]);
    assert.equal(sum, texts.length, 'every text embedded once');
    assert.ok(count < texts.length, `${count} model calls for ${texts.length} texts: not batched`);
  });

  it("refuses to start, with the loader's reason, when the workers cannot load the model", async () => {
    const empty = await mkdtemp(join(tmpdir(), 'models-'));
    try {
      const config = embeddingsConfigSchema.parse({ workers: 2, allow_remote: false, models_dir: empty });
      await assert.rejects(
        startEmbeddingService(config, { metrics: createGatewayMetrics(), logger: createLogger('error') }),
        // Said once: the loader's message names the model, the service does not repeat it.
        (error: Error) => {
          assert.match(
            error.message,
            /^the embedding model Xenova\/all-MiniLM-L6-v2 is not available \(looked in .*remote download is off\); run `npm run model:provision`: .*tokenizer\.json is missing$/,
          );
          return true;
        },
      );
    } finally {
      await rm(empty, { recursive: true, force: true });
    }
  });
});

describe('embeddings service: a crashed worker thread', () => {
  const metrics = createGatewayMetrics();
  const lines: Record<string, unknown>[] = [];
  const logger: Logger = createLogger('info', (line) => {
    lines.push(JSON.parse(line) as Record<string, unknown>);
  });
  let service: EmbeddingService;
  before(async () => {
    const config = embeddingsConfigSchema.parse({ workers: 1, allow_remote: false, lru_entries: 0 });
    service = await startEmbeddingService(config, {
      metrics,
      logger,
      workerModule: sibling(import.meta.url, '../fixtures/workers/embed-or-exit.js'),
    });
  });
  after(async () => {
    await service?.close();
  });

  it('is replaced by a thread that loads the model before any text reaches it', async () => {
    const text = 'How do I rotate the API key of the staging team?';
    const before = await service.embedder.embed(text);
    await waitFor(() => modelLoads(metrics, 'loaded') === 1, 'the first thread reporting its load');
    const first = lines.find((l) => l.msg === 'embeddings worker loaded the model');
    assert.equal(typeof first?.thread, 'number');

    await assert.rejects(service.embedder.embed(EXIT_TEXT));
    // Nothing is sent to the pool now: only a load at the replacement's start can make this count 2.
    await waitFor(() => modelLoads(metrics, 'loaded') === 2, 'the replacement loading the model', 120_000);
    const loaded = lines.filter((l) => l.msg === 'embeddings worker loaded the model');
    assert.equal(loaded.length, 2);
    assert.notEqual(loaded[1]!.thread, first!.thread, 'reported by another thread');
    assert.equal(loaded[1]!.model, 'Xenova/all-MiniLM-L6-v2');
    assert.equal(typeof loaded[1]!.ms, 'number');
    assert.equal(modelLoads(metrics, 'failed'), 0);

    // The replacement embeds as the first thread did, and loads nothing more for it.
    const after = await service.embedder.embed(text);
    assert.ok(dot(before, after) > 0.9999, `cosine ${dot(before, after)} to the first thread's vector`);
    assert.equal(modelLoads(metrics, 'loaded'), 2);
  });
});
