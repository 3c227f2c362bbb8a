// OpenAI SSE stream → chat chunks. The stream ends with `data: [DONE]`; an in-stream error object is thrown:
// OpenAI's and recent vLLM's `{"error":{…}}`, and the flat `{"object":"error","message":…}` of older vLLM.
import type { ChatChunk } from '../../api/openai-chat.js';
import { GatewayError } from '../../errors/gateway-error.js';
import type { UpstreamResponse } from '../../upstream/http-client.js';
import { jsonSseEvents } from '../../upstream/json-sse.js';
import type { StreamItem } from '../types.js';
import { parseOpenAIError } from './errors.js';
import type { Abortable } from '../../net/abortable.js';

export async function* openAIChunks(
  response: UpstreamResponse,
  signal: Abortable,
): AsyncGenerator<StreamItem<ChatChunk>> {
  const items = jsonSseEvents<ChatChunk & { error?: unknown }>(response, signal, {
    endMarker: 'its end marker',
    sentinel: '[DONE]',
    check(data, raw) {
      // Checked here, before a chunk without `choices` is given an empty list below and passed as content.
      const flatError = (data as { object?: unknown }).object === 'error';
      if (!flatError && (data.error === undefined || data.error === null)) return;
      const detail = parseOpenAIError(raw);
      throw new GatewayError('upstream_error', detail.message, {
        ...(detail.type === undefined ? {} : { type: detail.type }),
        upstreamCode: detail.code ?? null,
      });
    },
  });
  for await (const item of items) {
    // OpenAI's usage-only chunk has `choices: []`; some compatible servers leave the key out. Such a chunk is
    // given OpenAI's shape (and re-serialised) so every reader can rely on `choices` being a list.
    const choices = (item.data as { choices?: unknown }).choices;
    if (Array.isArray(choices)) yield item;
    else yield { data: { ...item.data, choices: [] }, raw: undefined };
  }
}
