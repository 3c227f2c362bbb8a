// Warms every proxy target before the first measurement: a freshly started Node process runs its hot
// paths in the interpreter until the JIT has seen them, which would make repeat 1 of the first scenario
// look slower than the rest. Non-streamed and streamed traffic both, results discarded.
import { runClosedLoop } from '../load/closed-loop.js';
import { behaviourFor, SCENARIOS } from '../scenarios.js';
import type { MockProcess } from '../targets/mock-process.js';
import type { Target } from '../targets/target.js';
import { requestSpec } from './measure.js';

export async function warmTargets(
  targets: readonly Target[],
  mock: MockProcess,
  seconds: number,
): Promise<void> {
  const plain = SCENARIOS.find((s) => s.id === 'ns-0ms-c50')!;
  const stream = SCENARIOS.find((s) => s.id === 'st20-0ms-c50')!;
  const noop = { onMeasureStart: () => {}, onMeasureEnd: () => {} };
  await mock.configure(behaviourFor(plain));
  for (const target of targets) {
    if (target.pid === undefined) continue;
    for (const [scenario, share] of [
      [plain, 0.7],
      [stream, 0.3],
    ] as const) {
      await runClosedLoop({
        spec: requestSpec(target, scenario),
        concurrency: 16,
        warmupMs: seconds * share * 1000,
        durationMs: 1,
        maxRequests: 1,
        drainMs: 2_000,
        hooks: noop,
      });
    }
  }
}
