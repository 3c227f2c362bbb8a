// A warn line for each request an upstream failed (5xx, timeout, unreachable, broken stream): without the
// access log, metrics alone said so, and on-call had no request id to follow. At most `perSecond` lines a
// second; the ones left out are counted in the next line, so a dead provider cannot flood the log.
import { createLogThrottle } from './log-throttle.js';
import type { Logger } from './logger.js';

/** Error codes that mean the upstream (not the client, not a limit) failed the request. */
const UPSTREAM_FAILURES = new Set([
  'upstream_timeout',
  'upstream_unreachable',
  'upstream_closed',
  'upstream_invalid_response',
  'stream_interrupted',
]);

export interface UpstreamFailure {
  readonly requestId: string;
  readonly code: string;
  /** The status the client got (a stream that broke after its 200 keeps it). */
  readonly status: number;
  /** The upstream's own status, when it answered with one. */
  readonly upstreamStatus: number | undefined;
  readonly provider: string | undefined;
  readonly model: string | undefined;
  readonly message: string | undefined;
}

/** Whether a request's error is the upstream's: its failures, and its own 5xx (a 4xx is the client's). */
export function isUpstreamFailure(code: string, upstreamStatus: number | undefined): boolean {
  return UPSTREAM_FAILURES.has(code) || (code === 'upstream_error' && (upstreamStatus ?? 0) >= 500);
}

export function createUpstreamFailureLog(
  logger: Logger,
  perSecond = 10,
  now?: () => number,
): (failure: UpstreamFailure) => void {
  const allowed = createLogThrottle(perSecond, now);
  return (failure) => {
    const suppressed = allowed();
    if (suppressed === undefined) return;
    logger.warn('upstream failed', {
      request_id: failure.requestId,
      code: failure.code,
      status: failure.status,
      ...(failure.upstreamStatus === undefined ? {} : { upstream_status: failure.upstreamStatus }),
      provider: failure.provider ?? null,
      model: failure.model ?? null,
      message: failure.message?.slice(0, 500) ?? null,
      ...(suppressed > 0 ? { not_logged_before: suppressed } : {}),
    });
  };
}
