// API key lookup, the hot path: one SHA-256 of the presented key, one Map lookup on a prefix of the digest,
// then a constant-time comparison of the whole digest. The key itself is never stored or compared.
import { timingSafeEqual } from 'node:crypto';
import type { TeamsConfig } from '../config/auth-schema.js';
import type { Directory } from './directory.js';
import { RefusedCredentialError } from './errors.js';
import { hashKeyBytes } from './key-hash.js';
import { mergeRoles, type Identity } from './identity.js';

interface KeyEntry {
  readonly digest: Buffer;
  /** Epoch milliseconds; Infinity when the key does not expire. */
  readonly expiresAt: number;
  /** The identity this key grants, without a user (shared across requests). */
  readonly identity: Identity;
}

export interface KeyIndex {
  readonly size: number;
  /**
   * The key's identity, undefined when no configured key matches; throws a 401-kind error when the key
   * matches but has expired.
   */
  lookup(key: string, now: number): Identity | undefined;
}

// The Map is keyed by the digest's first 4 bytes as a number: no string is built per request, and the lookup
// sees only bits of a hash, which say nothing about the key. Buckets hold colliding keys.
const bucketOf = (digest: Buffer): number => digest.readUInt32BE(0);

export function createKeyIndex(teams: TeamsConfig, directory: Directory): KeyIndex {
  const buckets = new Map<number, KeyEntry[]>();
  let size = 0;
  for (const [teamId, team] of Object.entries(teams)) {
    const teamEntry = directory.team(teamId)!;
    for (const [appId, app] of Object.entries(team.apps)) {
      for (const key of app.keys) {
        const digest = Buffer.from(key.sha256, 'hex');
        const identity: Identity = Object.freeze({
          team: teamId,
          app: appId,
          user: null,
          keyId: key.id,
          roles: mergeRoles(teamEntry.roles, key.roles),
          method: 'api_key',
          allowedModels: teamEntry.apps.get(appId)!,
        });
        const entry = Object.freeze({
          digest,
          expiresAt: key.expires_at === undefined ? Infinity : Date.parse(key.expires_at),
          identity,
        });
        const bucket = buckets.get(bucketOf(digest));
        if (bucket === undefined) buckets.set(bucketOf(digest), [entry]);
        else bucket.push(entry);
        size += 1;
      }
    }
  }

  return {
    size,
    lookup(key, now) {
      const digest = hashKeyBytes(key);
      const bucket = buckets.get(bucketOf(digest));
      if (bucket === undefined) return undefined;
      for (const entry of bucket) {
        if (!timingSafeEqual(entry.digest, digest)) continue;
        if (now >= entry.expiresAt) {
          throw new RefusedCredentialError(`API key '${entry.identity.keyId}' has expired.`, entry.identity);
        }
        return entry.identity;
      }
      return undefined;
    },
  };
}
