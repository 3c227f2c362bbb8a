// Where vLLM's /tokenize is for a self-hosted provider's base URL: beside /v1, at the server's root.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { tokenizePathOf } from '../../../../dataplane/providers/openai/index.js';

describe('tokenizePathOf', () => {
  it('drops a trailing /v1 and slashes, keeps a proxy prefix', () => {
    assert.equal(tokenizePathOf('http://vllm:8000/v1'), '/tokenize');
    assert.equal(tokenizePathOf('http://vllm:8000/v1/'), '/tokenize');
    assert.equal(tokenizePathOf('http://vllm:8000'), '/tokenize');
    assert.equal(tokenizePathOf('http://gw.internal/llama/v1'), '/llama/tokenize');
    assert.equal(tokenizePathOf('http://gw.internal/llama'), '/llama/tokenize');
  });
});
