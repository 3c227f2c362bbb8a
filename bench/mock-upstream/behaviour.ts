// What the mock upstream does with each request: latency before headers (fixed or drawn from a
// distribution), stream length and pacing, injected errors. Draws come from a seeded generator so a run
// can be repeated exactly.
import { z } from 'zod';

const latencySchema = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('fixed'), ms: z.number().min(0) }),
  z.strictObject({ kind: z.literal('uniform'), minMs: z.number().min(0), maxMs: z.number().min(0) }),
  z.strictObject({
    kind: z.literal('exponential'),
    meanMs: z.number().min(0),
    capMs: z.number().min(0).optional(),
  }),
  z.strictObject({
    kind: z.literal('lognormal'),
    medianMs: z.number().min(0),
    sigma: z.number().min(0),
    capMs: z.number().min(0).optional(),
  }),
]);

export const behaviourSchema = z.strictObject({
  /** Delay between the request's last byte and the response headers. */
  latency: latencySchema.default({ kind: 'fixed', ms: 0 }),
  /** Content chunks of a streamed answer (the usage chunk, when asked for, comes on top). */
  chunks: z.number().int().min(1).max(100_000).default(20),
  /** Delay between two streamed chunks; 0 writes them back to back. */
  chunkDelayMs: z.number().min(0).default(0),
  /** Words in a non-streamed answer. */
  answerWords: z.number().int().min(1).max(100_000).default(20),
  /** Share of requests answered with `errorStatus` instead (0..1). */
  errorRate: z.number().min(0).max(1).default(0),
  errorStatus: z.number().int().min(400).max(599).default(500),
  seed: z.number().int().default(1),
});

export type Behaviour = z.infer<typeof behaviourSchema>;
export type BehaviourInput = z.input<typeof behaviourSchema>;
export type Latency = z.infer<typeof latencySchema>;

/** mulberry32: tiny, fast, good enough to draw latencies and error decisions reproducibly. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function sampleLatency(latency: Latency, random: () => number): number {
  switch (latency.kind) {
    case 'fixed':
      return latency.ms;
    case 'uniform':
      return latency.minMs + random() * Math.max(0, latency.maxMs - latency.minMs);
    case 'exponential': {
      const value = -latency.meanMs * Math.log(1 - random());
      return latency.capMs === undefined ? value : Math.min(value, latency.capMs);
    }
    case 'lognormal': {
      // Box-Muller; 1 - u keeps the logarithm finite.
      const z = Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
      const value = latency.medianMs * Math.exp(latency.sigma * z);
      return latency.capMs === undefined ? value : Math.min(value, latency.capMs);
    }
  }
}

export interface Decision {
  fail: boolean;
  delayMs: number;
}

/** Decides one request's fate; consumes draws in a fixed order so runs repeat exactly for a seed. */
export function decide(behaviour: Behaviour, random: () => number): Decision {
  const fail = behaviour.errorRate > 0 && random() < behaviour.errorRate;
  return { fail, delayMs: sampleLatency(behaviour.latency, random) };
}
