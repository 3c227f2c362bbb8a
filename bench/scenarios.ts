// The scenario matrix: upstream behaviour (latency, streaming), prompt size, and load shape. Quick mode
// keeps one scenario per headline target so it fits in under 3 minutes with four targets and 3 repeats.
import type { BehaviourInput } from './mock-upstream/behaviour.js';

export type LoadShape = { kind: 'closed'; concurrency: number } | { kind: 'open'; ratePerSec: number };

export interface Scenario {
  id: string;
  title: string;
  stream: boolean;
  /** Content chunks per streamed answer. */
  chunks: number;
  /** Upstream latency before headers, ms. */
  upstreamMs: number;
  /** Pause between streamed chunks, ms: each chunk then arrives in its own read, as from a generating model. */
  chunkDelayMs: number;
  promptBytes: number;
  load: LoadShape;
  errorRate: number;
}

function scenario(
  id: string,
  title: string,
  load: LoadShape,
  options: Partial<Omit<Scenario, 'id' | 'title' | 'load'>> = {},
): Scenario {
  return {
    id,
    title,
    load,
    stream: false,
    chunks: 20,
    upstreamMs: 0,
    chunkDelayMs: 0,
    promptBytes: 200,
    errorRate: 0,
    ...options,
  };
}

const closed = (concurrency: number): LoadShape => ({ kind: 'closed', concurrency });
const open = (ratePerSec: number): LoadShape => ({ kind: 'open', ratePerSec });

export const SCENARIOS: readonly Scenario[] = [
  scenario('ns-0ms-c1', 'non-stream, 0 ms upstream, c=1', closed(1)),
  scenario('ns-0ms-c50', 'non-stream, 0 ms upstream, c=50', closed(50)),
  scenario('ns-0ms-c200', 'non-stream, 0 ms upstream, c=200', closed(200)),
  scenario('ns-50ms-c50', 'non-stream, 50 ms upstream, c=50', closed(50), { upstreamMs: 50 }),
  scenario('ns-50ms-c200', 'non-stream, 50 ms upstream, c=200', closed(200), { upstreamMs: 50 }),
  scenario('ns-0ms-1k-c50', 'non-stream, 1 KB prompt, c=50', closed(50), { promptBytes: 1024 }),
  scenario('ns-0ms-8k-c50', 'non-stream, 8 KB prompt, c=50', closed(50), { promptBytes: 8 * 1024 }),
  scenario('ns-0ms-64k-c50', 'non-stream, 64 KB prompt, c=50', closed(50), { promptBytes: 64 * 1024 }),
  scenario('st20-0ms-c1', 'stream 20 chunks, 0 ms upstream, c=1', closed(1), { stream: true }),
  scenario('st20-0ms-c50', 'stream 20 chunks, 0 ms upstream, c=50', closed(50), { stream: true }),
  scenario('st20-50ms-c50', 'stream 20 chunks, 50 ms upstream, c=50', closed(50), {
    stream: true,
    upstreamMs: 50,
  }),
  scenario('st20x5ms-c50', 'stream 20 chunks 5 ms apart, c=50', closed(50), {
    stream: true,
    chunkDelayMs: 5,
  }),
  scenario('open-1k', 'open loop 1000 req/s, non-stream 0 ms', open(1000)),
  scenario('open-2k', 'open loop 2000 req/s, non-stream 0 ms', open(2000)),
  // What the analysis adds to p99 at a rate where nothing queues (issue 4: 1 KB prompt).
  scenario('open-500-1k', 'open loop 500 req/s, 1 KB prompt', open(500), { promptBytes: 1024 }),
  scenario('open-5k', 'open loop 5000 req/s, non-stream 0 ms', open(5000)),
  scenario('ns-0ms-c50-err5', 'non-stream, 5% upstream 500s, c=50', closed(50), { errorRate: 0.05 }),
];

export const QUICK_SCENARIOS: readonly string[] = ['ns-0ms-c1', 'ns-0ms-c50', 'st20-0ms-c1', 'open-2k'];

export function behaviourFor(s: Scenario): BehaviourInput {
  return {
    latency: { kind: 'fixed', ms: s.upstreamMs },
    chunks: s.chunks,
    chunkDelayMs: s.chunkDelayMs,
    errorRate: s.errorRate,
    errorStatus: 500,
    seed: 1,
  };
}

export function loadLabel(load: LoadShape): string {
  return load.kind === 'closed' ? `c=${load.concurrency}` : `${load.ratePerSec}/s`;
}
