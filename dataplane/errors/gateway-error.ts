// Typed errors thrown by stages; the respond stage is the only place that turns them into HTTP responses.
import { errorCatalog, type ErrorCode } from './catalog.js';

// A global symbol, so errors from another copy of this module (tests, bench) are still recognised.
const brand = Symbol.for('ai-gateway.GatewayError');

export interface GatewayErrorOptions {
  /** Override the catalog status (used to mirror an upstream's status faithfully). */
  status?: number;
  /** Override the catalog type (used to mirror an upstream's error type). */
  type?: string;
  /** OpenAI `error.param`: the request field at fault. */
  param?: string | null;
  /** The upstream's own error code, when it gave one. */
  upstreamCode?: string | null;
  /** Headers to send with the error (e.g. retry-after). */
  headers?: Record<string, string>;
  cause?: unknown;
}

export class GatewayError extends Error {
  readonly [brand] = true;
  readonly code: ErrorCode;
  readonly status: number;
  readonly type: string;
  readonly param: string | null;
  readonly upstreamCode: string | null;
  readonly headers: Record<string, string>;

  constructor(code: ErrorCode, message?: string, options: GatewayErrorOptions = {}) {
    const spec = errorCatalog[code];
    // These are expected outcomes (a 401, a 429 under load), not bugs: capturing a stack trace would be the
    // most expensive part of refusing a request. An internal error keeps its cause, which has the stack.
    const stackLimit = Error.stackTraceLimit;
    Error.stackTraceLimit = 0;
    super(message ?? spec.message, options.cause === undefined ? undefined : { cause: options.cause });
    Error.stackTraceLimit = stackLimit;
    this.name = 'GatewayError';
    this.code = code;
    this.status = options.status ?? spec.status;
    this.type = options.type ?? spec.type;
    this.param = options.param ?? null;
    this.upstreamCode = options.upstreamCode ?? null;
    this.headers = options.headers ?? {};
  }

  /** The OpenAI error body. `code` is the upstream's code when mirrored, else ours. */
  toBody(): { error: { message: string; type: string; param: string | null; code: string } } {
    return {
      error: {
        message: this.message,
        type: this.type,
        param: this.param,
        code: this.upstreamCode ?? this.code,
      },
    };
  }
}

export function isGatewayError(value: unknown): value is GatewayError {
  return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[brand] === true;
}

/** Anything thrown becomes a GatewayError; unknown errors are internal (their message is not leaked). */
export function toGatewayError(value: unknown): GatewayError {
  if (isGatewayError(value)) return value;
  return new GatewayError('internal_error', undefined, { cause: value });
}
