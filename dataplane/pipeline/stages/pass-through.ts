// Stages that exist in the lifecycle but are filled by later work; each passes the request on untouched.
// auth: identities, API keys, JWT (401/403). limits: rate limits and budgets (429).
// cache: exact and semantic cache (serves hits). scan: response scanning.
import type { Stage } from '../compose.js';

function passThrough(name: string): Stage {
  return { name, run: (_ctx, next) => next() };
}

export const authStage = (): Stage => passThrough('auth');
export const limitsStage = (): Stage => passThrough('limits');
export const cacheStage = (): Stage => passThrough('cache');
export const scanStage = (): Stage => passThrough('scan');
