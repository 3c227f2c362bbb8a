// Anthropic error bodies ({"type":"error","error":{"type","message"}}), as HTTP answers and as `error` stream events.
import { GatewayError } from '../../errors/gateway-error.js';
import type { UpstreamErrorDetail } from '../../upstream/http-client.js';

/** Anthropic's status for `overloaded_error`; kept so clients back off as they would against Anthropic itself. */
const OVERLOADED_STATUS = 529;

export function parseAnthropicError(text: string): UpstreamErrorDetail {
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    return nonJson(text);
  }
  if (typeof body !== 'object' || body === null) return nonJson(text);
  const record = body as Record<string, unknown>;
  const error = (typeof record.error === 'object' && record.error !== null ? record.error : record) as Record<
    string,
    unknown
  >;
  const type = typeof error.type === 'string' && error.type !== 'error' ? error.type : undefined;
  return {
    message: typeof error.message === 'string' ? error.message : undefined,
    type,
    // Anthropic has no separate error code: its error type is the most precise identifier it gives.
    code: type,
  };
}

/** The error an in-stream `error` event stands for (the HTTP status is already sent, usually 200). */
export function anthropicStreamError(error: { type?: unknown; message?: unknown } | undefined): GatewayError {
  const type = typeof error?.type === 'string' ? error.type : undefined;
  const message = typeof error?.message === 'string' ? error.message : undefined;
  return new GatewayError('upstream_error', message, {
    ...(type === undefined ? {} : { type }),
    // Before the first byte reaches the client the status still matters: an overload stays retryable.
    ...(type === 'overloaded_error' ? { status: OVERLOADED_STATUS } : {}),
    upstreamCode: type ?? null,
  });
}

function nonJson(text: string): UpstreamErrorDetail {
  const trimmed = text.trim().slice(0, 500);
  return { message: trimmed === '' ? undefined : trimmed, type: undefined, code: undefined };
}
