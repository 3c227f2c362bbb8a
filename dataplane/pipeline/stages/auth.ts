// Who is calling: API key, JWT (OIDC) or introspected token, from headers alone, before the body is read
// into anything, so an unauthenticated caller only ever sees 401. The body's user field is added by parse.
import { pickUser, withUser } from '../../auth/identity.js';
import type { GatewayMetrics } from '../../observability/gateway-metrics.js';
import { timed } from '../../observability/metrics.js';
import type { Stage } from '../compose.js';
import type { GatewayContext } from '../context.js';

export function authStage(metrics: GatewayMetrics): Stage {
  const observeWait = metrics.stageSeconds.bind({ stage: 'auth' });
  return {
    name: 'auth',
    async run(ctx, next) {
      ctx.identity = await timed(observeWait, () =>
        ctx.runtime.authenticator.authenticate(ctx.headers, undefined, ctx.signal),
      );
      return next();
    },
  };
}

/** The request body's end-user field (chat `user`, Anthropic `metadata.user_id`), used when neither the token
 * nor the user header named one. */
export function applyBodyUser(ctx: GatewayContext): void {
  const identity = ctx.identity;
  const input = ctx.input;
  if (identity === undefined || identity.user !== null || input === undefined) return;
  const body = input.body as { user?: unknown; metadata?: { user_id?: unknown } | null };
  const candidate = input.endpoint === 'messages' ? body.metadata?.user_id : body.user;
  if (typeof candidate === 'string') ctx.identity = withUser(identity, pickUser(candidate));
}
