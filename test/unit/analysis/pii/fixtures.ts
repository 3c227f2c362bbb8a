// Test helpers: fake credentials assembled at run time from a seeded generator, so the repository never
// holds strings that secret scanners (or push protection) would take for real keys.
import { Buffer } from 'node:buffer';

const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

/** Deterministic pseudo-random characters (mulberry32), different per seed. */
export function randomChars(length: number, seed: number, alphabet = ALNUM): string {
  let state = seed >>> 0;
  let out = '';
  for (let i = 0; i < length; i++) {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    const r = ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    out += alphabet[Math.floor(r * alphabet.length)];
  }
  return out;
}

export const fake = {
  openai: (seed = 1): string => `sk-proj-${randomChars(74, seed)}T3BlbkFJ${randomChars(74, seed + 1)}`,
  anthropic: (seed = 2): string => `sk-ant-api03-${randomChars(93, seed)}AA`,
  aws: (seed = 3): string => `AKIA${randomChars(16, seed, 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567')}`,
  github: (seed = 4): string => `gh${'p'}_${randomChars(36, seed)}`,
  google: (seed = 5): string => `AI${'za'}${randomChars(35, seed)}`,
  slack: (seed = 6): string =>
    `xo${'xb'}-${randomChars(11, seed, '0123456789')}-${randomChars(13, seed + 1, '0123456789')}-${randomChars(24, seed + 2)}`,
  stripe: (seed = 7): string => `sk_${'live'}_${randomChars(24, seed)}`,
  privateKey: (seed = 8): string => {
    const body = randomChars(256, seed, `${ALNUM}+/`).replace(/(.{64})/g, '$1\n');
    return `-----BEGIN RSA PRIVATE KEY-----\n${body}\n-----END RSA PRIVATE KEY-----`;
  },
  jwt: (seed = 9, header: object = { alg: 'HS256', typ: 'JWT' }): string => {
    const part = (value: object): string => Buffer.from(JSON.stringify(value)).toString('base64url');
    return `${part(header)}.${part({ sub: randomChars(8, seed), iat: 1700000000 })}.${randomChars(43, seed + 1)}`;
  },
};

/** Time a call; returns milliseconds. */
export function timed(run: () => unknown): number {
  const start = performance.now();
  run();
  return performance.now() - start;
}
