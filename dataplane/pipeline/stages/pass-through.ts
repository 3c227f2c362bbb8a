// Stages that exist in the lifecycle but are filled by later work; each passes the request on untouched.
// cache: exact and semantic cache (serves hits). scan: response scanning.
import type { Stage } from '../compose.js';

function passThrough(name: string): Stage {
  return { name, run: (_ctx, next) => next() };
}

export const cacheStage = (): Stage => passThrough('cache');
export const scanStage = (): Stage => passThrough('scan');
