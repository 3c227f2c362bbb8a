// OpenAI SSE stream → chat chunks. The stream must end with `data: [DONE]`; an end without it, a socket
// error or an in-stream error object is thrown, never passed off as a clean end.
import type { ChatChunk } from '../../api/openai-chat.js';
import { GatewayError } from '../../errors/gateway-error.js';
import { upstreamFailure, type UpstreamResponse } from '../../upstream/http-client.js';
import { parseSse } from '../../upstream/sse-parser.js';
import type { StreamItem } from '../types.js';
import { parseOpenAIError } from './errors.js';

export async function* openAIChunks(
  response: UpstreamResponse,
  signal: AbortSignal,
): AsyncGenerator<StreamItem<ChatChunk>> {
  let done = false;
  try {
    for await (const event of parseSse(response.body)) {
      if (event.data === '[DONE]') {
        done = true;
        break;
      }
      let data: ChatChunk & { error?: unknown };
      try {
        data = JSON.parse(event.data) as ChatChunk & { error?: unknown };
      } catch (error) {
        throw new GatewayError('upstream_invalid_response', 'The upstream stream sent invalid JSON.', {
          cause: error,
        });
      }
      if (data.error !== undefined && data.error !== null) {
        const detail = parseOpenAIError(event.data);
        throw new GatewayError('upstream_error', detail.message, {
          ...(detail.type === undefined ? {} : { type: detail.type }),
          upstreamCode: detail.code ?? null,
        });
      }
      yield { data, raw: event.data };
    }
  } catch (error) {
    throw upstreamFailure(error, 'body', signal);
  } finally {
    // Stops the upstream socket when the consumer leaves early (client gone, budget cut, error).
    if (!response.body.destroyed) response.body.destroy();
  }
  if (!done) {
    if (signal.aborted) throw signal.reason;
    throw new GatewayError('stream_interrupted', 'The upstream stream ended before its end marker.');
  }
}
