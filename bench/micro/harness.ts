// Timing of micro-benchmark operations: calibrated batches, old and new interleaved round by round so
// that drift of the machine (frequency, other load) hits both alike; median and spread of ns per op.
import { spread, type Spread } from '../stats/repeats.js';

export type MicroOp = () => unknown;

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return (
    typeof value === 'object' && value !== null && typeof (value as { then?: unknown }).then === 'function'
  );
}

/** ns per operation over one batch. Async operations are awaited one after another. */
async function batch(op: MicroOp, iterations: number, async: boolean): Promise<number> {
  const start = process.hrtime.bigint();
  if (async) for (let i = 0; i < iterations; i++) await op();
  else for (let i = 0; i < iterations; i++) op();
  return Number(process.hrtime.bigint() - start) / iterations;
}

export interface Timed {
  nsPerOp: Spread;
  iterations: number;
}

/**
 * Times each variant for `rounds` batches of about `batchMs` each, after a warm-up that also lets the JIT
 * optimise. Variants run in rotating order every round.
 */
export async function timeVariants(
  variants: readonly MicroOp[],
  options: { rounds: number; batchMs: number },
): Promise<Timed[]> {
  const info = await Promise.all(
    variants.map(async (op) => {
      const first = op();
      const async = isThenable(first);
      if (async) await first;
      // Calibrate: grow the batch until it takes batchMs.
      let iterations = 1;
      for (;;) {
        const ns = await batch(op, iterations, async);
        if (ns * iterations >= options.batchMs * 1e6 || iterations >= 1 << 24) break;
        iterations *= 2;
      }
      return { op, async, iterations };
    }),
  );
  const samples: number[][] = variants.map(() => []);
  for (let round = 0; round < options.rounds; round++) {
    for (let k = 0; k < info.length; k++) {
      const i = (k + round) % info.length;
      const v = info[i]!;
      samples[i]!.push(await batch(v.op, v.iterations, v.async));
    }
  }
  return info.map((v, i) => ({ nsPerOp: spread(samples[i]!), iterations: v.iterations }));
}
