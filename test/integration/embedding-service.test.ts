// The embeddings service with two workers (the default on two cores): each thread holds its own session of the
// provisioned model, concurrent texts are spread over them in micro-batches, and whichever session embeds a
// text, in whatever batch, the vector is the one the model gives that text alone; without a model it refuses to
// start and says why.
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
import { createLogger } from '../../dataplane/observability/logger.js';

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
