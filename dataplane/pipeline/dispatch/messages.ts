// /v1/messages (Anthropic dialect): native for Anthropic upstreams, translated through chat for the others.
import { answerTokens, countDelta } from './streamed-tokens.js';
import type { AnthropicStreamEvent, MessagesRequest } from '../../api/anthropic-messages.js';
import type { ChatRequest } from '../../api/openai-chat.js';
import type { RoutableModel } from '../../config/runtime.js';
import type { CallOptions, StreamItem } from '../../providers/types.js';
import { messagesToChatRequest } from '../../providers/anthropic/request-mapping.js';
import { chatCompletionToMessage } from '../../providers/anthropic/response-mapping.js';
import { chatChunksToAnthropicEvents } from '../../providers/anthropic/stream-mapping.js';
import type { GatewayContext, ResponsePlan } from '../context.js';
import { promptTokensOf, settleUsage } from '../settled-usage.js';
import { anthropicErrorFrame, anthropicFrame, usageFromAnthropic, usageFromOpenAI } from './frames.js';

/**
 * A Messages body as the chat request a provider without a Messages API is sent; it throws for what the
 * translation cannot express (Anthropic-only blocks and tools), which the count-tokens stage relies on too.
 */
export function chatRequestFor(body: MessagesRequest, route: RoutableModel): ChatRequest {
  const provider = route.provider;
  return messagesToChatRequest(
    body,
    route.upstreamModel,
    provider.completionLimitField,
    provider.type === 'self-hosted',
  );
}

export async function dispatchMessages(
  ctx: GatewayContext,
  body: MessagesRequest,
  call: CallOptions,
): Promise<ResponsePlan> {
  const route = ctx.route!;
  const provider = route.provider;
  if (provider.messages !== undefined) {
    const result = await provider.messages(body, call);
    if (!result.stream) {
      ctx.usage = usageFromAnthropic(result.body.usage);
      return { kind: 'json', status: 200, body: result.raw ?? JSON.stringify(result.body) };
    }
    return sse(ctx, result.events, false);
  }
  const chatRequest = chatRequestFor(body, route);
  const result = await provider.chat(chatRequest, call);
  if (!result.stream) {
    const message = chatCompletionToMessage(result.body, result.body.model);
    // The upstream's own usage when it sent one: it has the reasoning tokens Anthropic's shape has no field for.
    if (result.body.usage === undefined || result.body.usage === null) {
      // No usage from the upstream: estimated from the answer's text (settled-usage.ts), not billed as 0.
      ctx.streamedTokens = answerTokens(result.body);
    } else ctx.usage = usageFromOpenAI(result.body.usage);
    return { kind: 'json', status: 200, body: JSON.stringify(message) };
  }
  return sse(ctx, chatChunksToAnthropicEvents(result.chunks, route.upstreamModel), true);
}

/** `translated`: the events were made from an OpenAI-shaped stream (their message_start has no counts). */
function sse(
  ctx: GatewayContext,
  events: AsyncIterable<StreamItem<AnthropicStreamEvent>>,
  translated: boolean,
): ResponsePlan {
  return {
    kind: 'sse',
    status: 200,
    frames: anthropicFrames(ctx, events, translated),
    errorFrame: anthropicErrorFrame,
  };
}

async function* anthropicFrames(
  ctx: GatewayContext,
  events: AsyncIterable<StreamItem<AnthropicStreamEvent>>,
  translated: boolean,
): AsyncGenerator<string> {
  let input: StreamItem<AnthropicStreamEvent>['data'] | undefined;
  for await (let item of events) {
    const event = item.data;
    ctx.tap?.messages?.(event);
    if (event.type === 'content_block_delta') {
      const delta = event.delta;
      countDelta(
        ctx,
        delta.type === 'text_delta'
          ? delta.text
          : delta.type === 'input_json_delta'
            ? delta.partial_json
            : delta.type === 'thinking_delta'
              ? delta.thinking
              : '',
      );
    } else if (event.type === 'message_start') {
      input = event;
      ctx.usage = usageFromAnthropic(event.message.usage);
      // A translated stream learns the upstream's count only at its end. Clients read input_tokens here (older
      // Anthropic SDKs only here), so they are told the gateway's own count rather than 0; usage and billing
      // still wait for the upstream's (message_delta).
      // Only there: a native stream's 0 is Anthropic's own count (a prompt read wholly from its cache).
      const counted = translated && event.message.usage.input_tokens === 0 ? promptTokensOf(ctx) : 0;
      if (counted > 0) {
        const usage = { ...event.message.usage, input_tokens: counted };
        item = { data: { ...event, message: { ...event.message, usage } }, raw: undefined };
      }
    } else if (event.type === 'message_delta') {
      // message_delta carries cumulative usage; input counts may only be known here (translated streams).
      const start = input?.type === 'message_start' ? input.message.usage : {};
      ctx.usage = usageFromAnthropic({ ...start, ...stripNulls(event.usage) });
      if (ctx.usage.prompt > 0) ctx.usageFinal = true;
      else {
        // No count from the upstream (a self-hosted server that ignores stream_options, an Anthropic-compatible
        // one without usage): a prompt of 0 is no count (settled-usage.ts), and the client, which budgets its
        // context by these numbers, is told the estimate the record carries rather than 0.
        const usage = settleUsage(ctx, true, promptTokensOf(ctx));
        item = {
          data: {
            ...event,
            usage: { ...event.usage, input_tokens: usage.prompt, output_tokens: usage.completion },
          },
          raw: undefined,
        };
      }
    }
    yield anthropicFrame(event.type, item.raw ?? JSON.stringify(item.data));
  }
}

function stripNulls<T extends object>(value: T): Partial<T> {
  const out: Partial<T> = {};
  for (const key of Object.keys(value) as (keyof T)[])
    if (value[key] !== null && value[key] !== undefined) out[key] = value[key];
  return out;
}
