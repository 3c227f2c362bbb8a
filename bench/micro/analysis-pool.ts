// The analysis worker pool as the gateway builds it (dataplane/workers/pool.ts with the analyze task and
// end-of-turn batching, up to 64 requests a hand-off): round trip p50/p99 per prompt size, alone (one task in
// flight: the hand-off's latency) and under load (a closed loop with many in flight: tasks/s, tasks/s per core
// of CPU, and what the queueing adds). Issue 4 asks for these numbers for 1 KB, 8 KB and 64 KB prompts.
//
// Round trip = from pool.run() to its promise settling on the main thread: the structured clone of the
// request to the thread, the wait for a thread, the analysis, and the reply's way back. "Analysis alone" is
// the same analyzer called on the main thread with the same body (no hand-off), so the difference is the
// pool's part. CPU is the whole process (main thread and workers, `process.cpuUsage`), what a gateway pays.
//
// Prompts: `bench` is the load generator's prompt (one sentence repeated: what the full-pipeline scenario
// sends); `varied` is seeded random prose with numbers, names and identifiers, so that the tokenizer's
// per-word cache helps only as much as it would on ordinary text.
//
// Usage: node --import tsx bench/micro/analysis-pool.ts [--sizes 1,8,64] [--text bench|varied]
//   [--threads 1,2] [--concurrency 50] [--seconds 4] [--alone N]
import { readdirSync, readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { availableParallelism } from 'node:os';
import { createAnalyzer } from '../../dataplane/analysis/analyze.js';
import type { Analysis, AnalysisRequest } from '../../dataplane/analysis/types.js';
import { createGatewayMetrics } from '../../dataplane/observability/gateway-metrics.js';
import { createLogger } from '../../dataplane/observability/logger.js';
import { createWorkerPool, sibling, type WorkerPool } from '../../dataplane/workers/pool.js';
import { chatBody } from '../load/chat-request.js';
import { seededRandom } from '../mock-upstream/behaviour.js';
import { clockTicksPerSecond, parseStatTicks } from '../proc/cpu-ticks.js';
import { percentile } from '../stats/percentiles.js';

const log = (line: string): void => {
  process.stderr.write(`${line}\n`);
};

const WORDS = (
  'the of and to in is that for it as with was on be by this are at from or have an they which one you had ' +
  'not but what all were when we there can been has more if will would who so no out up into about than ' +
  'them could time only new some these two may first then do any like my now over such our man me even ' +
  'most made after also did many before must through back years where much your way well down should ' +
  'because each just those people how too little state good very make world still own see men work long ' +
  'get here between both life being under never day same another know while last might us great old year ' +
  'deployment latency invoice customer quarterly migration database schema rollout regression benchmark ' +
  'kubernetes terraform postgres gateway summarise translate refactor explain compare estimate review'
).split(' ');

/** Prose of exactly `bytes` ASCII characters: words, numbers, capitalised names and snake_case identifiers. */
function variedText(bytes: number, seed: number): string {
  const rand = seededRandom(seed); // the same prompt on every run
  const pick = () => WORDS[Math.floor(rand() * WORDS.length)]!;
  let out = '';
  while (out.length < bytes) {
    const r = rand();
    let word: string;
    if (r < 0.06) word = String(Math.floor(rand() * 100000));
    else if (r < 0.1)
      word = pick().replace(/^./, (c) => c.toUpperCase()) + String.fromCharCode(97 + Math.floor(rand() * 26));
    else if (r < 0.13) word = `${pick()}_${pick()}_${Math.floor(rand() * 100)}`;
    else word = pick();
    out += word + (rand() < 0.08 ? '. ' : rand() < 0.05 ? ', ' : ' ');
  }
  return out.slice(0, bytes);
}

function requestOf(kb: number, text: string): AnalysisRequest {
  const bytes = kb * 1024;
  const body =
    text === 'bench'
      ? (JSON.parse(chatBody('gpt-4o-mini', bytes, false)) as unknown)
      : {
          model: 'gpt-4o-mini',
          max_tokens: 64,
          messages: [{ role: 'user', content: variedText(bytes, kb) }],
        };
  return { endpoint: 'chat', body, upstreamModel: 'gpt-4o-mini', provider: 'openai' };
}

const CLK_TCK = clockTicksPerSecond();

/** CPU seconds of the main thread and of every other thread of this process (workers, V8 helpers), from /proc. */
function threadCpu(): { main: number; others: number } {
  let main = 0;
  let others = 0;
  for (const tid of readdirSync('/proc/self/task')) {
    let stat: string;
    try {
      stat = readFileSync(`/proc/self/task/${tid}/stat`, 'utf8');
    } catch {
      continue; // a thread that ended between the listing and the read
    }
    const seconds = parseStatTicks(stat) / CLK_TCK;
    if (Number(tid) === process.pid) main += seconds;
    else others += seconds;
  }
  return { main, others };
}

const ms = (x: number): string => (x >= 10 ? x.toFixed(1) : x >= 1 ? x.toFixed(2) : x.toFixed(3));

function sorted(samples: number[]): Float64Array {
  return Float64Array.from(samples).sort();
}

/** The analyzer on the main thread, one request after another: the work without the hand-off. */
function analysisAlone(request: AnalysisRequest, count: number): { p50: number; p99: number } {
  const analyze = createAnalyzer();
  for (let i = 0; i < Math.min(300, count); i++) analyze(request);
  const times: number[] = [];
  for (let i = 0; i < count; i++) {
    const t0 = performance.now();
    analyze(request);
    times.push(performance.now() - t0);
  }
  const s = sorted(times);
  return { p50: percentile(s, 50), p99: percentile(s, 99) };
}

async function roundTripsAlone(
  pool: WorkerPool<AnalysisRequest, Analysis>,
  request: AnalysisRequest,
  count: number,
): Promise<{ p50: number; p99: number; cpuUs: number; mainUs: number }> {
  for (let i = 0; i < Math.min(300, count); i++) await pool.run(request);
  const times: number[] = [];
  const threads0 = threadCpu();
  const cpu0 = process.cpuUsage();
  for (let i = 0; i < count; i++) {
    const t0 = performance.now();
    await pool.run(request);
    times.push(performance.now() - t0);
  }
  const cpu = process.cpuUsage(cpu0);
  const mainS = threadCpu().main - threads0.main;
  const s = sorted(times);
  return {
    p50: percentile(s, 50),
    p99: percentile(s, 99),
    cpuUs: (cpu.user + cpu.system) / count,
    mainUs: (mainS * 1e6) / count,
  };
}

interface LoadResult {
  tasksPerSecond: number;
  cores: number;
  cpuUsPerTask: number;
  mainUsPerTask: number;
  p50: number;
  p99: number;
}

/** A closed loop: `concurrency` tasks always in flight for `seconds`, after a warm-up of one second. */
async function underLoad(
  pool: WorkerPool<AnalysisRequest, Analysis>,
  request: AnalysisRequest,
  concurrency: number,
  seconds: number,
): Promise<LoadResult> {
  let measuring = false;
  let stop = false;
  const times: number[] = [];
  const loop = async (): Promise<void> => {
    while (!stop) {
      const t0 = performance.now();
      await pool.run(request);
      if (measuring && !stop) times.push(performance.now() - t0);
    }
  };
  const loops = Array.from({ length: concurrency }, loop);
  await new Promise((r) => setTimeout(r, 1000));
  measuring = true;
  const threads0 = threadCpu();
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  await new Promise((r) => setTimeout(r, seconds * 1000));
  const wallS = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(cpu0);
  const mainS = threadCpu().main - threads0.main;
  stop = true;
  const done = times.length;
  await Promise.all(loops);
  const cpuS = (cpu.user + cpu.system) / 1e6;
  const s = sorted(times);
  return {
    tasksPerSecond: done / wallS,
    cores: cpuS / wallS,
    cpuUsPerTask: (cpuS * 1e6) / done,
    mainUsPerTask: (mainS * 1e6) / done,
    p50: percentile(s, 50),
    p99: percentile(s, 99),
  };
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      sizes: { type: 'string', default: '1,8,64' },
      text: { type: 'string', default: 'bench' },
      threads: { type: 'string', default: '1,2' },
      concurrency: { type: 'string', default: '50' },
      seconds: { type: 'string', default: '4' },
      alone: { type: 'string', default: '2000' },
    },
  });
  if (values.text !== 'bench' && values.text !== 'varied') throw new Error('--text is bench or varied');
  const sizes = values.sizes.split(',').map(Number);
  const threadCounts = values.threads.split(',').map(Number);
  const concurrency = Number(values.concurrency);
  const seconds = Number(values.seconds);
  const aloneBudget = Number(values.alone);
  const metrics = createGatewayMetrics();
  const logger = createLogger('error');
  log(
    `analysis pool: ${values.text} prompts of ${sizes.join(', ')} KB; ${availableParallelism()} cores; ` +
      `Node ${process.version}; ${new Date().toISOString()}`,
  );

  const aloneRows: string[] = [];
  const loadRows: string[] = [];
  for (const threads of threadCounts) {
    const pool = createWorkerPool<AnalysisRequest, Analysis>({
      name: 'analysis',
      module: sibling(import.meta.url, '../../dataplane/workers/tasks/analyze.js'),
      threads,
      maxQueue: 10_000,
      idleTimeoutMs: 60_000,
      batch: { maxItems: 64 },
      metrics,
      logger,
    });
    try {
      // As the gateway does at start: one task per thread (a task with a signal goes to piscina alone, so
      // each thread gets one), which builds every thread's tokenizer before anything is measured.
      await Promise.all(
        Array.from({ length: threads }, () => pool.run(requestOf(1, 'bench'), AbortSignal.timeout(60_000))),
      );
      for (const kb of sizes) {
        const request = requestOf(kb, values.text);
        // Fewer samples for the larger prompts (a 64 KB analysis takes milliseconds), at least 300 for a p99.
        const count = Math.max(300, Math.round(aloneBudget / kb));
        if (threads === threadCounts[0]) {
          const direct = analysisAlone(request, count);
          const rt = await roundTripsAlone(pool, request, count);
          aloneRows.push(
            `| ${kb} KB | ${ms(rt.p50)} | ${ms(rt.p99)} | ${ms(direct.p50)} | ${ms(direct.p99)} | ` +
              `${ms(rt.p50 - direct.p50)} | ${rt.cpuUs.toFixed(0)} | ${rt.mainUs.toFixed(0)} |`,
          );
          log(`  alone ${kb} KB: round trip p50 ${ms(rt.p50)} ms, analysis alone ${ms(direct.p50)} ms`);
        }
        const load = await underLoad(pool, request, concurrency, seconds);
        loadRows.push(
          `| ${kb} KB | ${threads} | ${load.tasksPerSecond.toFixed(0)} | ${load.cores.toFixed(2)} | ` +
            `${(load.tasksPerSecond / load.cores).toFixed(0)} | ${load.cpuUsPerTask.toFixed(0)} | ` +
            `${load.mainUsPerTask.toFixed(0)} | ` +
            `${ms(load.p50)} | ${ms(load.p99)} |`,
        );
        log(`  ${threads} thread(s), ${kb} KB, c=${concurrency}: ${load.tasksPerSecond.toFixed(0)} tasks/s`);
      }
    } finally {
      await pool.close();
    }
  }

  const out = [
    `Round trip with one task in flight (${threadCounts[0]} thread${threadCounts[0] === 1 ? '' : 's'}), ms:`,
    '',
    '| prompt | round trip p50 | round trip p99 | analysis alone p50 | analysis alone p99 | hand-off (p50 − p50) | CPU µs/task | of it main thread |',
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
    ...aloneRows,
    '',
    `Closed loop, ${concurrency} tasks in flight, ${seconds} s after 1 s of warm-up:`,
    '',
    '| prompt | threads | tasks/s | cores used | tasks/s per core | CPU µs/task | of it main thread | round trip p50 ms | round trip p99 ms |',
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
    ...loadRows,
  ];
  process.stdout.write(`${out.join('\n')}\n`);
}

await main();
