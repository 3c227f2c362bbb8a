// Runs every scenario against every target, repeat after repeat. Targets are interleaved within each repeat
// (and their order rotated) so slow drift of the machine hits all of them alike. A measurement taken while
// something else loaded the machine is measured again once; if still busy it stays, flagged. Before every
// measurement the upstream must have gone quiet (no earlier target still forwarding its backlog).
import { behaviourFor, loadLabel, type Scenario } from '../scenarios.js';
import { clockTicksPerSecond } from '../proc/cpu-ticks.js';
import type { MockProcess } from '../targets/mock-process.js';
import type { Target, TargetName } from '../targets/target.js';
import { measure } from './measure.js';
import { DEFAULT_QUIET, waitForQuiet } from './quiet.js';
import type { Measurement, RunSettings } from './results.js';

export interface MatrixInput {
  scenarios: readonly Scenario[];
  /** Re-measures allowed for busy windows in the whole run, so a noisy machine cannot stretch it unbounded. */
  remeasureBudget: number;
  targets: readonly Target[];
  mock: MockProcess;
  settings: RunSettings;
  cores: number;
  log: (line: string) => void;
}

function rotate<T>(items: readonly T[], by: number): T[] {
  const n = items.length;
  return n === 0 ? [] : items.map((_, i) => items[(i + by) % n]!);
}

function describe(m: Measurement): string {
  const p = (us: number): string => `${(us / 1000).toFixed(3)}ms`;
  const parts = [`${m.rps.toFixed(0)} req/s`, `p50 ${p(m.latencyUs.p50)}`, `p99 ${p(m.latencyUs.p99)}`];
  if (m.firstChunkUs !== null) parts.push(`ttfc p50 ${p(m.firstChunkUs.p50)}`);
  if (m.cpu.targetUsPerReq !== null) parts.push(`cpu ${m.cpu.targetUsPerReq.toFixed(1)}µs/req`);
  parts.push(`gen ${m.cpu.generatorCores.toFixed(2)} cores`);
  if (m.errors > 0) parts.push(`errors ${m.errors} ${JSON.stringify(m.errorKinds)}`);
  if (m.machine.busy) parts.push(`BUSY: ${m.machine.reason}`);
  return parts.join(', ');
}

export async function runMatrix(
  input: MatrixInput,
): Promise<{ measurements: Measurement[]; failed: Map<TargetName, string> }> {
  const { settings, log } = input;
  const ticksPerSecond = clockTicksPerSecond();
  const measurements: Measurement[] = [];
  const failed = new Map<TargetName, string>();
  const total = input.scenarios.length * settings.repeats * input.targets.length;
  let done = 0;
  let remeasures = 0;
  for (const scenario of input.scenarios) {
    await input.mock.configure(behaviourFor(scenario));
    for (let repeat = 1; repeat <= settings.repeats; repeat++) {
      for (const target of rotate(input.targets, repeat - 1)) {
        done++;
        if (failed.has(target.name)) continue;
        const otherPids = input.targets.filter((t) => t !== target && t.pid !== undefined).map((t) => t.pid!);
        const settle = async (): Promise<string | undefined> => {
          const result = await waitForQuiet(async () => (await input.mock.stats()).requests, DEFAULT_QUIET);
          if (result.quiet) return undefined;
          return `upstream still receiving ${result.moved} calls after ${(result.waitedMs / 1000).toFixed(1)} s`;
        };
        const contextFor = (notQuiet: string | undefined) => ({
          mock: input.mock,
          otherPids,
          ticksPerSecond,
          cores: input.cores,
          settings,
          notQuiet,
        });
        const prefix = `[${done}/${total}] ${scenario.id} (${loadLabel(scenario.load)}) r${repeat} ${target.name}`;
        try {
          let m = await measure(contextFor(await settle()), target, scenario, repeat, 1);
          measurements.push(m);
          log(`${prefix}: ${describe(m)}`);
          if (m.machine.busy && remeasures < input.remeasureBudget) {
            remeasures++;
            m = await measure(contextFor(await settle()), target, scenario, repeat, 2);
            measurements.push(m);
            log(`${prefix} again: ${describe(m)}`);
          }
        } catch (error) {
          const reason = error instanceof Error ? error.message : String(error);
          failed.set(target.name, `${scenario.id}: ${reason}`);
          log(`${prefix}: FAILED, target dropped from the run: ${reason}`);
        }
        // Lets sockets of the last phase close and timers settle before the next window opens.
        await new Promise((resolve) => setTimeout(resolve, 150));
      }
    }
  }
  return { measurements, failed };
}
