// Test identities: API keys and the teams config that knows only their SHA-256 digests.
import { createHash, randomBytes } from 'node:crypto';

export function newKey(): { key: string; sha256: string } {
  const key = `gw-${randomBytes(24).toString('base64url')}`;
  return { key, sha256: createHash('sha256').update(key).digest('hex') };
}

export function bearer(key: string): Record<string, string> {
  return { authorization: `Bearer ${key}` };
}
