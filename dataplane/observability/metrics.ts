// A small Prometheus registry (counters, gauges, histograms with labels) rendered in the text format.
// Hand-written because the hot path only does a Map lookup and an increment per observation.

type Labels = Record<string, string>;

interface Metric {
  render(): string;
}

function escapeLabel(value: string): string {
  return value.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"');
}

function labelText(names: readonly string[], values: readonly string[], extra = ''): string {
  const parts = names.map((name, i) => `${name}="${escapeLabel(values[i] ?? '')}"`);
  if (extra !== '') parts.push(extra);
  return parts.length === 0 ? '' : `{${parts.join(',')}}`;
}

/**
 * The series of one metric, found by walking one Map per label name: a hit allocates nothing (no values array,
 * no joined key string), which is what every request's half-dozen observations do once their label sets exist.
 * `all` keeps creation order for the exposition.
 */
class SeriesTable<S extends { values: string[] }> {
  private readonly root = new Map<string, unknown>();
  private only: S | undefined;
  readonly all: S[] = [];
  constructor(
    private readonly names: readonly string[],
    private readonly create: (values: string[]) => S,
  ) {}

  find(labels: Labels): S | undefined {
    if (this.names.length === 0) return this.only;
    let node: unknown = this.root;
    for (const name of this.names) {
      node = (node as Map<string, unknown>).get(labels[name] ?? '');
      if (node === undefined) return undefined;
    }
    return node as S;
  }

  get(labels: Labels): S {
    const found = this.find(labels);
    if (found !== undefined) return found;
    const s = this.create(this.names.map((n) => labels[n] ?? ''));
    this.all.push(s);
    if (this.names.length === 0) {
      this.only = s;
      return s;
    }
    let node = this.root;
    const last = this.names.length - 1;
    for (let i = 0; i < last; i++) {
      const value = s.values[i]!;
      let next = node.get(value) as Map<string, unknown> | undefined;
      if (next === undefined) {
        next = new Map();
        node.set(value, next);
      }
      node = next;
    }
    node.set(s.values[last]!, s);
    return s;
  }
}

export class Counter implements Metric {
  private readonly series: SeriesTable<{ values: string[]; value: number }>;
  constructor(
    readonly name: string,
    readonly help: string,
    readonly labelNames: readonly string[] = [],
  ) {
    this.series = new SeriesTable(labelNames, (values) => ({ values, value: 0 }));
  }

  inc(labels: Labels = {}, by = 1): void {
    // Whatever reaches a counter from an upstream's answer (a count sent as "5") must not turn the exposition
    // into text Prometheus refuses (`555`, `1e31e3`), which would lose every series of the scrape.
    if (typeof by !== 'number' || !Number.isFinite(by)) return;
    this.series.get(labels).value += by;
  }

  get(labels: Labels = {}): number {
    return this.series.find(labels)?.value ?? 0;
  }

  render(): string {
    let out = `# HELP ${this.name} ${this.help}\n# TYPE ${this.name} counter\n`;
    for (const s of this.series.all)
      out += `${this.name}${labelText(this.labelNames, s.values)} ${s.value}\n`;
    return out;
  }
}

export class Gauge implements Metric {
  private readonly series: SeriesTable<{ values: string[]; value: number }>;
  constructor(
    readonly name: string,
    readonly help: string,
    readonly labelNames: readonly string[] = [],
    /** Read at scrape time: one value, or one value per label set. */
    private readonly collect?: () => number | readonly (readonly [Labels, number])[],
  ) {
    this.series = new SeriesTable(labelNames, (values) => ({ values, value: 0 }));
  }

  set(value: number, labels: Labels = {}): void {
    this.series.get(labels).value = value;
  }

  add(delta: number, labels: Labels = {}): void {
    this.series.get(labels).value += delta;
  }

  get(labels: Labels = {}): number {
    return this.series.find(labels)?.value ?? 0;
  }

  render(): string {
    if (this.collect !== undefined) {
      const collected = this.collect();
      if (typeof collected === 'number') this.set(collected);
      else for (const [labels, value] of collected) this.set(value, labels);
    }
    let out = `# HELP ${this.name} ${this.help}\n# TYPE ${this.name} gauge\n`;
    for (const s of this.series.all)
      out += `${this.name}${labelText(this.labelNames, s.values)} ${s.value}\n`;
    return out;
  }
}

interface HistogramSeries {
  values: string[];
  counts: Float64Array;
  sum: number;
  count: number;
}

export class Histogram implements Metric {
  private readonly series: SeriesTable<HistogramSeries>;
  constructor(
    readonly name: string,
    readonly help: string,
    readonly labelNames: readonly string[],
    /** Upper bounds in the metric's unit, ascending; +Inf is implied. */
    readonly buckets: readonly number[],
  ) {
    this.series = new SeriesTable(labelNames, (values) => ({
      values,
      counts: new Float64Array(buckets.length),
      sum: 0,
      count: 0,
    }));
  }

  observe(value: number, labels: Labels = {}): void {
    if (!Number.isFinite(value)) return;
    this.add(this.series.get(labels), value);
  }

  private add(s: HistogramSeries, value: number): void {
    for (let i = 0; i < this.buckets.length; i++) {
      if (value <= this.buckets[i]!) {
        s.counts[i]! += 1;
        break;
      }
    }
    s.sum += value;
    s.count += 1;
  }

  count(labels: Labels = {}): number {
    return this.series.find(labels)?.count ?? 0;
  }

  /** An observer of one label set, resolved once: nothing to look up or allocate per observation. */
  bind(labels: Labels): (value: number) => void {
    const series = this.series.get(labels);
    return (value) => {
      if (Number.isFinite(value)) this.add(series, value);
    };
  }

  render(): string {
    let out = `# HELP ${this.name} ${this.help}\n# TYPE ${this.name} histogram\n`;
    for (const s of this.series.all) {
      let cumulative = 0;
      for (let i = 0; i < this.buckets.length; i++) {
        cumulative += s.counts[i]!;
        out += `${this.name}_bucket${labelText(this.labelNames, s.values, `le="${this.buckets[i]}"`)} ${cumulative}\n`;
      }
      out += `${this.name}_bucket${labelText(this.labelNames, s.values, 'le="+Inf"')} ${s.count}\n`;
      out += `${this.name}_sum${labelText(this.labelNames, s.values)} ${s.sum}\n`;
      out += `${this.name}_count${labelText(this.labelNames, s.values)} ${s.count}\n`;
    }
    return out;
  }
}

export class Registry {
  private readonly metrics: Metric[] = [];
  register<T extends Metric>(metric: T): T {
    this.metrics.push(metric);
    return metric;
  }
  render(): string {
    return this.metrics.map((m) => m.render()).join('');
  }
}

/** Latency buckets in seconds, from 0.5 ms (gateway overhead) to 5 min (long generations). */
export const LATENCY_BUCKETS = [
  0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300,
];

/** Runs `work` and tells `observe` how long it took, in seconds, whether it succeeded or threw. */
export async function timed<T>(observe: (seconds: number) => void, work: () => Promise<T>): Promise<T> {
  const started = performance.now();
  try {
    return await work();
  } finally {
    observe((performance.now() - started) / 1000);
  }
}
