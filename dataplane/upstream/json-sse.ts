// An upstream SSE body read as JSON events, the part both provider dialects share: socket failures mapped,
// the upstream socket released when the reader leaves early, and an end without the dialect's end marker
// thrown as stream_interrupted, never passed off as a complete answer.
import { GatewayError } from '../errors/gateway-error.js';
import type { StreamItem } from '../providers/types.js';
import { upstreamFailure, type UpstreamResponse } from './http-client.js';
import { SseDecoder } from './sse-parser.js';
import type { Abortable } from '../net/abortable.js';

export interface JsonSseDialect<T> {
  /** Names the end marker in the stream_interrupted message. */
  endMarker: string;
  /** A data line that ends the stream and is not an event itself (OpenAI's `[DONE]`). */
  sentinel?: string;
  /** An event that ends the stream after it has been passed on (Anthropic's message_stop). */
  isLast?: (data: T) => boolean;
  /**
   * Throws for in-stream error events and malformed events. May return the event in the dialect's own shape
   * (a field a compatible server left out): that is passed on instead, re-serialised.
   */
  check(data: T, raw: string): T | undefined;
}

export async function* jsonSseEvents<T>(
  response: UpstreamResponse,
  signal: Abortable,
  dialect: JsonSseDialect<T>,
): AsyncGenerator<StreamItem<T>> {
  let done = false;
  const sse = new SseDecoder();
  const body = response.body;
  try {
    // The events of one upstream read are handled in one loop: a hand-off between generators per event cost
    // more than the parsing.
    read: for (;;) {
      const chunk = await body.read();
      for (const event of chunk === undefined ? sse.end() : sse.push(chunk)) {
        if (event.data === dialect.sentinel) {
          done = true;
          break read;
        }
        let data: T;
        try {
          data = JSON.parse(event.data) as T;
        } catch (error) {
          throw new GatewayError('upstream_invalid_response', 'The upstream stream sent invalid JSON.', {
            cause: error,
          });
        }
        const reshaped = dialect.check(data, event.data);
        yield reshaped === undefined ? { data, raw: event.data } : { data: reshaped, raw: undefined };
        if (dialect.isLast?.(data) === true) {
          done = true;
          break read;
        }
      }
      if (chunk === undefined) break;
    }
  } catch (error) {
    throw upstreamFailure(error, 'body', signal);
  } finally {
    // Stops the upstream socket when the consumer leaves early (client gone, budget cut, error).
    if (!response.body.destroyed) response.body.destroy();
  }
  if (!done) {
    if (signal.aborted) throw signal.reason;
    throw new GatewayError('stream_interrupted', `The upstream stream ended without ${dialect.endMarker}.`);
  }
}
