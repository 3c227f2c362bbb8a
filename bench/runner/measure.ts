// One measurement: one target, one scenario, one repeat. Runs the load phase, samples CPU at the window's
// edges and memory during it, and turns the raw samples into a Measurement.
import { readFileSync } from 'node:fs';
import { chatBody, requestBytes } from '../load/chat-request.js';
import { runClosedLoop } from '../load/closed-loop.js';
import type { RequestSpec } from '../load/exchange.js';
import { runOpenLoop } from '../load/open-loop.js';
import type { PhaseResult } from '../load/phase.js';
import { threadTicks } from '../proc/cpu-ticks.js';
import { applyNice } from '../proc/priority.js';
import { judgeWindow } from '../proc/machine-load.js';
import { parseStatusMemory } from '../proc/memory.js';
import type { Scenario } from '../scenarios.js';
import { summarize } from '../stats/percentiles.js';
import {
  diffStageHistograms,
  scrapeStageHistograms,
  summarizeStages,
  type StageHistograms,
} from '../stats/stage-histogram.js';
import type { MockProcess } from '../targets/mock-process.js';
import type { Target } from '../targets/target.js';
import { takeSnapshot, type MeterSnapshot } from './meter.js';
import type { Measurement, RunSettings } from './results.js';

export interface MeasureContext {
  mock: MockProcess;
  /** Pids of the other targets' processes, idle during this measurement. */
  otherPids: readonly number[];
  ticksPerSecond: number;
  cores: number;
  settings: RunSettings;
}

export function requestSpec(target: Target, scenario: Scenario): RequestSpec {
  const body = chatBody(target.model, scenario.promptBytes, scenario.stream);
  return {
    port: target.port,
    bytes: requestBytes(target.port, '/v1/chat/completions', target.headers, body),
    stream: scenario.stream,
    // N content chunks plus the usage chunk that every request asks for.
    expectedEvents: scenario.stream ? scenario.chunks + 1 : undefined,
  };
}

function memoryOf(pid: number | undefined): { rss: number; hwm: number } | undefined {
  if (pid === undefined) return undefined;
  try {
    return parseStatusMemory(readFileSync(`/proc/${pid}/status`, 'latin1'));
  } catch {
    return undefined;
  }
}

export async function measure(
  context: MeasureContext,
  target: Target,
  scenario: Scenario,
  repeat: number,
  attempt: number,
): Promise<Measurement> {
  const { settings } = context;
  const spec = requestSpec(target, scenario);
  const pids = { target: target.pid, mock: context.mock.pid, others: context.otherPids };
  // Again before every window: targets start worker threads on demand, and those must run at the same nice.
  if (settings.nice !== 0)
    applyNice(
      [process.pid, context.mock.pid, ...(target.pid === undefined ? [] : [target.pid])],
      settings.nice,
    );
  const threadsBefore = target.pid === undefined ? null : threadTicks(target.pid);
  let start: MeterSnapshot | undefined;
  let end: MeterSnapshot | undefined;
  // The gateway's own stage histograms at the window's edges (an HTTP scrape, started with the snapshot).
  let stagesStart: Promise<StageHistograms | undefined> | undefined;
  let stagesEnd: Promise<StageHistograms | undefined> | undefined;
  const hooks = {
    onMeasureStart: () => {
      start = takeSnapshot(pids);
      if (target.stageMetrics === true) stagesStart = scrapeStageHistograms(target.port);
    },
    onMeasureEnd: () => {
      end = takeSnapshot(pids);
      if (target.stageMetrics === true) stagesEnd = scrapeStageHistograms(target.port);
    },
  };
  let rssPeak = Number.NaN;
  const sampler = setInterval(() => {
    const memory = memoryOf(target.pid);
    if (memory !== undefined && !(memory.rss <= rssPeak)) rssPeak = memory.rss;
  }, 200);
  const mockBefore = await context.mock.stats();
  let phase: PhaseResult;
  try {
    const common = {
      spec,
      warmupMs: settings.warmupS * 1000,
      durationMs: settings.durationS * 1000,
      drainMs: settings.drainS * 1000,
      hooks,
    };
    phase =
      scenario.load.kind === 'closed'
        ? await runClosedLoop({ ...common, concurrency: scenario.load.concurrency, maxRequests: 5_000_000 })
        : await runOpenLoop({
            ...common,
            ratePerSec: scenario.load.ratePerSec,
            maxRequests: Math.ceil(scenario.load.ratePerSec * (settings.warmupS + settings.durationS)) + 1,
            maxConnections: settings.openLoopMaxConnections,
          });
  } finally {
    clearInterval(sampler);
  }
  const mockAfter = await context.mock.stats();
  const stagesBefore = await stagesStart;
  const stagesAfter = await stagesEnd;
  if (start === undefined || end === undefined) throw new Error('load phase ended without CPU snapshots');
  const threadsAfter = target.pid === undefined ? null : threadTicks(target.pid);
  const finalMemory = memoryOf(target.pid);
  if (finalMemory !== undefined && !(finalMemory.rss <= rssPeak)) rssPeak = finalMemory.rss;

  const r = phase.recorder;
  const seconds = (end.at - start.at) / 1000;
  const completions = Math.max(1, r.completedInWindow);
  const tickUs = 1e6 / context.ticksPerSecond;
  const targetTicks = end.targetTicks - start.targetTicks;
  const mockTicks = end.mockTicks - start.mockTicks;
  const generatorUs = end.generatorUs - start.generatorUs;
  const activeSpan = (r.lastCompletionAt - phase.startedAt) / 1000;
  const threads: Record<string, number> | null =
    threadsBefore === null || threadsAfter === null
      ? null
      : Object.fromEntries(Object.entries(threadsAfter).map(([k, v]) => [k, v - (threadsBefore[k] ?? 0)]));

  return {
    scenario: scenario.id,
    target: target.name,
    repeat,
    attempt,
    seconds,
    intended: phase.intended,
    ok: r.ok,
    errors: r.errorCount,
    errorKinds: Object.fromEntries(r.errors),
    rps: activeSpan > 0 ? r.ok / activeSpan : 0,
    offeredRps: scenario.load.kind === 'open' ? scenario.load.ratePerSec : null,
    latencyUs: summarize(r.total.sorted()),
    headersUs: summarize(r.headers.sorted()),
    firstChunkUs: scenario.stream ? summarize(r.firstChunk.sorted()) : null,
    sendLagUs: scenario.load.kind === 'open' ? summarize(r.sendLag.sorted()) : null,
    cpu: {
      targetUsPerReq: target.pid === undefined ? null : (targetTicks * tickUs) / completions,
      targetCores: target.pid === undefined ? null : (targetTicks * tickUs) / 1e6 / seconds,
      mockUsPerReq: (mockTicks * tickUs) / completions,
      mockCores: (mockTicks * tickUs) / 1e6 / seconds,
      generatorUsPerReq: generatorUs / completions,
      generatorCores: generatorUs / 1e6 / seconds,
      targetThreads: threads,
    },
    stages:
      stagesBefore === undefined || stagesAfter === undefined
        ? null
        : summarizeStages(diffStageHistograms(stagesBefore, stagesAfter)),
    rssPeakKb: Number.isNaN(rssPeak) ? null : rssPeak,
    hwmKb: finalMemory?.hwm ?? null,
    upstreamCallsPerRequest:
      phase.issued > 0 ? (mockAfter.requests - mockBefore.requests) / phase.issued : null,
    connections: phase.connections,
    machine: judgeWindow(
      start.machine,
      end.machine,
      end.ownTicks - start.ownTicks,
      seconds,
      context.ticksPerSecond,
      context.cores,
    ),
  };
}
