// How API keys are minted and stored: a random `gw-` key, kept in config only as its SHA-256.
import { createHash, randomBytes } from 'node:crypto';

/** SHA-256 of the full key string, as stored in config (`sha256:`). */
export function hashKeyHex(key: string): string {
  return createHash('sha256').update(key, 'utf8').digest('hex');
}

export function hashKeyBytes(key: string): Buffer {
  return createHash('sha256').update(key, 'utf8').digest();
}

/**
 * 32 random bytes: a key nobody can guess, so a fast unsalted hash is enough (salting and stretching only
 * matter for low-entropy secrets such as passwords).
 */
export function generateKey(): string {
  return `gw-${randomBytes(32).toString('base64url')}`;
}
