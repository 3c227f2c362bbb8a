// Our gateway, compiled (dist/dataplane/main.js), started with a bench config pointing at the mock.
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse, stringify } from 'yaml';
import { assertLoopbackOnly } from '../proc/listen-check.js';
import { freePort, startChild, waitForHttp } from './child-service.js';
import { benchDir, repoRoot } from './paths.js';
import type { Target, TargetName } from './target.js';

const CONFIGS: Partial<Record<TargetName, string>> = {
  gateway: 'configs/pass-through.yaml',
  'gateway-full': 'configs/full-pipeline.yaml',
};

/** The API key whose sha256 configs/full-pipeline.yaml lists; meaningful only to this loopback bench. */
const FULL_PIPELINE_KEY = 'gw-bench-loopback-only-not-a-secret-000000000000';

const AUTHORIZATION: Partial<Record<TargetName, string>> = {
  gateway: 'Bearer bench',
  'gateway-full': `Bearer ${FULL_PIPELINE_KEY}`,
};

/**
 * Stages of the full pipeline that BENCH_FULL_WITHOUT can switch off, to measure what each one adds. `limits`
 * removes every limit and budget (the limits stage then has no check to make, so it neither admits nor
 * reconciles anything); authentication and authorization stay. `routing` sends the requests to the model
 * itself instead of through the complexity router; `analysis` does too (a router's requests are analysed
 * whatever `analysis.enabled` says).
 */
export const OPTIONAL_STAGES = ['analysis', 'analytics', 'cache', 'limits', 'routing'] as const;
export type OptionalStage = (typeof OPTIONAL_STAGES)[number];

/**
 * The config file with the mock's port filled in, written to a private temp directory. With `redisUrl` (the
 * BENCH_REDIS_URL environment variable) the full pipeline keeps its limit counters and cache in that Redis,
 * as a multi-replica deployment does, instead of in process. `without` (BENCH_FULL_WITHOUT=analysis,cache)
 * switches those stages off: the difference to a run with them is their cost.
 */
export function renderConfig(
  template: string,
  mockPort: number,
  redisUrl?: string,
  without: readonly OptionalStage[] = [],
): string {
  const text = template.replaceAll('${BENCH_MOCK_PORT}', String(mockPort));
  if ((redisUrl === undefined || redisUrl === '') && without.length === 0) return text;
  const doc = parse(text) as Record<string, Record<string, unknown> | undefined>;
  if (redisUrl !== undefined && redisUrl !== '') {
    const prefix = `bench-${process.pid}-${Date.now()}:`;
    doc.limits = { ...doc.limits, redis: { url: redisUrl, key_prefix: prefix } };
    if (doc.cache !== undefined)
      doc.cache = { ...doc.cache, redis: { url: redisUrl, key_prefix: `${prefix}c:` } };
  }
  for (const stage of without) {
    if (stage === 'limits') withoutLimits(doc);
    else if (stage !== 'routing') doc[stage] = { ...doc[stage], enabled: false };
  }
  return stringify(doc);
}

/** The full pipeline's requests name its complexity router, unless routing (or the analysis) is off. */
export function fullPipelineModel(without: readonly OptionalStage[]): string {
  return without.includes('routing') || without.includes('analysis') ? 'bench-model' : 'bench-auto';
}

/** Drops every limit spec of the config: global, and per team, its users, apps and keys. */
function withoutLimits(doc: Record<string, Record<string, unknown> | undefined>): void {
  if (doc.limits !== undefined) delete doc.limits.global;
  type Node = { limits?: unknown; user_limits?: unknown; apps?: Record<string, Node>; keys?: Node[] };
  const strip = (node: Node) => {
    delete node.limits;
    delete node.user_limits;
    for (const app of Object.values(node.apps ?? {})) strip(app);
    for (const key of node.keys ?? []) strip(key);
  };
  for (const team of Object.values((doc.teams ?? {}) as Record<string, Node>)) strip(team);
}

/** BENCH_FULL_WITHOUT, checked: a misspelt stage must not silently measure the whole pipeline. */
export function stagesWithout(value: string | undefined): OptionalStage[] {
  const names = (value ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
  for (const name of names)
    if (!(OPTIONAL_STAGES as readonly string[]).includes(name))
      throw new Error(`BENCH_FULL_WITHOUT: unknown stage "${name}" (${OPTIONAL_STAGES.join(', ')})`);
  return names as OptionalStage[];
}

/**
 * Extra Node flags for the gateway process (BENCH_GATEWAY_NODE_ARGS, split on spaces), e.g. `--cpu-prof
 * --cpu-prof-dir=/tmp/prof` to profile it under load: Node refuses --cpu-prof in NODE_OPTIONS.
 */
export function nodeArgs(value: string | undefined): string[] {
  return (value ?? '').split(' ').filter((arg) => arg !== '');
}

export async function startGateway(
  name: 'gateway' | 'gateway-full',
  mockPort: number,
  entry: string,
  note: string,
): Promise<Target> {
  if (!existsSync(entry)) throw new Error(`${entry} is missing: build the gateway first (npm run build)`);
  const dir = mkdtempSync(join(tmpdir(), 'ai-gateway-bench-'));
  const configPath = join(dir, `${name}.yaml`);
  const redisUrl = name === 'gateway-full' ? process.env.BENCH_REDIS_URL : undefined;
  const without = name === 'gateway-full' ? stagesWithout(process.env.BENCH_FULL_WITHOUT) : [];
  writeFileSync(
    configPath,
    renderConfig(readFileSync(join(benchDir, CONFIGS[name]!), 'utf8'), mockPort, redisUrl, without),
  );
  // The port is chosen here rather than read from the "listening" log line: at level warn that line is
  // not logged.
  const port = await freePort();
  const service = startChild(
    name,
    process.execPath,
    [...nodeArgs(process.env.BENCH_GATEWAY_NODE_ARGS), entry],
    {
      ...process.env,
      NODE_ENV: 'production',
      GATEWAY_CONFIG: configPath,
      HOST: '127.0.0.1',
      PORT: String(port),
    },
    repoRoot,
  );
  try {
    await waitForHttp(port, '/readyz', 20_000, name);
    assertLoopbackOnly(port, name);
    return {
      name,
      port,
      model: name === 'gateway-full' ? fullPipelineModel(without) : 'bench-model',
      headers: { authorization: AUTHORIZATION[name]! },
      pid: service.pid,
      stageMetrics: true,
      version:
        `${note}, config bench/${CONFIGS[name]}` +
        (redisUrl ? ` with limits and cache on Redis (${redisUrl})` : '') +
        (without.length > 0 ? ` without ${without.join(' and ')}` : ''),
      async stop() {
        await service.stop();
        rmSync(dir, { recursive: true, force: true });
      },
    };
  } catch (error) {
    await service.stop();
    rmSync(dir, { recursive: true, force: true });
    throw new Error(`${error instanceof Error ? error.message : String(error)}\n${service.tail()}`);
  }
}
