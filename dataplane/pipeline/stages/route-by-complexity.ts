// For a request that named a complexity router: takes the target the analysis chose (analysis.routing) as the
// request's route, before limits reserve its tokens at its prices, the cache looks up the target's entries and
// prices what a hit avoided, and dispatch calls it.
import type { GatewayMetrics } from '../../observability/gateway-metrics.js';
import type { Stage } from '../compose.js';

/** Names the target in every answer to a router's request, hit or not, so clients can see where it went. */
export const ROUTED_MODEL_HEADER = 'x-gateway-routed-model';

export function routeByComplexityStage(deps: { metrics: GatewayMetrics }): Stage {
  const { metrics } = deps;
  return {
    name: 'route-by-complexity',
    run(ctx, next) {
      const router = ctx.router;
      if (router === undefined) return next();
      // The analyze stage runs for every router's request (whatever analysis.enabled says) and always
      // returns a choice for one: its absence is a defect, not a request to serve at random.
      const routing = ctx.analysis?.routing;
      if (routing === undefined) throw new Error(`router '${router.id}': the analysis returned no routing`);
      ctx.route = router.targets[routing.class];
      ctx.routeReason = `complexity:${routing.class}`;
      ctx.responseHeaders[ROUTED_MODEL_HEADER] = ctx.route.id;
      // Requests sent on, not the dry runs of /v1/analyze and /v1/messages/count_tokens.
      if (ctx.endpoint !== 'analyze' && ctx.endpoint !== 'count_tokens')
        metrics.routedRequests.inc({ router: router.id, class: routing.class, model: ctx.route.id });
      return next();
    },
  };
}
