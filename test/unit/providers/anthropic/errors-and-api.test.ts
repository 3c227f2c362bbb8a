// Anthropic error body parsing, the in-stream error mapping, and the request path and headers.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { anthropicProviderSchema } from '../../../../dataplane/config/schema.js';
import { createAnthropicApi } from '../../../../dataplane/providers/anthropic/api.js';
import {
  anthropicStreamError,
  parseAnthropicError,
} from '../../../../dataplane/providers/anthropic/errors.js';

describe('parseAnthropicError', () => {
  it('reads type and message, using the type as the code', () => {
    const body =
      '{"type":"error","error":{"type":"overloaded_error","message":"Overloaded"},"request_id":"req_011"}';
    assert.deepEqual(parseAnthropicError(body), {
      message: 'Overloaded',
      type: 'overloaded_error',
      code: 'overloaded_error',
    });
  });

  it('keeps a non-JSON body as the message, trimmed and bounded', () => {
    assert.deepEqual(parseAnthropicError('  <html>Bad gateway</html>\n'), {
      message: '<html>Bad gateway</html>',
      type: undefined,
      code: undefined,
    });
    assert.equal(parseAnthropicError('x'.repeat(2000)).message!.length, 500);
    assert.deepEqual(parseAnthropicError(''), { message: undefined, type: undefined, code: undefined });
    assert.deepEqual(parseAnthropicError('null'), { message: 'null', type: undefined, code: undefined });
  });

  it('tolerates JSON without the error envelope', () => {
    assert.deepEqual(parseAnthropicError('{"message":"nope"}'), {
      message: 'nope',
      type: undefined,
      code: undefined,
    });
  });
});

describe('anthropicStreamError', () => {
  it('mirrors the error type and keeps overloads at 529', () => {
    const overloaded = anthropicStreamError({ type: 'overloaded_error', message: 'Overloaded' });
    assert.equal(overloaded.code, 'upstream_error');
    assert.equal(overloaded.type, 'overloaded_error');
    assert.equal(overloaded.status, 529);
    assert.equal(overloaded.message, 'Overloaded');
    assert.equal(overloaded.upstreamCode, 'overloaded_error');
    const api = anthropicStreamError({ type: 'api_error', message: 'Internal' });
    assert.equal(api.status, 502);
    assert.equal(api.type, 'api_error');
  });
});

describe('createAnthropicApi', () => {
  it('calls /v1/messages with the key, version, request id and configured headers', () => {
    const config = anthropicProviderSchema.parse({
      type: 'anthropic',
      api_key: 'sk-ant-test',
      headers: { 'anthropic-beta': 'prompt-caching-2024-07-31' },
    });
    assert.equal(config.base_url, 'https://api.anthropic.com');
    const api = createAnthropicApi(config);
    assert.equal(api.path, '/v1/messages');
    assert.deepEqual(api.headers('req-1'), {
      'content-type': 'application/json',
      'anthropic-version': '2023-06-01',
      'anthropic-beta': 'prompt-caching-2024-07-31',
      'x-api-key': 'sk-ant-test',
      'x-request-id': 'req-1',
    });
    // No client_betas: what a client asks for is not passed on.
    assert.equal(
      api.headers('req-2', 'context-1m-2025-08-07')['anthropic-beta'],
      'prompt-caching-2024-07-31',
    );
    // With an allowlist, only the names on it are added to the configured ones.
    const open = createAnthropicApi({ ...config, client_betas: ['context-1m-2025-08-07'] });
    assert.equal(
      open.headers('req-3', 'context-1m-2025-08-07, files-api-2025-04-14, x\r\ny')['anthropic-beta'],
      'prompt-caching-2024-07-31,context-1m-2025-08-07',
    );
  });

  it('sends no key header when no key is configured', () => {
    const api = createAnthropicApi(
      anthropicProviderSchema.parse({ type: 'anthropic', version: '2024-01-01' }),
    );
    const headers = api.headers('r');
    assert.equal('x-api-key' in headers, false);
    assert.equal(headers['anthropic-version'], '2024-01-01');
  });
});
