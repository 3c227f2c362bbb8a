// Who is calling: API key, JWT (OIDC) or introspected token, from headers alone, before the body is read
// into anything, so an unauthenticated caller only ever sees 401. The body's user field is added by parse.
import { pickUser, withUser } from '../../auth/identity.js';
import { RefusedCredentialError } from '../../auth/errors.js';
import { quoteUntrusted } from '../../auth/jwt-errors.js';
import { GatewayError } from '../../errors/gateway-error.js';
import type { GatewayMetrics } from '../../observability/gateway-metrics.js';
import { timed } from '../../observability/metrics.js';
import type { Stage } from '../compose.js';
import type { GatewayContext } from '../context.js';

export function authStage(metrics: GatewayMetrics): Stage {
  const observeWait = metrics.stageSeconds.bind({ stage: 'auth' });
  return {
    name: 'auth',
    async run(ctx, next) {
      try {
        ctx.identity = await timed(observeWait, () =>
          ctx.runtime.authenticator.authenticate(ctx.headers, undefined, ctx.signal),
        );
      } catch (error) {
        if (error instanceof RefusedCredentialError) ctx.refusedIdentity = error.identity;
        throw error;
      }
      const origin = ctx.headers['origin'];
      if (origin !== undefined && ctx.identity.method === 'anonymous')
        refuseBrowser(origin, ctx.runtime.config.server.browser_origins);
      return next();
    },
  };
}

/**
 * An anonymous request with an `Origin` header was sent by a web page, and a page needs no preflight for a
 * `text/plain` POST: any site a user visits could make their browser call a gateway on localhost or the
 * intranet, with whatever access that network position gives (anonymous, by default). Refused unless the
 * origin is listed in `server.browser_origins`. Checked on the identity, not on the headers: a browser adds
 * cached Basic credentials, and a proxy may add an Authorization, which the anonymous mode ignores. A request
 * whose credential was verified (a web UI behind a proxy, an Electron app) is left to that credential.
 */
function refuseBrowser(origin: string, allowed: readonly string[]): void {
  if (allowed.includes('*') || allowed.includes(origin)) return;
  throw new GatewayError(
    'forbidden',
    `Requests from web pages are not accepted (Origin ${quoteUntrusted(origin)}); call the gateway from a ` +
      'server, or list the origin in server.browser_origins.',
  );
}

/** The request body's end-user field (chat `user`, Anthropic `metadata.user_id`), used when neither the token
 * nor the user header named one. */
export function applyBodyUser(ctx: GatewayContext): void {
  const identity = ctx.identity;
  const input = ctx.input;
  if (identity === undefined || identity.user !== null || input === undefined) return;
  const body = input.body as { user?: unknown; metadata?: { user_id?: unknown } | null };
  const candidate =
    input.endpoint === 'messages' || input.endpoint === 'count_tokens' ? body.metadata?.user_id : body.user;
  if (typeof candidate === 'string') ctx.identity = withUser(identity, pickUser(candidate));
}
