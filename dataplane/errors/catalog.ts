// The one error catalog: every error the gateway can produce, with its HTTP status and OpenAI error type.
// docs/errors.md lists the same entries; test/unit/errors/catalog.test.ts checks each is well-formed.

export interface ErrorSpec {
  /** HTTP status sent to the client. */
  readonly status: number;
  /** OpenAI `error.type` (Anthropic clients read the same field). */
  readonly type: string;
  /** Default message; a thrower may replace it with a more precise one. */
  readonly message: string;
}

export const errorCatalog = {
  invalid_json: { status: 400, type: 'invalid_request_error', message: 'Request body is not valid JSON.' },
  invalid_utf8: { status: 400, type: 'invalid_request_error', message: 'Request body is not valid UTF-8.' },
  unsupported_encoding: {
    status: 415,
    type: 'invalid_request_error',
    message: 'Compressed request bodies are not accepted; send the JSON without a Content-Encoding.',
  },
  invalid_request: { status: 400, type: 'invalid_request_error', message: 'The request is invalid.' },
  unsupported_operation: {
    status: 400,
    type: 'invalid_request_error',
    message: 'This model does not support the requested operation.',
  },
  ambiguous_framing: {
    status: 400,
    type: 'invalid_request_error',
    message:
      'The body of the request cannot be framed safely, so the connection was closed without an answer.',
  },
  body_too_large: { status: 413, type: 'invalid_request_error', message: 'Request body is too large.' },
  not_found: { status: 404, type: 'invalid_request_error', message: 'Unknown route.' },
  method_not_allowed: { status: 405, type: 'invalid_request_error', message: 'Method not allowed.' },
  model_not_found: { status: 404, type: 'invalid_request_error', message: 'The model does not exist.' },
  unauthorized: { status: 401, type: 'authentication_error', message: 'Missing or invalid credentials.' },
  forbidden: { status: 403, type: 'permission_error', message: 'Not allowed.' },
  rate_limited: { status: 429, type: 'rate_limit_error', message: 'Rate limit reached.' },
  budget_exceeded: { status: 429, type: 'insufficient_quota', message: 'Budget exceeded.' },
  limits_unavailable: {
    status: 503,
    type: 'overloaded_error',
    message: 'Limits cannot be checked right now; retry shortly.',
  },
  cache_unavailable: {
    status: 503,
    type: 'overloaded_error',
    message: 'The cache backend cannot be reached right now; retry shortly.',
  },
  upstream_timeout: { status: 504, type: 'timeout_error', message: 'The upstream provider timed out.' },
  upstream_unreachable: {
    status: 502,
    type: 'api_error',
    message: 'The upstream provider could not be reached.',
  },
  upstream_closed: {
    status: 502,
    type: 'api_error',
    message: 'The upstream provider closed the connection before answering.',
  },
  upstream_error: { status: 502, type: 'api_error', message: 'The upstream provider returned an error.' },
  upstream_invalid_response: {
    status: 502,
    type: 'api_error',
    message: 'The upstream provider returned a response the gateway could not read.',
  },
  stream_interrupted: {
    status: 502,
    type: 'api_error',
    message: 'The upstream stream ended before it was complete.',
  },
  overloaded: {
    status: 503,
    type: 'overloaded_error',
    message: 'The gateway is overloaded; retry shortly.',
  },
  shutting_down: { status: 503, type: 'overloaded_error', message: 'The gateway is shutting down.' },
  internal_error: { status: 500, type: 'api_error', message: 'Internal gateway error.' },
} as const satisfies Record<string, ErrorSpec>;

export type ErrorCode = keyof typeof errorCatalog;

/** Whether `code` is one of the gateway's own error codes. */
export function isErrorCode(code: string): code is ErrorCode {
  return Object.hasOwn(errorCatalog, code);
}
