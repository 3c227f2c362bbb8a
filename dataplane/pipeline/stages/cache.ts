// Exact and semantic cache: serves a hit (JSON as stored, or replayed as SSE when the request streams),
// and on a miss taps the answer on its way to the client and stores it once it completed. Sets
// x-gateway-cache (miss | exact | semantic) and x-gateway-cache-similarity. Never fails a request.
import { isDefinitionPath } from '../../analysis/extract.js';
import type { AnthropicMessage } from '../../api/anthropic-messages.js';
import type { ChatCompletion } from '../../api/openai-chat.js';
import {
  ChatStreamAccumulator,
  MessagesStreamAccumulator,
  cacheableChatCompletion,
  cacheableMessage,
} from '../../cache/accumulate.js';
import type { CacheableEndpoint, CachedAnswer } from '../../cache/answer.js';
import { replayChatFrames, replayMessagesFrames } from '../../cache/replay.js';
import type { Lookup, ResponseCache } from '../../cache/response-cache.js';
import type { GatewayMetrics } from '../../observability/gateway-metrics.js';
import { timed } from '../../observability/metrics.js';
import { costNanoUsd } from '../../pricing/cost.js';
import type { Stage } from '../compose.js';
import type { CacheView, GatewayContext, ResponsePlan } from '../context.js';
import { anthropicErrorFrame, openAIErrorFrame } from '../dispatch/frames.js';

export function cacheStage(deps: { cache: ResponseCache | undefined; metrics: GatewayMetrics }): Stage {
  const { cache, metrics } = deps;
  const observeWait = metrics.stageSeconds.bind({ stage: 'cache' });
  return {
    name: 'cache',
    async run(ctx, next) {
      const request = cache === undefined ? undefined : cacheView(ctx, cache);
      if (cache === undefined || request === undefined) return next();
      const { endpoint, body, policy } = request;
      // The route now, not the view's: a router's target is chosen after the view was made.
      const route = ctx.route!;
      // Most traffic is sampled (temperature above the bound) or opted out: no lookup, no wait to time.
      if (!policy.lookup && !policy.store) {
        metrics.cacheLookups.inc({ result: 'skipped' });
        return next();
      }
      const config = ctx.runtime.config.cache;
      const lookup = await timed(observeWait, () =>
        cache.lookup(config, {
          ...request.policyInput,
          // Keyed by the model that answers: a router's request shares entries with requests naming its
          // target, and never gets an answer another target gave (after a reload that changed the router,
          // or for a paraphrase the router sends elsewhere).
          modelId: route.id,
          piiFindings: conversationPii(ctx.analysis?.pii),
          signal: ctx.signal,
          policy,
        }),
      );
      if (lookup === undefined) return next();
      const streaming = body.stream === true;
      const hit = lookup.hit;
      // An entry that cannot be replayed (corrupted, or written by an incompatible version) is a miss.
      const plan = hit === undefined ? undefined : hitPlan(endpoint, hit.answer, streaming, body);
      if (hit !== undefined && plan !== undefined) {
        const similarity = hit.similarity ?? null;
        ctx.cache = {
          status: hit.layer,
          similarity,
          costAvoidedNano: costNanoUsd(hit.answer.usage, route.config.pricing),
        };
        ctx.responseHeaders['x-gateway-cache'] = hit.layer;
        if (similarity !== null) ctx.responseHeaders['x-gateway-cache-similarity'] = similarity.toFixed(4);
        ctx.response = plan;
        return;
      }
      ctx.cache = { status: 'miss', similarity: lookup.nearest ?? null, costAvoidedNano: 0 };
      ctx.responseHeaders['x-gateway-cache'] = 'miss';
      if (!lookup.policy.store) return next();
      let stored = false;
      try {
        const accumulator = streaming ? tapStream(ctx, endpoint) : undefined;
        await next();
        const plan = ctx.response;
        if (plan?.kind === 'json') {
          stored = true;
          // After the respond stage has written the answer: parsing and storing it is not the client's wait.
          const body = plan.body;
          setImmediate(() => storeJson(ctx, cache, lookup, endpoint, body));
        } else if (plan?.kind === 'sse' && accumulator !== undefined) {
          stored = true;
          ctx.response = {
            ...plan,
            frames: storedWhenComplete(ctx, cache, lookup, endpoint, plan.frames, accumulator),
          };
        }
      } finally {
        // Failed before an answer: whoever waits for this request's answer calls upstream itself.
        if (!stored) lookup.release?.(undefined);
      }
    },
  };
}

/**
 * What the cache sees of a request (endpoint, body, route, the policy's input without the PII count the
 * analysis gives later) and its policy with PII taken as none; undefined when the cache does not apply (off,
 * embeddings). Decided once per request and kept on the context: cache-prefetch and cache both ask.
 */
export function cacheView(ctx: GatewayContext, cache: ResponseCache): CacheView | undefined {
  if (ctx.cacheView !== undefined) return ctx.cacheView ?? undefined;
  const input = ctx.input;
  const route = ctx.route;
  const config = ctx.runtime.config.cache;
  // Before routing (a request refused earlier) nothing is decided yet: asked again later, if ever.
  if (!config.enabled || input === undefined || route === undefined) return undefined;
  // Embeddings and token counts are not cached (a count costs less than a lookup).
  if (input.endpoint === 'embeddings' || input.endpoint === 'count_tokens') {
    ctx.cacheView = null;
    return undefined;
  }
  const endpoint: CacheableEndpoint = input.endpoint;
  const body = input.body as unknown as Readonly<Record<string, unknown>>;
  // Betas a Messages request asks for are forwarded to Anthropic and change its answer: they are part of
  // the key (as a field no body has), so answers with and without one are kept apart, coalescing too.
  const beta = endpoint === 'messages' ? ctx.headers['anthropic-beta'] : undefined;
  const policyInput = {
    endpoint,
    // The policy (`cache.models`) is decided by the id the client sent: for a router's request, its target
    // is not chosen yet when the prefetch asks. Entries are keyed by the chosen model (the cache stage).
    modelId: ctx.router?.id ?? route.id,
    body: beta === undefined ? body : { ...body, 'anthropic-beta': beta },
    identity: ctx.identity,
    cacheControl: ctx.headers['cache-control'],
    pragma: ctx.headers['pragma'],
  };
  const view: CacheView = { endpoint, body, policyInput, policy: cache.policy(config, policyInput) };
  ctx.cacheView = view;
  return view;
}

function hitPlan(
  endpoint: CacheableEndpoint,
  answer: CachedAnswer,
  streaming: boolean,
  body: Readonly<Record<string, unknown>>,
): ResponsePlan | undefined {
  try {
    return replayPlan(endpoint, answer, streaming, body);
  } catch {
    return undefined;
  }
}

function replayPlan(
  endpoint: CacheableEndpoint,
  answer: CachedAnswer,
  streaming: boolean,
  body: Readonly<Record<string, unknown>>,
): ResponsePlan {
  if (!streaming) return { kind: 'json', status: 200, body: answer.body };
  if (endpoint === 'chat') {
    const options = body.stream_options as { include_usage?: boolean } | null | undefined;
    const frames = replayChatFrames(JSON.parse(answer.body) as ChatCompletion, {
      includeUsage: options?.include_usage === true,
    });
    return { kind: 'sse', status: 200, frames: iterate(frames), errorFrame: openAIErrorFrame };
  }
  const frames = replayMessagesFrames(JSON.parse(answer.body) as AnthropicMessage);
  return { kind: 'sse', status: 200, frames: iterate(frames), errorFrame: anthropicErrorFrame };
}

async function* iterate(frames: readonly string[]): AsyncGenerator<string> {
  yield* frames;
}

interface Accumulating {
  result(): ChatCompletion | AnthropicMessage | undefined;
}

function tapStream(ctx: GatewayContext, endpoint: CacheableEndpoint): Accumulating {
  if (endpoint === 'chat') {
    const acc = new ChatStreamAccumulator();
    ctx.tap = { chat: (chunk) => acc.add(chunk) };
    return acc;
  }
  const acc = new MessagesStreamAccumulator();
  ctx.tap = { messages: (event) => acc.add(event) };
  return acc;
}

function answerOf(ctx: GatewayContext, endpoint: CacheableEndpoint, body: string): CachedAnswer | undefined {
  const usage = ctx.usage;
  if (usage === undefined) return undefined;
  return { endpoint, body, usage, storedAt: Date.now() };
}

/**
 * Stores what `build` makes of the answer, or releases the requests coalesced behind this one when it makes
 * nothing. Runs after the answer was written; a failure here must neither reach the client nor leave
 * followers waiting.
 */
function settle(cache: ResponseCache, lookup: Lookup, build: () => CachedAnswer | undefined) {
  let answer: CachedAnswer | undefined;
  try {
    answer = build();
  } catch {
    answer = undefined;
  }
  if (answer === undefined) lookup.release?.(undefined);
  else cache.store(lookup, answer);
}

function storeJson(
  ctx: GatewayContext,
  cache: ResponseCache,
  lookup: Lookup,
  endpoint: CacheableEndpoint,
  text: string,
) {
  settle(cache, lookup, () => {
    if (Buffer.byteLength(text) > lookup.config.max_entry_bytes) return undefined;
    const parsed = JSON.parse(text) as ChatCompletion | AnthropicMessage;
    const ok =
      endpoint === 'chat'
        ? cacheableChatCompletion(parsed as ChatCompletion)
        : cacheableMessage(parsed as AnthropicMessage);
    return ok ? answerOf(ctx, endpoint, text) : undefined;
  });
}

/** Passes frames on; stores the accumulated answer only when the whole stream reached the client. */
async function* storedWhenComplete(
  ctx: GatewayContext,
  cache: ResponseCache,
  lookup: Lookup,
  endpoint: CacheableEndpoint,
  frames: AsyncIterable<string>,
  accumulator: Accumulating,
): AsyncGenerator<string> {
  let complete = false;
  try {
    yield* frames;
    complete = true;
  } finally {
    // The stream's end is still to be written when this runs: the store waits until it has been.
    setImmediate(() =>
      settle(cache, lookup, () => {
        const result = complete ? accumulator.result() : undefined;
        return result === undefined ? undefined : answerOf(ctx, endpoint, JSON.stringify(result));
      }),
    );
  }
}

/**
 * PII findings of the conversation, which keep a request out of the semantic cache (its answer may hold the
 * user's data). Findings in the application's tool and schema definitions do not: they are the same for every
 * user (a support address in a tool description), and counting them would keep all of that app's traffic out.
 */
function conversationPii(findings: readonly { path: string }[] | undefined): number | undefined {
  if (findings === undefined) return undefined;
  let count = 0;
  for (const finding of findings) if (!isDefinitionPath(finding.path)) count++;
  return count;
}
