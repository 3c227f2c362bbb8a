// Starts the embedding a semantic cache lookup will need before the analysis and limit stages run, so the
// embeddings worker works while the request waits for the analysis worker and Redis; the cache stage's lookup
// then finds it done or joins it. Only when an embeddings worker is idle (ResponseCache.prefetch): under load
// nothing is started, and a request that its limits then refuse, or that the exact layer answers, costs idle
// time only.
import type { ResponseCache } from '../../cache/response-cache.js';
import type { Stage } from '../compose.js';
import { cacheView } from './cache.js';

export function cachePrefetchStage(deps: { cache: ResponseCache | undefined }): Stage {
  const { cache } = deps;
  return {
    name: 'cache-prefetch',
    run(ctx, next) {
      // Decides the request's cache view and policy once; the cache stage reads them from the context.
      const view = cache === undefined ? undefined : cacheView(ctx, cache);
      if (view !== undefined) cache!.prefetch(ctx.runtime.config.cache, view.policyInput, view.policy);
      return next();
    },
  };
}
