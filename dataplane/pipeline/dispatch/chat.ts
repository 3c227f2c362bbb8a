// /v1/chat/completions: call the provider and turn its result into the client's JSON or SSE frames.
import { answerTokens, countDelta, generatedText } from './streamed-tokens.js';
import {
  nonFunctionToolParam,
  type ChatChunk,
  type ChatRequest,
  type ChatRequestBody,
} from '../../api/openai-chat.js';
import { GatewayError } from '../../errors/gateway-error.js';
import { passesToolsThrough, type CallOptions, type StreamItem } from '../../providers/types.js';
import type { GatewayContext, ResponsePlan } from '../context.js';
import { promptTokensOf, settleUsage } from '../settled-usage.js';
import { OPENAI_DONE_FRAME, openAIErrorFrame, openAIFrame, usageFromOpenAI } from './frames.js';

export async function dispatchChat(
  ctx: GatewayContext,
  body: ChatRequestBody,
  call: CallOptions,
): Promise<ResponsePlan> {
  const provider = ctx.route!.provider;
  const param = passesToolsThrough(provider.type) ? undefined : nonFunctionToolParam(body);
  if (param !== undefined) {
    throw new GatewayError(
      'unsupported_operation',
      `${param}: this model supports function tools only (custom tools and allowed_tools need an ` +
        'OpenAI-type provider).',
      { param },
    );
  }
  // Past the check, only a provider that forwards tools untouched can see other than function tools.
  const result = await provider.chat(body as ChatRequest, call);
  if (!result.stream) {
    // Some OpenAI-compatible servers send `"usage": null`: the completion is then estimated from the answer's
    // text (as a stream's is from its deltas), and the prompt from the analysis (settled-usage.ts).
    const usage = result.body.usage;
    if (usage !== undefined && usage !== null) ctx.usage = usageFromOpenAI(usage);
    else ctx.streamedTokens = answerTokens(result.body);
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
  let last: ChatChunk | undefined;
  for await (const item of chunks) {
    last = item.data;
    ctx.tap?.chat?.(item.data);
    const usage = item.data.usage;
    if (usage !== undefined && usage !== null) {
      ctx.usage = usageFromOpenAI(usage);
      ctx.usageFinal = true;
      // The usage-only chunk was requested by the gateway, not the client: recorded, not forwarded.
      if (!clientWantsUsage && item.data.choices.length === 0) continue;
    }
    const delta = item.data.choices[0]?.delta;
    if (delta !== undefined) countDelta(ctx, generatedText(delta));
    yield openAIFrame(item.raw ?? JSON.stringify(item.data));
  }
  // A client that asked for usage counts on a last chunk carrying it (OpenAI's documented promise); an upstream
  // that ignores stream_options sends none, so the client gets the estimate the record will carry.
  if (clientWantsUsage && ctx.usageFinal !== true && last !== undefined)
    yield openAIFrame(JSON.stringify(estimatedUsageChunk(ctx, last)));
  yield OPENAI_DONE_FRAME;
}

/** OpenAI's usage-only chunk, with the gateway's estimate (the settled usage of a complete stream). */
function estimatedUsageChunk(ctx: GatewayContext, last: ChatChunk): ChatChunk {
  const usage = settleUsage(ctx, true, promptTokensOf(ctx));
  return {
    id: last.id,
    object: 'chat.completion.chunk',
    created: last.created,
    model: last.model,
    choices: [],
    usage: {
      prompt_tokens: usage.prompt,
      completion_tokens: usage.completion,
      total_tokens: usage.prompt + usage.completion,
    },
  };
}
