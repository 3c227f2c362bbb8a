// Upstream error bodies of OpenAI-compatible servers read into a message, type and code in OpenAI's vocabulary.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseOpenAIError } from '../../../../dataplane/providers/openai/errors.js';

const parse = (body: unknown, status?: number) => parseOpenAIError(JSON.stringify(body), status);

describe('parseOpenAIError', () => {
  it("keeps OpenAI's own bodies as they are", () => {
    const error = { message: 'bad key', type: 'invalid_request_error', param: null, code: 'invalid_api_key' };
    assert.deepEqual(parse({ error }, 401), {
      message: 'bad key',
      type: 'invalid_request_error',
      code: 'invalid_api_key',
      param: undefined,
    });
  });

  it("tells vLLM's exception-class types and numeric codes in OpenAI's words, flat or nested", () => {
    const message = "This model's maximum context length is 4096 tokens. However, you requested 5000 tokens.";
    const vllm = { message, type: 'BadRequestError', param: null, code: 400 };
    for (const body of [{ object: 'error', ...vllm }, { error: vllm }]) {
      const detail = parse(body, 400);
      assert.deepEqual(
        [detail.message, detail.type, detail.code],
        [message, 'invalid_request_error', 'context_length_exceeded'],
      );
    }
    const cases: [number, string, string, string][] = [
      [400, 'BadRequestError', 'invalid_request_error', 'upstream_error'],
      [401, 'UnauthorizedError', 'authentication_error', 'upstream_error'],
      [403, 'ForbiddenError', 'permission_error', 'upstream_error'],
      [404, 'NotFoundError', 'not_found_error', 'model_not_found'],
      [429, 'TooManyRequestsError', 'rate_limit_error', 'rate_limit_exceeded'],
      [500, 'InternalServerError', 'server_error', 'upstream_error'],
    ];
    for (const [status, type, expectedType, expectedCode] of cases) {
      const detail = parse(
        { object: 'error', message: 'The model `x` failed.', type, param: null, code: status },
        status,
      );
      assert.deepEqual([detail.type, detail.code], [expectedType, expectedCode], type);
    }
  });

  it('an in-stream error without a status takes it from its numeric code', () => {
    const detail = parse({ object: 'error', message: 'Engine died', type: 'InternalServerError', code: 500 });
    assert.deepEqual(
      [detail.message, detail.type, detail.code],
      ['Engine died', 'server_error', 'upstream_error'],
    );
  });

  it("reads the message of bodies not in OpenAI's shape", () => {
    assert.equal(parse({ error: 'Unauthorized' }, 401).message, 'Unauthorized');
    assert.equal(parse({ detail: 'Not Found' }, 404).message, 'Not Found');
    const issues = [
      { type: 'missing', loc: ['body', 'messages'], msg: 'Field required' },
      { type: 'int_parsing', loc: ['body', 'max_tokens'], msg: 'Input should be a valid integer' },
    ];
    assert.equal(
      parse({ detail: issues }, 422).message,
      'body.messages: Field required; body.max_tokens: Input should be a valid integer',
    );
    assert.equal(parseOpenAIError('upstream exploded', 503).message, 'upstream exploded');
    assert.equal(parse({ unrelated: true }, 500).message, undefined);
  });
});
