// OpenAI SSE stream → chat chunks. The stream ends with `data: [DONE]`; an in-stream error object is thrown:
// OpenAI's and recent vLLM's `{"error":{…}}`, and the flat `{"object":"error","message":…}` of older vLLM.
import type { ChatChunk } from '../../api/openai-chat.js';
import { GatewayError } from '../../errors/gateway-error.js';
import type { UpstreamResponse } from '../../upstream/http-client.js';
import { jsonSseEvents } from '../../upstream/json-sse.js';
import type { StreamItem } from '../types.js';
import { parseOpenAIError } from './errors.js';
import type { Abortable } from '../../net/abortable.js';

export function openAIChunks(
  response: UpstreamResponse,
  signal: Abortable,
): AsyncGenerator<StreamItem<ChatChunk>> {
  return jsonSseEvents<ChatChunk & { error?: unknown }>(response, signal, {
    endMarker: 'its end marker',
    sentinel: '[DONE]',
    check(data, raw) {
      const flatError = (data as { object?: unknown }).object === 'error';
      if (flatError || (data.error !== undefined && data.error !== null)) {
        const detail = parseOpenAIError(raw);
        throw new GatewayError('upstream_error', detail.message, {
          ...(detail.type === undefined ? {} : { type: detail.type }),
          upstreamCode: detail.code ?? null,
        });
      }
      // OpenAI's usage-only chunk has `choices: []`; some compatible servers leave the key out. Such a chunk is
      // given OpenAI's shape (and re-serialised) so every reader can rely on `choices` being a list. Done here
      // rather than in a generator of its own: every streamed chunk would pay that layer.
      if (!Array.isArray((data as { choices?: unknown }).choices)) return { ...data, choices: [] };
      return undefined;
    },
  });
}
