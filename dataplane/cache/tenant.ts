// The tenant a cache entry belongs to: entries are never shared across tenants, whatever the prompt.
import type { Identity } from '../auth/identity.js';

/** `team/app` (scope app) or `team` (scope team); `-` stands for a missing part (anonymous access). */
export function cacheTenant(identity: Identity | undefined, scope: 'app' | 'team'): string {
  const team = identity?.team ?? '-';
  return scope === 'team' ? team : `${team}/${identity?.app ?? '-'}`;
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
