// GET /v1/budgets (the caller's own budgets) and GET /admin/usage (any team/app/user; admin role).
import { requireRole } from '../../auth/index.js';
import type { Identity } from '../../auth/identity.js';
import { GatewayError } from '../../errors/gateway-error.js';
import type { Limiter } from '../../limits/limiter.js';
import type { Stage } from '../compose.js';

export function ownBudgetsStage(deps: { limiter: Limiter }): Stage {
  return {
    name: 'budgets',
    async run(ctx) {
      const identity = ctx.identity;
      const budgets = await deps.limiter.usage(ctx.runtime.scopes(identity));
      const body = {
        object: 'budgets',
        identity:
          identity === undefined
            ? null
            : { team: identity.team, app: identity.app, user: identity.user, key_id: identity.keyId },
        data: budgets,
      };
      ctx.response = { kind: 'json', status: 200, body: JSON.stringify(body) };
    },
  };
}

/**
 * `?team=acme&app=web&user=u1` narrows the report; without a team, every configured team and app is listed
 * (with `app` alone, the teams that have such an app, with that app).
 */
export function adminUsageStage(deps: { limiter: Limiter }): Stage {
  return {
    name: 'admin-usage',
    async run(ctx) {
      requireRole(ctx.identity!, 'admin');
      const query = new URLSearchParams(ctx.path.split('?')[1] ?? '');
      const team = query.get('team');
      const app = query.get('app');
      const user = query.get('user');
      const teams = ctx.runtime.config.teams;
      // Own keys only: `constructor` or `__proto__` is not a team.
      if (team !== null && !Object.hasOwn(teams, team))
        throw new GatewayError('not_found', `Unknown team '${team}'.`);
      // An unknown app is as much a typo as an unknown team: a 404, not an empty report that reads as "no usage".
      if (
        app !== null &&
        !Object.entries(teams).some(([id, t]) => (team === null || id === team) && Object.hasOwn(t.apps, app))
      )
        throw new GatewayError(
          'not_found',
          `Unknown app '${app}'${team === null ? '' : ` of team '${team}'`}.`,
        );
      const identities: Identity[] = [];
      for (const [teamId, teamConfig] of Object.entries(teams)) {
        if (team !== null && teamId !== team) continue;
        // `?app=web` alone: the teams that have an app of that name, not every team's own rows.
        if (app !== null && !Object.hasOwn(teamConfig.apps, app)) continue;
        const base = {
          keyId: null,
          roles: [],
          method: 'anonymous' as const,
          allowedModels: ctx.identity!.allowedModels,
        };
        identities.push({ ...base, team: teamId, app: null, user: null });
        for (const [appId, appConfig] of Object.entries(teamConfig.apps)) {
          if (app !== null && appId !== app) continue;
          identities.push({ ...base, team: teamId, app: appId, user });
          // Keys with budgets of their own (the duplicates of the app's rows are skipped below).
          for (const key of appConfig.keys) {
            if (key.limits !== undefined)
              identities.push({ ...base, keyId: key.id, team: teamId, app: appId, user });
          }
        }
      }
      const seen = new Set<string>();
      const data = [];
      for (const identity of identities) {
        for (const row of await deps.limiter.usage(ctx.runtime.scopes(identity))) {
          const key = `${row.scope}\u0001${row.unit}\u0001${row.period}`;
          if (seen.has(key) || (row.scope === 'global' && team !== null)) continue;
          seen.add(key);
          data.push(row);
        }
      }
      ctx.response = { kind: 'json', status: 200, body: JSON.stringify({ object: 'usage', data }) };
    },
  };
}
