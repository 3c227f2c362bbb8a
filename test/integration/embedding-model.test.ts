// The embedding model loader (dataplane/cache/embeddings/model.ts) on the provisioned all-MiniLM-L6-v2:
// its fp32 vectors are sentence-transformers' for a padded batch of texts of different lengths, the int8
// ones stay close to them and do not depend on batch-mates, and the configured onnxruntime thread count is
// the one the session runs.
import assert from 'node:assert/strict';
import { existsSync, readdirSync } from 'node:fs';
import { copyFile, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { dot } from '../../dataplane/cache/backend.js';
import { defaultModelsDir, loadEmbeddingModel } from '../../dataplane/cache/embeddings/model.js';
import type { EmbeddingModel } from '../../dataplane/cache/embeddings/model.js';
import {
  minCosineFor,
  REFERENCE_FIRST_VALUES,
  REFERENCE_SENTENCE,
  REFERENCE_TOLERANCE,
} from '../../scripts/model/verify-embeddings.js';
import { GraphBuilder, TensorType } from '../../scripts/model/onnx/graph-builder.js';

const MODEL = 'Xenova/all-MiniLM-L6-v2';
const load = (
  intraOpThreads: number,
  quantized = true,
  modelsDir = defaultModelsDir(),
): Promise<EmbeddingModel> =>
  loadEmbeddingModel({
    model: MODEL,
    modelsDir,
    allowRemote: false,
    quantized,
    intraOpThreads,
    maxTokens: 256,
  });
/** A models folder in `dir` holding the provisioned model's tokenizer and config but no graph. */
async function tokenizerOnly(dir: string): Promise<string> {
  const folder = join(dir, MODEL);
  await mkdir(folder, { recursive: true });
  for (const file of ['config.json', 'tokenizer.json', 'tokenizer_config.json'])
    await copyFile(join(defaultModelsDir(), MODEL, file), join(folder, file));
  return folder;
}
/** OS threads of this process. */
const threads = (): number => readdirSync('/proc/self/task').length;

describe('embedding model loader', () => {
  it("gives sentence-transformers' vectors for a padded batch, and each text the same alone", async () => {
    const texts = ['Hi', 'How do I enable two-factor authentication on my account?', REFERENCE_SENTENCE];
    const fp32 = await load(1, false);
    const exact = await fp32.embed(texts);
    await fp32.close();
    assert.equal(fp32.dims, 384);
    assert.equal(exact.length, texts.length * 384);
    // The reference sentence sits last, behind padding for the longest text: its first values are
    // sentence-transformers' own (an independent float64 forward pass agrees), so tokenizer, attention mask,
    // session and pooling all line up.
    const reference = exact.subarray(2 * 384, 3 * 384);
    REFERENCE_FIRST_VALUES.forEach((expected, i) =>
      assert.ok(
        Math.abs(reference[i]! - expected) <= REFERENCE_TOLERANCE,
        `value[${i}] = ${reference[i]}, expected ${expected}`,
      ),
    );
    const model = await load(1);
    const ours = await model.embed(texts);
    for (const [i, text] of texts.entries()) {
      const row = ours.subarray(i * 384, (i + 1) * 384);
      // Both unit length, so the dot product is the cosine.
      assert.ok(Math.abs(dot(row, row) - 1) < 1e-4, `${JSON.stringify(text)}: not unit length`);
      const toFp32 = dot(row, exact.subarray(i * 384, (i + 1) * 384));
      assert.ok(toFp32 >= minCosineFor(text), `${JSON.stringify(text)}: cosine ${toFp32} to fp32`);
      // A text embeds the same alone as inside a padded batch: the int8 model quantizes each token on its own
      // (with one scale per batch, 'Hi' next to a long text came out at cosine 0.984 to itself alone).
      const alone = await model.embed([text]);
      const cosine = dot(alone, row);
      assert.ok(cosine > 0.999, `${JSON.stringify(text)}: cosine ${cosine} alone vs in the batch`);
    }
    await model.close();
  });

  // /proc/self/task lists a Linux process's threads; elsewhere there is nothing to count.
  it(
    'runs the session on the configured number of onnxruntime threads',
    { skip: !existsSync('/proc/self/task') },
    async () => {
      // The first load starts libuv's and onnxruntime's shared threads; later loads add only the session's
      // intra-op pool, which has one thread fewer than configured (the calling thread is the other one).
      const models = [await load(1)];
      const start = threads();
      models.push(await load(1));
      const afterOne = threads();
      models.push(await load(3));
      const afterThree = threads();
      for (const model of models) await model.close();
      assert.equal(afterOne - start, 0);
      assert.equal(afterThree - afterOne, 2);
    },
  );

  it('names the folder it looked in and the provisioning command when the model is missing', async () => {
    const empty = await mkdtemp(join(tmpdir(), 'models-'));
    // The tokenizer is there but not the graph: the file lookup goes to transformers.js' hub code, which must
    // not reach out when remote download is off.
    const partial = await mkdtemp(join(tmpdir(), 'models-'));
    await tokenizerOnly(partial);
    try {
      for (const modelsDir of [empty, partial]) {
        await assert.rejects(load(1, true, modelsDir), (error: Error) => {
          assert.match(
            error.message,
            new RegExp(`looked in ${join(modelsDir, MODEL)}; remote download is off`),
          );
          assert.match(error.message, /npm run model:provision/);
          return true;
        });
      }
    } finally {
      await rm(empty, { recursive: true, force: true });
      await rm(partial, { recursive: true, force: true });
    }
  });

  it('refuses a model whose output is not one state per token (it would be pooled along the wrong axis)', async () => {
    // A graph with the right inputs whose output is [batch, tokens]: the ids as floats.
    const dir = await mkdtemp(join(tmpdir(), 'models-'));
    const folder = await tokenizerOnly(dir);
    await mkdir(join(folder, 'onnx'));
    const g = new GraphBuilder();
    const ids = g.reserve('input_ids');
    const out = g.opNamed('Cast', [ids], 'last_hidden_state', { to: TensorType.FLOAT });
    const dims = ['batch_size', 'sequence_length'];
    await writeFile(
      join(folder, 'onnx', 'model_quantized.onnx'),
      g.encode(
        [{ name: ids, elemType: TensorType.INT64, dims }],
        [{ name: out, elemType: TensorType.FLOAT, dims }],
        { irVersion: 8, opsetVersion: 13, producerName: 'test' },
      ),
    );
    try {
      await assert.rejects(
        load(1, true, dir),
        /does not run: its output last_hidden_state has shape \[1, \d+\], not \[batch, tokens, dims\]/,
      );
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
