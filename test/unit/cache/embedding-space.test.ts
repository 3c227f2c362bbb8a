// The identity of an embeddings service's vector space: the model, fp32 or int8, and the provisioned build.
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { embeddingSpace } from '../../../dataplane/cache/embeddings/space.js';

describe('embeddingSpace', () => {
  let modelsDir: string;
  const model = 'Xenova/all-MiniLM-L6-v2';
  const provenance = (fp32: string, int8: string) =>
    writeFile(
      join(modelsDir, model, 'provenance.json'),
      JSON.stringify({ onnxSha256: fp32, quantizedOnnxSha256: int8 }),
    );

  before(async () => {
    modelsDir = await mkdtemp(join(tmpdir(), 'embedding-space-'));
    await mkdir(join(modelsDir, model), { recursive: true });
  });
  after(() => rm(modelsDir, { recursive: true, force: true }));

  it('is stable for the same model and build, and differs between fp32 and int8', async () => {
    await provenance('f'.repeat(64), '1'.repeat(64));
    const int8 = embeddingSpace({ model, quantized: true, modelsDir });
    assert.match(int8, /^[0-9a-f]{8}$/);
    assert.equal(embeddingSpace({ model, quantized: true, modelsDir }), int8);
    assert.notEqual(embeddingSpace({ model, quantized: false, modelsDir }), int8);
  });

  it('changes with the provisioned graph (a rebuild of the same model) and with the model id', async () => {
    await provenance('f'.repeat(64), '1'.repeat(64));
    const before = embeddingSpace({ model, quantized: true, modelsDir });
    await provenance('f'.repeat(64), '2'.repeat(64));
    assert.notEqual(embeddingSpace({ model, quantized: true, modelsDir }), before);
    // Only the int8 graph changed: the fp32 space is the same.
    await provenance('f'.repeat(64), '1'.repeat(64));
    const fp32 = embeddingSpace({ model, quantized: false, modelsDir });
    await provenance('f'.repeat(64), '3'.repeat(64));
    assert.equal(embeddingSpace({ model, quantized: false, modelsDir }), fp32);
    assert.notEqual(embeddingSpace({ model: 'Xenova/other', quantized: true, modelsDir }), before);
  });

  it('falls back to the model id and variant without a provisioned folder', () => {
    const hub = embeddingSpace({ model: 'Xenova/not-here', quantized: true, modelsDir });
    assert.equal(embeddingSpace({ model: 'Xenova/not-here', quantized: true, modelsDir }), hub);
    assert.notEqual(embeddingSpace({ model: 'Xenova/not-here', quantized: false, modelsDir }), hub);
  });
});
