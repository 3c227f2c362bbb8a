// DELETE /admin/cache (admin role): purge cached answers of one tenant, one model, or both.
// `?tenant=acme/search` names the tenant as the cache keys it (team/app, or team with scope: team);
// `?team=acme&app=search` says the same; `&model=gpt-4o` narrows to one routed model.
import { tenantOf } from '../../cache/tenant.js';
import { requireRole } from '../../auth/index.js';
import type { ResponseCache } from '../../cache/response-cache.js';
import { GatewayError } from '../../errors/gateway-error.js';
import type { Stage } from '../compose.js';

export function cachePurgeStage(deps: { cache: ResponseCache | undefined }): Stage {
  return {
    name: 'cache-purge',
    async run(ctx) {
      requireRole(ctx.identity!, 'admin');
      const query = new URLSearchParams(ctx.path.split('?')[1] ?? '');
      const scope = ctx.runtime.config.cache.scope;
      const team = query.get('team');
      const app = query.get('app');
      let tenant = query.get('tenant') ?? undefined;
      if (tenant === undefined && team !== null) {
        if (scope === 'app' && app === null) {
          throw new GatewayError('invalid_request', 'With cache scope "app", name the app too (app=...).', {
            param: 'app',
          });
        }
        tenant = scope === 'app' ? tenantOf(team, app) : tenantOf(team);
      }
      const model = query.get('model') ?? undefined;
      if (tenant === undefined && model === undefined) {
        throw new GatewayError(
          'invalid_request',
          'Name what to purge: tenant (or team and app), model, or both.',
          {
            param: 'tenant',
          },
        );
      }
      let deleted = 0;
      if (deps.cache !== undefined) {
        try {
          deleted = await deps.cache.purge({
            ...(tenant === undefined ? {} : { tenant }),
            ...(model === undefined ? {} : { model }),
          });
        } catch (error) {
          // Redis away or too slow: the purge did not (fully) happen, and saying so is the answer.
          throw new GatewayError('cache_unavailable', undefined, {
            headers: { 'retry-after': '1' },
            cause: error,
          });
        }
      }
      const body = { object: 'cache.purge', tenant: tenant ?? null, model: model ?? null, deleted };
      ctx.response = { kind: 'json', status: 200, body: JSON.stringify(body) };
    },
  };
}
