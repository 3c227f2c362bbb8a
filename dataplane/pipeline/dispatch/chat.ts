// /v1/chat/completions: call the provider and turn its result into the client's JSON or SSE frames.
import { estimateTokens } from './streamed-tokens.js';
import type { ChatChunk, ChatRequest } from '../../api/openai-chat.js';
import type { CallOptions, StreamItem } from '../../providers/types.js';
import type { GatewayContext, ResponsePlan } from '../context.js';
import { OPENAI_DONE_FRAME, openAIErrorFrame, openAIFrame, usageFromOpenAI } from './frames.js';

export async function dispatchChat(
  ctx: GatewayContext,
  body: ChatRequest,
  call: CallOptions,
): Promise<ResponsePlan> {
  const result = await ctx.route!.provider.chat(body, call);
  if (!result.stream) {
    if (result.body.usage !== undefined) ctx.usage = usageFromOpenAI(result.body.usage);
    return { kind: 'json', status: 200, body: result.raw ?? JSON.stringify(result.body) };
  }
  const clientWantsUsage = body.stream_options?.include_usage === true;
  return {
    kind: 'sse',
    status: 200,
    frames: openAIFrames(ctx, result.chunks, clientWantsUsage),
    errorFrame: openAIErrorFrame,
  };
}

async function* openAIFrames(
  ctx: GatewayContext,
  chunks: AsyncIterable<StreamItem<ChatChunk>>,
  clientWantsUsage: boolean,
): AsyncGenerator<string> {
  for await (const item of chunks) {
    ctx.tap?.chat?.(item.data);
    const usage = item.data.usage;
    if (usage !== undefined && usage !== null) {
      ctx.usage = usageFromOpenAI(usage);
      // The usage-only chunk was requested by the gateway, not the client: recorded, not forwarded.
      if (!clientWantsUsage && item.data.choices.length === 0) continue;
    }
    const delta = item.data.choices[0]?.delta;
    if (delta !== undefined) {
      if (delta.content) ctx.streamedTokens += estimateTokens(delta.content);
      if (delta.refusal) ctx.streamedTokens += estimateTokens(delta.refusal);
      for (const call of delta.tool_calls ?? []) {
        const fn = call.function;
        if (fn !== undefined) ctx.streamedTokens += estimateTokens((fn.name ?? '') + (fn.arguments ?? ''));
      }
    }
    yield openAIFrame(item.raw ?? JSON.stringify(item.data));
  }
  yield OPENAI_DONE_FRAME;
}
