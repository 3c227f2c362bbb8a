// HTTP to one upstream origin through an undici keep-alive pool, with the three timeouts of the config
// (connect, first byte, idle between chunks) and the client's AbortSignal. Errors become GatewayErrors.
import { Pool } from 'undici';
import type { Dispatcher } from 'undici';
import type { Timeouts } from '../config/schema.js';
import { GatewayError, isGatewayError } from '../errors/gateway-error.js';
import type { Abortable } from '../net/abortable.js';
import { BodyQueue } from './body-queue.js';

export interface UpstreamClientOptions {
  /** Base URL including any path prefix, e.g. http://127.0.0.1:8000/v1 */
  baseUrl: string;
  timeouts: Timeouts;
  connections: number;
  keepAliveMs: number;
}

export interface UpstreamRequest {
  method: 'GET' | 'POST';
  /** Path relative to the base URL, starting with '/', may include a query string. */
  path: string;
  /** The path is from the origin, not the base URL's path (vLLM's /tokenize beside its /v1). */
  fromOrigin?: boolean;
  headers: Record<string, string>;
  body?: string;
  signal: Abortable;
}

export interface UpstreamResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: BodyQueue;
}

export interface UpstreamClient {
  readonly baseUrl: string;
  send(request: UpstreamRequest): Promise<UpstreamResponse>;
  close(): Promise<void>;
}

// Upstream bodies read whole (non-streaming answers, error bodies) are bounded: a broken upstream
// must not exhaust the gateway's memory.
const MAX_UPSTREAM_BODY = 64 * 1024 * 1024;

/**
 * Calls go through undici's low-level dispatch API with our own handler rather than `request()`: no Readable
 * stream per response, and abort and flow control wired directly, which halves undici's CPU per call.
 */
export function createUpstreamClient(options: UpstreamClientOptions): UpstreamClient {
  const url = new URL(options.baseUrl);
  const prefix = url.pathname.replace(/\/+$/, '');
  const pool = new Pool(url.origin, {
    connections: options.connections,
    keepAliveTimeout: options.keepAliveMs,
    connect: { timeout: options.timeouts.connect_ms },
    headersTimeout: options.timeouts.first_byte_ms,
    bodyTimeout: options.timeouts.idle_ms,
  });
  return {
    baseUrl: options.baseUrl,
    send(request) {
      return new Promise<UpstreamResponse>((resolve, reject) => {
        const signal = request.signal;
        if (signal.aborted) {
          reject(signal.reason);
          return;
        }
        let controller: Dispatcher.DispatchController | undefined;
        let body: BodyQueue | undefined;
        let settled = false;
        const onAbort = () => {
          if (controller !== undefined) return controller.abort(signal.reason as Error);
          // Still queued for a connection (all busy, or one opening): undici only hands out the controller when
          // it writes the request, so the caller is answered now, and onRequestStart aborts it unsent.
          finish();
          reject(signal.reason);
        };
        const finish = () => {
          if (settled) return;
          settled = true;
          signal.removeEventListener('abort', onAbort);
        };
        signal.addEventListener('abort', onAbort);
        const handler: Dispatcher.DispatchHandler = {
          onRequestStart(ctrl) {
            controller = ctrl;
            if (signal.aborted) ctrl.abort(signal.reason as Error);
          },
          onResponseStart(ctrl, statusCode, headers) {
            body = new BodyQueue(ctrl);
            resolve({ status: statusCode, headers, body });
          },
          onResponseData(_ctrl, chunk) {
            body!.push(chunk);
          },
          onResponseEnd() {
            finish();
            body?.end();
          },
          onResponseError(_ctrl, error) {
            finish();
            if (body === undefined) reject(upstreamFailure(error, 'headers', signal));
            else body.fail(upstreamFailure(error, 'body', signal));
          },
        };
        pool.dispatch(
          {
            method: request.method,
            path: request.fromOrigin === true ? request.path : prefix + request.path,
            headers: request.headers,
            body: request.body ?? null,
          },
          handler,
        );
      });
    },
    close: () => pool.close(),
  };
}

/** undici's and the kernel's codes for a connection the peer closed or reset after it was established. */
const CLOSED_BEFORE_ANSWER = new Set(['UND_ERR_SOCKET', 'ECONNRESET', 'EPIPE']);

/** The error of a call that failed in the given phase; the client's own abort is passed through as is. */
export function upstreamFailure(error: unknown, phase: 'headers' | 'body', signal: Abortable): unknown {
  if (signal.aborted || isGatewayError(error)) return error;
  const code = (error as { code?: string } | null)?.code;
  switch (code) {
    case 'UND_ERR_CONNECT_TIMEOUT':
      return new GatewayError('upstream_timeout', 'Timed out connecting to the upstream provider.', {
        cause: error,
      });
    case 'UND_ERR_HEADERS_TIMEOUT':
      return new GatewayError(
        'upstream_timeout',
        'The upstream provider did not answer in time (first byte).',
        {
          cause: error,
        },
      );
    case 'UND_ERR_BODY_TIMEOUT':
      return new GatewayError('upstream_timeout', 'The upstream provider stopped sending (idle timeout).', {
        cause: error,
      });
  }
  if (phase === 'headers' && code !== undefined && CLOSED_BEFORE_ANSWER.has(code)) {
    // Connected, but the provider hung up before any status line: unlike a refused connection, the request
    // may have reached it (and been billed there), which is worth telling apart in the record.
    return new GatewayError(
      'upstream_closed',
      `The upstream provider closed the connection before answering (${code}).`,
      { cause: error },
    );
  }
  if (phase === 'body') {
    return new GatewayError(
      'stream_interrupted',
      'The upstream connection closed before the response was complete.',
      {
        cause: error,
      },
    );
  }
  return new GatewayError(
    'upstream_unreachable',
    `The upstream provider could not be reached (${code ?? 'error'}).`,
    {
      cause: error,
    },
  );
}

/** Reads a whole upstream body as text, bounded. */
export function readUpstreamText(response: UpstreamResponse): Promise<string> {
  return response.body.text(
    MAX_UPSTREAM_BODY,
    () => new GatewayError('upstream_invalid_response', 'The upstream response is too large.'),
  );
}

export function parseUpstreamJson<T>(text: string): T {
  try {
    return JSON.parse(text) as T;
  } catch (error) {
    throw new GatewayError('upstream_invalid_response', 'The upstream provider returned invalid JSON.', {
      cause: error,
    });
  }
}

export function headerValue(headers: UpstreamResponse['headers'], name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value[0] : value;
}

/** Headers of an upstream error that the client needs to act on (back-off advice). */
export function retryHeaders(headers: UpstreamResponse['headers']): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of ['retry-after', 'retry-after-ms']) {
    const value = headerValue(headers, name);
    if (value !== undefined) out[name] = value;
  }
  return out;
}

export interface UpstreamErrorDetail {
  message: string | undefined;
  type: string | undefined;
  code: string | undefined;
  /** OpenAI's pointer at the offending field (`messages[0].content`), when the upstream gave one. */
  param?: string | undefined;
}

/**
 * Mirrors an upstream error status faithfully: same status, the upstream's message and type, and its
 * back-off headers. `detail` is parsed by the provider from its own error body shape.
 */
export function upstreamHttpError(
  status: number,
  headers: UpstreamResponse['headers'],
  detail: UpstreamErrorDetail,
): GatewayError {
  return new GatewayError('upstream_error', detail.message ?? `The upstream provider answered ${status}.`, {
    status: status >= 400 && status <= 599 ? status : 502,
    ...(detail.type === undefined ? {} : { type: detail.type }),
    ...(detail.param === undefined ? {} : { param: detail.param }),
    upstreamCode: detail.code ?? null,
    headers: retryHeaders(headers),
  });
}

/**
 * Reads an upstream error body and throws it mirrored (see upstreamHttpError); `parse` knows the body's shape
 * (and gets the status, for bodies whose own type and code must be read in its light).
 */
export async function throwUpstreamStatus(
  response: UpstreamResponse,
  parse: (text: string, status: number) => UpstreamErrorDetail,
): Promise<never> {
  const text = await readUpstreamText(response);
  throw upstreamHttpError(response.status, response.headers, parse(text, response.status));
}
