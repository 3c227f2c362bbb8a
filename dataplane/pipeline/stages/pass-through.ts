// Stages that exist in the lifecycle but are filled by later work; each passes the request on untouched.
// scan: response scanning.
import type { Stage } from '../compose.js';

function passThrough(name: string): Stage {
  return { name, run: (_ctx, next) => next() };
}

export const scanStage = (): Stage => passThrough('scan');
