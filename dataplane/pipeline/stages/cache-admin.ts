// DELETE /admin/cache (admin role): purge cached answers of one tenant, one model, or both.
// `?tenant=acme/search` names the tenant as the cache keys it (team/app, or team with scope: team);
// `?team=acme&app=search` says the same; `&model=gpt-4o` narrows to one routed model.
import { tenantOf } from '../../cache/tenant.js';
import { requireRole } from '../../auth/index.js';
import type { ResponseCache } from '../../cache/response-cache.js';
import { GatewayError } from '../../errors/gateway-error.js';
import type { Stage } from '../compose.js';

const PURGE_PARAMETERS = ['tenant', 'team', 'app', 'model'];

const bad = (param: string, message: string) => new GatewayError('invalid_request', message, { param });

/**
 * What a purge names, from its query: `tenant` as the cache keys it, or `team` (and `app` with scope app),
 * and/or `model`. Anything ambiguous is a 400 rather than a purge of something else, or of nothing while
 * answering 200: an empty value, a tenant named both ways, an app without its team, a tenant of the other
 * scope's form.
 */
export function purgeTarget(
  query: URLSearchParams,
  scope: 'app' | 'team',
): { tenant?: string; model?: string } {
  // A misspelt parameter (`tenat=`) would otherwise widen the purge to what the others name, every tenant.
  for (const name of new Set(query.keys())) {
    if (!PURGE_PARAMETERS.includes(name))
      throw bad(
        name.slice(0, 40),
        `Unknown parameter '${name.slice(0, 40)}': name tenant, team, app or model.`,
      );
  }
  for (const name of PURGE_PARAMETERS) {
    const values = query.getAll(name);
    if (values.length > 1) throw bad(name, `Name ${name} once.`);
    if (values[0]?.trim() === '') throw bad(name, `${name} is empty.`);
  }
  const team = query.get('team');
  const app = query.get('app');
  let tenant = query.get('tenant') ?? undefined;
  if (tenant !== undefined && (team !== null || app !== null))
    throw bad('tenant', 'Name the tenant either as tenant=… or as team=… (and app=…), not both.');
  if (app !== null && team === null) throw bad('team', 'Name the team of the app too (team=...).');
  if (scope === 'team' && app !== null)
    throw bad('app', 'With cache scope "team", entries belong to teams: name the team only.');
  if (team !== null) {
    if (scope === 'app' && app === null)
      throw bad('app', 'With cache scope "app", name the app too (app=...).');
    tenant = scope === 'app' ? tenantOf(team, app) : tenantOf(team);
  } else if (tenant !== undefined) {
    // Tenants are `team/app` under scope app and `team` under scope team (`-` for anonymous parts; a `/` in
    // a name is percent-encoded, so a raw `/` always separates).
    const parts = tenant.split('/').length;
    if (scope === 'app' && parts !== 2)
      throw bad('tenant', 'With cache scope "app", a tenant is team/app (e.g. tenant=acme/search).');
    if (scope === 'team' && parts !== 1)
      throw bad('tenant', 'With cache scope "team", a tenant is a team (e.g. tenant=acme).');
  }
  const model = query.get('model') ?? undefined;
  if (tenant === undefined && model === undefined)
    throw bad('tenant', 'Name what to purge: tenant (or team and app), model, or both.');
  return { ...(tenant === undefined ? {} : { tenant }), ...(model === undefined ? {} : { model }) };
}

export function cachePurgeStage(deps: { cache: ResponseCache | undefined }): Stage {
  return {
    name: 'cache-purge',
    async run(ctx) {
      requireRole(ctx.identity!, 'admin');
      const { tenant, model } = purgeTarget(
        new URLSearchParams(ctx.path.split('?')[1] ?? ''),
        ctx.runtime.config.cache.scope,
      );
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
