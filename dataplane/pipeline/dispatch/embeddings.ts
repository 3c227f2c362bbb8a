// /v1/embeddings: pass-through to providers that have an embeddings API.
import type { EmbeddingsRequest } from '../../api/embeddings.js';
import { GatewayError } from '../../errors/gateway-error.js';
import type { CallOptions } from '../../providers/types.js';
import { NO_USAGE, type GatewayContext, type ResponsePlan } from '../context.js';
import { tokenCount } from './frames.js';

export async function dispatchEmbeddings(
  ctx: GatewayContext,
  body: EmbeddingsRequest,
  call: CallOptions,
): Promise<ResponsePlan> {
  const provider = ctx.route!.provider;
  if (provider.embeddings === undefined) {
    throw new GatewayError('unsupported_operation', `Provider '${provider.id}' has no embeddings API.`, {
      param: 'model',
    });
  }
  const result = await provider.embeddings(body, call);
  // Checked as the chat path checks its counts: a string, negative or fractional count from a non-conforming
  // server is no count (estimated instead), never a string added to a metric or a refund to a budget.
  ctx.usage = { ...NO_USAGE, prompt: tokenCount(result.body.usage?.prompt_tokens) };
  return { kind: 'json', status: 200, body: result.raw ?? JSON.stringify(result.body) };
}
