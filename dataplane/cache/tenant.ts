// The tenant a cache entry belongs to: entries are never shared across tenants, whatever the prompt.
import type { Identity } from '../auth/identity.js';

/**
 * One part of a `/`-joined id (a tenant, a limit scope): `%` and `/` are percent-encoded, so that team `a` with
 * app `b/c` and team `a/b` with app `c` (or a user id with a `/` in it) can never name the same tenant or
 * counter. Names without those characters are unchanged.
 */
export function idPart(name: string): string {
  // A name that is `-` itself would be the anonymous part (see cacheTenant).
  if (name === '-') return '%2D';
  return name.includes('/') || name.includes('%') ? name.replace(/%/g, '%25').replace(/\//g, '%2F') : name;
}

/** `team/app` (scope app) or `team` (scope team); `-` stands for a missing part (anonymous access). */
export function cacheTenant(identity: Identity | undefined, scope: 'app' | 'team'): string {
  return tenantOf(identity?.team ?? null, scope === 'team' ? undefined : (identity?.app ?? null));
}

/** The tenant of a team (scope team: `app` undefined) or of a team's app; null parts are `-`. */
export function tenantOf(team: string | null, app?: string | null): string {
  const t = team === null ? '-' : idPart(team);
  return app === undefined ? t : `${t}/${app === null ? '-' : idPart(app)}`;
}

/**
 * A tenant or model id as a Redis key segment: letters, digits and `._-/` stay, anything else (including
 * the glob characters a purge's SCAN pattern would interpret, and the `:` separator) is percent-encoded.
 */
export function keySegment(id: string): string {
  return id.replace(/[^A-Za-z0-9._\-/]/g, (c) =>
    [...Buffer.from(c, 'utf8')].map((b) => `%${b.toString(16).toUpperCase().padStart(2, '0')}`).join(''),
  );
}
