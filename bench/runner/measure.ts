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
import { judgeWindow, type LoadVerdict } from '../proc/machine-load.js';
import { parseStatusMemory } from '../proc/memory.js';
import type { Scenario } from '../scenarios.js';
import type { MockStats } from '../targets/mock-process.js';
import { behaviourSchema } from '../mock-upstream/behaviour.js';
import { answerText } from '../mock-upstream/bodies.js';
import { behaviourFor } from '../scenarios.js';
import { summarize, summarizeCensored } from '../stats/percentiles.js';
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
  /** Set when the upstream was still busy with an earlier measurement's backlog: flags this window. */
  notQuiet?: string | undefined;
}

/**
 * Mock calls per request over the whole phase: the mock's counter read before the first request (warm-up
 * included) and after the last one is over, divided by every request sent. Counted over the measured window
 * only, the requests in flight when it opened reached the mock inside it without being in the divisor: a
 * target that held each request 200 ms read 1.22 calls per request, retrying nothing.
 */
export function upstreamCallsPerRequest(
  before: MockStats | undefined,
  after: MockStats | undefined,
  issued: number,
): number | null {
  if (before === undefined || after === undefined || issued <= 0) return null;
  return (after.requests - before.requests) / issued;
}

export function requestSpec(target: Target, scenario: Scenario): RequestSpec {
  const body = chatBody(target.model, scenario.promptBytes, scenario.stream);
  return {
    port: target.port,
    bytes: requestBytes(target.port, '/v1/chat/completions', target.headers, body),
    stream: scenario.stream,
    // N content chunks plus the usage chunk that every request asks for.
    expectedEvents: scenario.stream ? scenario.chunks + 1 : undefined,
    // Every target passes the mock's answer through unchanged.
    expectedContent: scenario.stream
      ? undefined
      : answerText(behaviourSchema.parse(behaviourFor(scenario)).answerWords),
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
  const mockStats = (): Promise<MockStats | undefined> => context.mock.stats().catch(() => undefined);
  // The mock's request counter around the whole phase (upstreamCallsPerRequest).
  const mockBefore = await mockStats();
  let rssPeak = Number.NaN;
  let finalMemory: { rss: number; hwm: number } | undefined;
  const sampleMemory = (): void => {
    const memory = memoryOf(target.pid);
    if (memory !== undefined && !(memory.rss <= rssPeak)) rssPeak = memory.rss;
  };
  const hooks = {
    onMeasureStart: () => {
      start = takeSnapshot(pids);
      if (target.stageMetrics === true) stagesStart = scrapeStageHistograms(target.port);
      sampleMemory();
    },
    onMeasureEnd: () => {
      end = takeSnapshot(pids);
      if (target.stageMetrics === true) stagesEnd = scrapeStageHistograms(target.port);
      finalMemory = memoryOf(target.pid);
      if (finalMemory !== undefined && !(finalMemory.rss <= rssPeak)) rssPeak = finalMemory.rss;
    },
  };
  // RSS is sampled only inside the window (and at its edges), as the report says.
  const sampler = setInterval(() => {
    if (start !== undefined && end === undefined) sampleMemory();
  }, 200);
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
  const mockAfter = await mockStats();
  const stagesBefore = await stagesStart;
  const stagesAfter = await stagesEnd;
  if (start === undefined || end === undefined) throw new Error('load phase ended without CPU snapshots');
  const threadsAfter = target.pid === undefined ? null : threadTicks(target.pid);

  const r = phase.recorder;
  const seconds = (end.at - start.at) / 1000;
  const completions = Math.max(1, r.completedInWindow);
  const tickUs = 1e6 / context.ticksPerSecond;
  const targetTicks = end.targetTicks - start.targetTicks;
  const mockTicks = end.mockTicks - start.mockTicks;
  const generatorUs = end.generatorUs - start.generatorUs;
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
    warmupTimeouts: r.warmupTimeouts,
    // Successful completions inside the window ÷ the window's length (not ÷ window + the last one's latency).
    rps: phase.windowMs > 0 ? r.okInWindow / (phase.windowMs / 1000) : 0,
    offeredRps: scenario.load.kind === 'open' ? scenario.load.ratePerSec : null,
    latencyUs: summarizeCensored(r.total.sorted(), r.censored.sorted()),
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
    upstreamCallsPerRequest: upstreamCallsPerRequest(mockBefore, mockAfter, phase.issued),
    connections: phase.connections,
    machine: flagNotQuiet(
      judgeWindow(
        start.machine,
        end.machine,
        end.othersTicks - start.othersTicks,
        seconds,
        context.ticksPerSecond,
        context.cores,
      ),
      context.notQuiet,
    ),
  };
}

function flagNotQuiet(verdict: LoadVerdict, notQuiet: string | undefined): LoadVerdict {
  if (notQuiet === undefined || verdict.busy) return verdict;
  return { ...verdict, busy: true, reason: notQuiet };
}
