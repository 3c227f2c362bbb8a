// Gateway-process CPU of the limiter on the Redis store, old versus new: each run is a fresh child process that
// builds the limiter with the heavy limit set of bench/configs/full-pipeline.yaml (key, team and global scopes:
// 11 counters), runs admit → reconcile (not awaited, as in the gateway) for N requests with a fixed number in
// flight, and reports process CPU per request (process.cpuUsage over the measured part only), admit latency
// p50/p99 and the Redis server's CPU per request (INFO cpu; the server may be shared, so that column is
// approximate). Old and new alternate so a
// busy machine hurts both alike. Fresh processes keep one variant's JIT state and garbage out of the other's.
// Usage: node --import tsx bench/micro/limits-redis.ts [--old REF|DIR] [--redis URL] [--repeats N]
//   [--requests N] [--warmup N] [--concurrency N] [--rate REQ_PER_S (0: closed loop)]
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { Redis } from 'ioredis';
import type * as ConfigSchemaModule from '../../dataplane/config/schema.js';
import type * as LimiterModule from '../../dataplane/limits/limiter.js';
import type { Limiter, LimitScope } from '../../dataplane/limits/limiter.js';
import type * as RedisStoreModule from '../../dataplane/limits/redis-store.js';
import type { RedisLimitStore } from '../../dataplane/limits/redis-store.js';
import type * as LimitsSchemaModule from '../../dataplane/limits/schema.js';
import type { LimitsConfig } from '../../dataplane/limits/schema.js';
import { repoRoot } from '../targets/paths.js';
import { resolveOldSource } from './old-source.js';

interface RunResult {
  variant: string;
  cpuUsPerRequest: number;
  /** The kernel's part (syscalls, wake-ups) of cpuUsPerRequest. */
  systemUsPerRequest: number;
  redisCpuUsPerRequest: number;
  /** Time Redis spent running the limit scripts (INFO commandstats), per request: the scripts' own cost. */
  redisScriptUsPerRequest: number;
  admitP50Ms: number;
  admitP99Ms: number;
  requestsPerSecond: number;
}

const log = (line: string): void => {
  process.stderr.write(`${line}\n`);
};

/** Limit specs exactly as in bench/configs/full-pipeline.yaml (the key, its team, and the global scope). */
const KEY_LIMITS = { rpm: 100000000, tpm: 10000000000, concurrency: 100000 };
const TEAM_LIMITS = {
  rpm: 100000000,
  tpm: 10000000000,
  concurrency: 100000,
  tokens: { day: 1000000000000 },
  cost_usd: { day: 1000000000 },
};
const GLOBAL_LIMITS = { rpm: 100000000, tpm: 10000000000, concurrency: 100000 };

/** Microseconds Redis has spent in EVAL and EVALSHA since its start (or its last CONFIG RESETSTAT). */
async function redisScriptUs(client: Redis): Promise<number> {
  const info = await client.info('commandstats');
  let sum = 0;
  for (const match of info.matchAll(/^cmdstat_eval(?:sha)?:calls=\d+,usec=(\d+)/gm)) sum += Number(match[1]);
  return sum;
}

async function redisCpuSeconds(client: Redis): Promise<number> {
  const info = await client.info('cpu');
  const field = (name: string) => Number(new RegExp(`^${name}:([\\d.]+)`, 'm').exec(info)?.[1] ?? 0);
  return field('used_cpu_sys') + field('used_cpu_user');
}

async function child(options: {
  root: string;
  variant: string;
  url: string;
  requests: number;
  warmup: number;
  concurrency: number;
  rate: number;
}): Promise<RunResult> {
  const load = async <T>(file: string) =>
    (await import(pathToFileURL(join(options.root, 'dataplane/limits', file)).href)) as T;
  const { createLimiter } = await load<typeof LimiterModule>('limiter.ts');
  const { createRedisStore } = await load<typeof RedisStoreModule>('redis-store.ts');
  const { limitSpecSchema } = await load<typeof LimitsSchemaModule>('schema.ts');
  const { pricingSchema } = (await import(
    pathToFileURL(join(options.root, 'dataplane/config/schema.ts')).href
  )) as typeof ConfigSchemaModule;

  const prefix = `gwbench:${options.variant}:${process.pid}:`;
  const store: RedisLimitStore = createRedisStore({
    url: options.url,
    keyPrefix: prefix,
    commandTimeoutMs: 2000,
    connectTimeoutMs: 2000,
    reconcileDelayMs: 2,
    onError: (error) => log(`redis: ${error.message}`),
  });
  const config: LimitsConfig = { timezone: 'UTC', reservation_ttl_s: 900 };
  const limiter: Limiter = createLimiter({
    store,
    config,
    logger: { debug() {}, info() {}, warn() {}, error() {}, setLevel() {} },
    metrics: { backendError() {}, rejected() {} },
  });
  const scopes: LimitScope[] = [
    { id: 'key:bench/load/bench-key', label: 'key', spec: limitSpecSchema.parse(KEY_LIMITS) },
    { id: 'team:bench', label: 'team', spec: limitSpecSchema.parse(TEAM_LIMITS) },
    { id: 'global', label: 'global', spec: limitSpecSchema.parse(GLOBAL_LIMITS) },
  ];
  const pricing = pricingSchema.parse({ input_per_mtok: 0.15, output_per_mtok: 0.6 });
  const admin = new Redis(options.url, { lazyConnect: false });
  while (!store.ready()) await new Promise((resolve) => setTimeout(resolve, 10));

  const latencies = new Float64Array(options.requests);
  const one = async (i: number, record: boolean) => {
    const requestId = `req-${options.variant}-${record ? 'm' : 'w'}-${i}`;
    const started = performance.now();
    const ticket = await limiter.admit({
      requestId,
      scopes,
      promptTokens: 60,
      completionUpperBound: 256,
      pricing,
      partialAllowed: false,
    });
    if (record) latencies[i] = performance.now() - started;
    if (ticket.degraded) throw new Error('limit backend unavailable during the bench');
    // As the gateway's limits stage: the reconciliation is not awaited (the run drains them at its end).
    void limiter.reconcile(ticket, requestId, { tokens: 90, costNano: 22_500 });
  };
  // Paced (open loop) at `rate` requests/s with at most `concurrency` in flight, as a gateway under a steady
  // load; rate 0 runs a closed loop of `concurrency` workers (saturation: latency then only measures queueing).
  const run = async (total: number, record: boolean) => {
    let next = 0;
    if (options.rate <= 0) {
      const worker = async () => {
        for (let i = next++; i < total; i = next++) await one(i, record);
      };
      await Promise.all(Array.from({ length: options.concurrency }, worker));
      return;
    }
    let inFlight = 0;
    const started = performance.now();
    await new Promise<void>((resolve, reject) => {
      const tick = () => {
        const due = Math.min(total, Math.floor(((performance.now() - started) * options.rate) / 1000) + 1);
        while (next < due && inFlight < options.concurrency) {
          inFlight++;
          one(next++, record).then(() => {
            inFlight--;
            if (next >= total && inFlight === 0) resolve();
          }, reject);
        }
        if (next < total) setTimeout(tick, 1);
      };
      tick();
    });
  };

  await run(options.warmup, false);
  await limiter.drain();
  const redisBefore = await redisCpuSeconds(admin);
  const scriptBefore = await redisScriptUs(admin);
  const cpuBefore = process.cpuUsage();
  const wallBefore = performance.now();
  await run(options.requests, true);
  await limiter.drain();
  const cpu = process.cpuUsage(cpuBefore);
  const wallMs = performance.now() - wallBefore;
  const redisAfter = await redisCpuSeconds(admin);
  const scriptAfter = await redisScriptUs(admin);

  // The counters of a bench run are of no use afterwards (budget counters would otherwise live 35 days).
  let cursor = '0';
  do {
    const [nextCursor, keys] = await admin.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
    if (keys.length > 0) await admin.del(...keys);
    cursor = nextCursor;
  } while (cursor !== '0');
  await store.close();
  await admin.quit();

  const sorted = Array.from(latencies).sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
  return {
    variant: options.variant,
    cpuUsPerRequest: (cpu.user + cpu.system) / options.requests,
    systemUsPerRequest: cpu.system / options.requests,
    redisCpuUsPerRequest: ((redisAfter - redisBefore) * 1e6) / options.requests,
    redisScriptUsPerRequest: (scriptAfter - scriptBefore) / options.requests,
    admitP50Ms: at(0.5),
    admitP99Ms: at(0.99),
    requestsPerSecond: options.requests / (wallMs / 1000),
  };
}

function summarize(values: number[], digits: number): string {
  const sorted = [...values].sort((a, b) => a - b);
  const median = sorted[Math.floor(sorted.length / 2)]!;
  return `${median.toFixed(digits)} (${sorted[0]!.toFixed(digits)}–${sorted.at(-1)!.toFixed(digits)})`;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      child: { type: 'boolean', default: false },
      root: { type: 'string', default: repoRoot },
      variant: { type: 'string', default: 'new' },
      old: { type: 'string', default: 'HEAD' },
      redis: { type: 'string', default: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379' },
      repeats: { type: 'string', default: '5' },
      requests: { type: 'string', default: '20000' },
      warmup: { type: 'string', default: '5000' },
      concurrency: { type: 'string', default: '50' },
      rate: { type: 'string', default: '2000' },
    },
  });
  const numbers = {
    requests: Number(values.requests),
    warmup: Number(values.warmup),
    concurrency: Number(values.concurrency),
    rate: Number(values.rate),
  };
  if (values.child) {
    const result = await child({ root: values.root, variant: values.variant, url: values.redis, ...numbers });
    process.stdout.write(`${JSON.stringify(result)}\n`);
    return;
  }
  const old = resolveOldSource(repoRoot, values.old, log);
  const variants = [{ variant: 'new', root: repoRoot }];
  if (old !== undefined) variants.push({ variant: 'old', root: old.root });
  const results: RunResult[] = [];
  for (let r = 0; r < Number(values.repeats); r++) {
    // Alternate which variant goes first, so a drift in machine load does not favour one side.
    const order = r % 2 === 0 ? variants : [...variants].reverse();
    for (const v of order) {
      const output = execFileSync(
        process.execPath,
        [
          '--import',
          'tsx',
          join(repoRoot, 'bench/micro/limits-redis.ts'),
          '--child',
          `--root=${v.root}`,
          `--variant=${v.variant}`,
          `--redis=${values.redis}`,
          `--requests=${numbers.requests}`,
          `--warmup=${numbers.warmup}`,
          `--concurrency=${numbers.concurrency}`,
          `--rate=${numbers.rate}`,
        ],
        { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] },
      );
      const result = JSON.parse(output.trim().split('\n').at(-1)!) as RunResult;
      results.push(result);
      log(
        `run ${r + 1} ${v.variant}: ${result.cpuUsPerRequest.toFixed(1)} µs CPU/req ` +
          `(${result.systemUsPerRequest.toFixed(1)} system), admit p50 ` +
          `${result.admitP50Ms.toFixed(3)} ms p99 ${result.admitP99Ms.toFixed(3)} ms, ` +
          `redis ${result.redisCpuUsPerRequest.toFixed(1)} µs/req (scripts ${result.redisScriptUsPerRequest.toFixed(1)}), ` +
          `${result.requestsPerSecond.toFixed(0)} req/s`,
      );
    }
  }
  const label = (variant: string) => (variant === 'old' ? `old (${old?.label ?? ''})` : 'new (working tree)');
  process.stdout.write(
    `\nlimiter on Redis, admit → reconcile, ${numbers.requests} requests × ${values.repeats} runs, ` +
      `${numbers.rate > 0 ? `paced at ${numbers.rate} req/s, at most ` : ''}${numbers.concurrency} in flight; ` +
      'median (min–max)\n\n' +
      '| variant | gateway CPU µs/req | of it system | admit p50 ms | admit p99 ms | Redis CPU µs/req | of it scripts | req/s |\n' +
      '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |\n',
  );
  for (const v of variants) {
    const rows = results.filter((r) => r.variant === v.variant);
    process.stdout.write(
      `| ${label(v.variant)} | ${summarize(
        rows.map((r) => r.cpuUsPerRequest),
        1,
      )} | ${summarize(
        rows.map((r) => r.systemUsPerRequest),
        1,
      )} | ${summarize(
        rows.map((r) => r.admitP50Ms),
        3,
      )} | ${summarize(
        rows.map((r) => r.admitP99Ms),
        3,
      )} | ${summarize(
        rows.map((r) => r.redisCpuUsPerRequest),
        1,
      )} | ${summarize(
        rows.map((r) => r.redisScriptUsPerRequest),
        1,
      )} | ${summarize(
        rows.map((r) => r.requestsPerSecond),
        0,
      )} |\n`,
    );
  }
}

await main();
