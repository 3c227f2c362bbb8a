// The embedding loader's helpers (dataplane/cache/embeddings/model.ts): where the session is loaded from (the
// provisioned file when it holds the bytes transformers.js read, otherwise a private temporary copy that
// `done` removes) and where the models folder is.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { modelPath, resolveModelsDir } from '../../../dataplane/cache/embeddings/model.js';

describe('modelPath', () => {
  it('uses the provisioned file only when its bytes are the ones read, else a temporary copy', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'model-path-'));
    try {
      const expected = join(dir, 'model_quantized.onnx');
      const bytes = Uint8Array.from([1, 2, 3, 4, 5]);
      await writeFile(expected, bytes);
      const same = await modelPath(bytes.subarray(0), expected);
      assert.equal(same.path, expected);
      await same.done();
      assert.ok(existsSync(expected), 'the provisioned file stays');

      // Same size, other bytes (e.g. a model downloaded from the hub next to an older local one).
      const other = Uint8Array.from([1, 2, 3, 4, 6]);
      const copy = await modelPath(other, expected);
      assert.notEqual(copy.path, expected);
      assert.deepEqual(new Uint8Array(await readFile(copy.path)), other);
      await copy.done();
      assert.ok(!existsSync(copy.path), 'the copy is removed');

      const missing = await modelPath(bytes, join(dir, 'absent.onnx'));
      assert.deepEqual(new Uint8Array(await readFile(missing.path)), bytes);
      await missing.done();
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('resolveModelsDir', () => {
  it('reads a leading ~/ as the home directory (YAML has no shell to expand it), else the path as given', () => {
    assert.equal(
      resolveModelsDir('~/.cache/ai-gateway/models', {}),
      join(homedir(), '.cache/ai-gateway/models'),
    );
    assert.equal(resolveModelsDir('/srv/models', {}), '/srv/models');
    assert.equal(resolveModelsDir('models', {}), 'models');
    assert.equal(resolveModelsDir(undefined, { AI_GATEWAY_MODELS_DIR: '/m' }), '/m');
  });
});
