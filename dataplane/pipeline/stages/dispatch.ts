// Calls the routed provider and leaves a response plan on the context for the respond stage to write.
import { performance } from 'node:perf_hooks';
import type { CallOptions } from '../../providers/types.js';
import type { Stage } from '../compose.js';
import type { GatewayContext } from '../context.js';
import { dispatchChat } from '../dispatch/chat.js';
import { capChatCompletion, capMessagesCompletion } from '../dispatch/completion-cap.js';
import { dispatchEmbeddings } from '../dispatch/embeddings.js';
import { dispatchMessages } from '../dispatch/messages.js';

export function dispatchStage(): Stage {
  return {
    name: 'dispatch',
    async run(ctx, next) {
      const input = ctx.input;
      const route = ctx.route;
      if (input === undefined || route === undefined) return next();
      const call = callOptions(ctx);
      const cap = route.config.max_output_tokens;
      ctx.timings.upstreamStart = performance.now();
      switch (input.endpoint) {
        case 'chat': {
          const body = capChatCompletion(input.body, cap, route.provider);
          const limit = body.max_completion_tokens ?? body.max_tokens;
          if (typeof limit === 'number')
            ctx.completionCap = limit * (typeof body.n === 'number' ? body.n : 1);
          ctx.response = await dispatchChat(ctx, body, call);
          break;
        }
        case 'messages': {
          const body = capMessagesCompletion(input.body, cap);
          ctx.completionCap = body.max_tokens;
          ctx.response = await dispatchMessages(ctx, body, call);
          break;
        }
        case 'embeddings':
          ctx.response = await dispatchEmbeddings(ctx, input.body, call);
          break;
      }
      if (ctx.response?.kind === 'json') ctx.timings.upstreamEnd = performance.now();
      return next();
    },
  };
}

/** What a provider call needs of the request (also the count-tokens stage's upstream call). */
export function callOptions(ctx: GatewayContext): CallOptions {
  return {
    signal: ctx.signal,
    requestId: ctx.id,
    model: ctx.route!,
    // Betas are Anthropic's, asked for on its routes.
    ...((ctx.endpoint === 'messages' || ctx.endpoint === 'count_tokens') &&
    ctx.headers['anthropic-beta'] !== undefined
      ? { anthropicBeta: ctx.headers['anthropic-beta'] }
      : {}),
    onUpstreamHeaders: (status) => {
      ctx.timings.upstreamHeaders = performance.now();
      ctx.upstreamStatus = status;
    },
  };
}
