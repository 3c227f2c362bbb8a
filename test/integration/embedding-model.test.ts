// The embedding model loader (dataplane/cache/embeddings/model.ts) on the provisioned all-MiniLM-L6-v2:
// its vectors are transformers.js' own feature-extraction output (mean pooling, normalised) for a batch of
// texts of different lengths, and the configured onnxruntime thread count is the one the session runs.
import assert from 'node:assert/strict';
import { existsSync, readdirSync } from 'node:fs';
import { describe, it } from 'node:test';
import { dot } from '../../dataplane/cache/backend.js';
import { defaultModelsDir, loadEmbeddingModel } from '../../dataplane/cache/embeddings/model.js';
import type { EmbeddingModel } from '../../dataplane/cache/embeddings/model.js';

const MODEL = 'Xenova/all-MiniLM-L6-v2';
const load = (intraOpThreads: number): Promise<EmbeddingModel> =>
  loadEmbeddingModel({
    model: MODEL,
    modelsDir: defaultModelsDir(),
    allowRemote: false,
    quantized: true,
    intraOpThreads,
    maxTokens: 256,
  });
/** OS threads of this process. */
const threads = (): number => readdirSync('/proc/self/task').length;

describe('embedding model loader', () => {
  it("gives transformers.js' pipeline vectors for a padded batch", async () => {
    const model = await load(1);
    const texts = [
      'Hi',
      'How do I enable two-factor authentication on my account?',
      'This is an example sentence',
    ];
    const ours = await model.embed(texts);
    assert.equal(model.dims, 384);
    assert.equal(ours.length, texts.length * 384);
    const { pipeline, env } = await import('@xenova/transformers');
    env.localModelPath = `${defaultModelsDir()}/`;
    env.allowRemoteModels = false;
    const extractor = (await pipeline('feature-extraction', MODEL, { quantized: true })) as unknown as (
      t: string[],
      o: { pooling: 'mean'; normalize: boolean },
    ) => Promise<{ data: Float32Array; dims: number[] }>;
    const theirs = await extractor(texts, { pooling: 'mean', normalize: true });
    assert.deepEqual(theirs.dims, [3, 384]);
    let worst = 0;
    for (let i = 0; i < ours.length; i++) worst = Math.max(worst, Math.abs(ours[i]! - theirs.data[i]!));
    assert.ok(worst < 1e-6, `largest difference ${worst}`);
    // A text embeds the same alone as inside a padded batch: the int8 model quantizes each token on its own
    // (with one scale per batch, 'Hi' next to a long text came out at cosine 0.984 to itself alone).
    for (const [i, text] of texts.entries()) {
      const alone = await model.embed([text]);
      // Both unit length, so the dot product is the cosine.
      const cosine = dot(alone, ours.subarray(i * 384, (i + 1) * 384));
      assert.ok(cosine > 0.999, `${JSON.stringify(text)}: cosine ${cosine} alone vs in the batch`);
    }
  });

  // /proc/self/task lists a Linux process's threads; elsewhere there is nothing to count.
  it(
    'runs the session on the configured number of onnxruntime threads',
    { skip: !existsSync('/proc/self/task') },
    async () => {
      // The first load starts libuv's and onnxruntime's shared threads; later loads add only the session's
      // intra-op pool, which has one thread fewer than configured (the calling thread is the other one).
      await load(1);
      const start = threads();
      await load(1);
      const afterOne = threads();
      await load(3);
      const afterThree = threads();
      assert.equal(afterOne - start, 0);
      assert.equal(afterThree - afterOne, 2);
    },
  );
});
