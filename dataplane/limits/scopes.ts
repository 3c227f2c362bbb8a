// Which limit scopes a request belongs to: global, team, app, key and user (each when configured). Static
// scopes are resolved once per (team, app, key) and reused; only a named user adds a per-request scope.
import { idPart } from '../cache/tenant.js';
import type { Identity } from '../auth/identity.js';
import type { LimitScope } from './limiter.js';
import type { LimitSpec } from './schema.js';

interface AppSource {
  readonly limits?: LimitSpec | undefined;
  readonly user_limits?: LimitSpec | undefined;
  readonly keys?: readonly { readonly id: string; readonly limits?: LimitSpec | undefined }[];
}

export interface ScopeSource {
  readonly global?: LimitSpec | undefined;
  readonly teams: Readonly<
    Record<
      string,
      {
        readonly limits?: LimitSpec | undefined;
        readonly user_limits?: LimitSpec | undefined;
        readonly apps?: Readonly<Record<string, AppSource>>;
      }
    >
  >;
}

export function createScopeResolver(
  source: ScopeSource,
): (identity: Identity | undefined) => readonly LimitScope[] {
  const cache = new Map<
    string,
    { scopes: readonly LimitScope[]; userSpec: LimitSpec | undefined; userPrefix: string; userOf: string }
  >();
  const globalScope: LimitScope[] =
    source.global === undefined
      ? []
      : [{ id: 'global', label: 'the gateway (global limit)', spec: source.global }];

  const resolve = (team: string | null, app: string | null, keyId: string | null) => {
    const cacheKey = `${team ?? ''}\u0001${app ?? ''}\u0001${keyId ?? ''}`;
    let entry = cache.get(cacheKey);
    if (entry !== undefined) return entry;
    const scopes: LimitScope[] = [];
    const teamConfig = team === null ? undefined : source.teams[team];
    const appConfig = app === null ? undefined : teamConfig?.apps?.[app];
    const keyConfig = keyId === null ? undefined : appConfig?.keys?.find((k) => k.id === keyId);
    if (keyConfig?.limits !== undefined) {
      scopes.push({
        id: `key:${idPart(team!)}/${idPart(app!)}/${idPart(keyId!)}`,
        label: `key '${keyId}' of app '${app}'`,
        spec: keyConfig.limits,
      });
    }
    if (appConfig?.limits !== undefined) {
      scopes.push({
        id: `app:${idPart(team!)}/${idPart(app!)}`,
        label: `app '${app}' of team '${team}'`,
        spec: appConfig.limits,
      });
    }
    if (teamConfig?.limits !== undefined)
      scopes.push({ id: `team:${idPart(team!)}`, label: `team '${team}'`, spec: teamConfig.limits });
    scopes.push(...globalScope);
    const userSpec = appConfig?.user_limits ?? teamConfig?.user_limits;
    const userPrefix =
      appConfig?.user_limits !== undefined
        ? `user:${idPart(String(team))}/${idPart(String(app))}/`
        : `user:${idPart(String(team))}/`;
    // Whose users: the app's own user_limits, or the team's for all its apps.
    const userOf =
      appConfig?.user_limits !== undefined ? ` of app '${app}' (team '${team}')` : ` of team '${team}'`;
    entry = { scopes, userSpec, userPrefix, userOf };
    cache.set(cacheKey, entry);
    return entry;
  };

  return (identity) => {
    if (identity === undefined) return globalScope;
    const entry = resolve(identity.team, identity.app, identity.keyId);
    if (identity.user === null || entry.userSpec === undefined) return entry.scopes;
    return [
      {
        id: entry.userPrefix + idPart(identity.user),
        label: `user '${identity.user}'${entry.userOf}`,
        spec: entry.userSpec,
      },
      ...entry.scopes,
    ];
  };
}
