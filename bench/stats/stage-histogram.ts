// What a request waited inside each of the gateway's stages, from its own `gateway_stage_seconds` histogram
// (/metrics), read at the edges of a measurement window. The difference of two end-to-end p99s (with and
// without a stage) is at the mercy of everything else on the box; this is the stage's own wait, per request.

/** Cumulative bucket counts of one stage, as Prometheus renders them; `le` in seconds, ascending. */
export interface StageHistogram {
  le: number[];
  cumulative: number[];
  count: number;
  sum: number;
}

export type StageHistograms = Record<string, StageHistogram>;

export interface StageSummary {
  /** Observations in the window (requests that reached the stage's wait). */
  count: number;
  meanUs: number;
  /**
   * Upper bound of the bucket holding the quantile, µs: "p99 ≤ 300 µs" is exact at a bucket edge, where an
   * interpolated value would pretend a precision the histogram does not have. Infinity past the last bucket.
   */
  p50UpperUs: number;
  p99UpperUs: number;
}

const METRIC = 'gateway_stage_seconds';
const LINE = /^gateway_stage_seconds_(bucket|sum|count)\{([^}]*)\} (\S+)$/;

function labelsOf(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const m of text.matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)) out[m[1]!] = m[2]!;
  return out;
}

/** The stage histograms in a /metrics text; stages that never observed anything are absent. */
export function parseStageHistograms(metricsText: string): StageHistograms {
  const out: StageHistograms = {};
  const get = (stage: string): StageHistogram =>
    (out[stage] ??= { le: [], cumulative: [], count: 0, sum: 0 });
  for (const line of metricsText.split('\n')) {
    if (!line.startsWith(METRIC)) continue;
    const m = LINE.exec(line);
    if (m === null) continue;
    const labels = labelsOf(m[2]!);
    const stage = labels.stage;
    if (stage === undefined) continue;
    const value = Number(m[3]);
    const h = get(stage);
    if (m[1] === 'sum') h.sum = value;
    else if (m[1] === 'count') h.count = value;
    else if (labels.le !== undefined && labels.le !== '+Inf') {
      h.le.push(Number(labels.le));
      h.cumulative.push(value);
    }
  }
  return out;
}

/** Observations between two scrapes of the same process (counters only grow). */
export function diffStageHistograms(before: StageHistograms, after: StageHistograms): StageHistograms {
  const out: StageHistograms = {};
  for (const [stage, a] of Object.entries(after)) {
    const b = before[stage];
    out[stage] = {
      le: [...a.le],
      cumulative: a.cumulative.map((c, i) => c - (b?.cumulative[i] ?? 0)),
      count: a.count - (b?.count ?? 0),
      sum: a.sum - (b?.sum ?? 0),
    };
  }
  return out;
}

/** Upper bound (seconds) of the first bucket holding at least q of the observations. */
export function quantileUpperBound(h: StageHistogram, q: number): number {
  if (h.count <= 0) return Number.NaN;
  const rank = Math.ceil(q * h.count);
  for (let i = 0; i < h.le.length; i++) if (h.cumulative[i]! >= rank) return h.le[i]!;
  return Number.POSITIVE_INFINITY;
}

export function summarizeStages(window: StageHistograms): Record<string, StageSummary> {
  const out: Record<string, StageSummary> = {};
  for (const [stage, h] of Object.entries(window)) {
    if (h.count <= 0) continue;
    out[stage] = {
      count: h.count,
      meanUs: (h.sum / h.count) * 1e6,
      p50UpperUs: quantileUpperBound(h, 0.5) * 1e6,
      p99UpperUs: quantileUpperBound(h, 0.99) * 1e6,
    };
  }
  return out;
}

/** Reads a gateway's stage histograms over loopback; undefined when it has no /metrics or is unreachable. */
export async function scrapeStageHistograms(port: number): Promise<StageHistograms | undefined> {
  try {
    const response = await fetch(`http://127.0.0.1:${port}/metrics`, { signal: AbortSignal.timeout(2000) });
    if (!response.ok) {
      await response.body?.cancel();
      return undefined;
    }
    return parseStageHistograms(await response.text());
  } catch {
    return undefined;
  }
}
