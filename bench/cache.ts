// Cache performance: the lookup itself (exact hit; semantic lookup = embed + vector search + verification)
// measured on the ResponseCache with the real model and Redis 8, sustained semantic lookups per second with
// micro-batching, and end to end through a gateway: exact hit vs an upstream call, and what a semantic miss
// adds to the uncached path. Prints Markdown; numbers go to bench/README.md.
// Usage: REDIS_URL=redis://127.0.0.1:6379 node --import tsx bench/cache.ts [--fp32] [--workers N] [--threads N]
//   [--seconds N]   (--workers: embeddings worker threads, --threads: onnxruntime threads in each)
// Without REDIS_URL the in-process backend is measured (and said so).
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { performance } from 'node:perf_hooks';
import { randomBytes } from 'node:crypto';
import { parseConfig } from '../dataplane/config/load.js';
import { startGateway } from '../dataplane/gateway.js';
import { startEmbeddingService } from '../dataplane/cache/embeddings/service.js';
import { createMemoryBackend } from '../dataplane/cache/memory-backend.js';
import { createRedisBackend } from '../dataplane/cache/redis-backend.js';
import { createResponseCache, type LookupInput } from '../dataplane/cache/response-cache.js';
import { requestKeys } from '../dataplane/cache/request-key.js';
import { verifyMatch } from '../dataplane/cache/verify/index.js';
import { cacheConfigSchema } from '../dataplane/cache/schema.js';
import { createGatewayMetrics } from '../dataplane/observability/gateway-metrics.js';
import { createLogger } from '../dataplane/observability/logger.js';
import { summarize, type LatencySummary } from './stats/percentiles.js';

const args = process.argv.slice(2);
const quantized = !args.includes('--fp32');
const secondsAt = args.indexOf('--seconds');
const threadsAt = args.indexOf('--threads');
const threads = threadsAt >= 0 ? Number(args[threadsAt + 1]) : 1;
const workersAt = args.indexOf('--workers');
// Absent: the config's default (2 on two or more cores).
const workers = workersAt >= 0 ? Number(args[workersAt + 1]) : undefined;
// The cache's own embeddings and the end-to-end gateway's run the same model settings.
const embeddings = { quantized, ...(workers === undefined ? {} : { workers }), intra_op_threads: threads };
const seconds = secondsAt >= 0 ? Number(args[secondsAt + 1]) : 5;
const redisUrl = process.env.REDIS_URL;

const VERBS = ['configure', 'debug', 'upgrade', 'migrate', 'profile', 'secure', 'deploy', 'monitor'];
const THINGS = [
  'retry policy',
  'connection pool',
  'cache layer',
  'job queue',
  'auth middleware',
  'log shipper',
];
const TOOLS = ['Kubernetes', 'Postgres', 'Django', 'Spring Boot', 'Next.js', 'Terraform', 'Kafka', 'Redis'];

/** About 30 tokens each, all different (the index is in the text), so the embedding LRU never answers. */
function prompt(i: number): string {
  const v = VERBS[i % VERBS.length]!;
  const t = THINGS[Math.floor(i / VERBS.length) % THINGS.length]!;
  const tool = TOOLS[Math.floor(i / 48) % TOOLS.length]!;
  return `How should I ${v} the ${t} of our ${tool} service so that it survives ${i} failed requests per minute without dropping user sessions?`;
}

const ms = (s: LatencySummary, q: 'p50' | 'p90' | 'p99') => `${s[q].toFixed(2)} ms`;

async function timeEach(n: number, fn: (i: number) => Promise<unknown>): Promise<LatencySummary> {
  const samples = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const t0 = performance.now();
    await fn(i);
    samples[i] = performance.now() - t0;
  }
  samples.sort();
  return summarize(samples);
}

function startUpstream(): Promise<Server> {
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      const text = JSON.stringify({
        id: 'chatcmpl-bench',
        object: 'chat.completion',
        created: 1_700_000_000,
        model: 'bench',
        choices: [
          { index: 0, message: { role: 'assistant', content: `ok ${body.length}` }, finish_reason: 'stop' },
        ],
        usage: { prompt_tokens: 30, completion_tokens: 5, total_tokens: 35 },
      });
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
      res.end(text);
    });
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

async function main() {
  const metrics = createGatewayMetrics();
  const logger = createLogger('error');
  const config = cacheConfigSchema.parse({
    enabled: true,
    ...(redisUrl === undefined
      ? {}
      : { redis: { url: redisUrl, key_prefix: `gwc-bench-${randomBytes(3).toString('hex')}:` } }),
    embeddings,
  });
  const service = await startEmbeddingService(config.embeddings, { metrics, logger });
  const backend =
    config.redis === undefined
      ? createMemoryBackend({
          maxEntries: 100_000,
          maxBytes: 256 * 1024 * 1024,
          maxEntriesPerPartition: 100_000,
        })
      : createRedisBackend({
          url: config.redis.url,
          keyPrefix: config.redis.key_prefix,
          commandTimeoutMs: 1000,
          connectTimeoutMs: 1000,
          quantization: config.semantic.quantization,
          sweepMaxSets: 10,
          sweepMaxMembers: 10,
          onError: () => undefined,
        });
  const cache = createResponseCache({
    backend,
    embedder: service.embedder,
    space: service.space,
    metrics,
    logger,
  });
  await new Promise((r) => setTimeout(r, 300));
  const input = (content: string): LookupInput => ({
    endpoint: 'chat',
    modelId: 'bench-model',
    body: { model: 'bench-model', temperature: 0, messages: [{ role: 'user', content }] },
    identity: undefined,
    cacheControl: undefined,
    piiFindings: 0,
    signal: new AbortController().signal,
  });
  const answer = {
    endpoint: 'chat' as const,
    body: '{"id":"x","object":"chat.completion","created":1,"model":"m","choices":[{"index":0,"message":{"role":"assistant","content":"cached"},"finish_reason":"stop"}]}',
    usage: { prompt: 30, completion: 5, cached: 0, cacheWrite: 0, reasoning: 0 },
    storedAt: Date.now(),
  };
  // Fill the partition with 2,000 cached prompts so searches run against a populated index.
  for (let i = 0; i < 2000; i++) {
    const lookup = (await cache.lookup(config, input(prompt(100_000 + i))))!;
    cache.store(lookup, answer);
  }
  await new Promise((r) => setTimeout(r, 500));
  const exactPrompt = prompt(100_000);
  const exact = await timeEach(2000, () => cache.lookup(config, input(exactPrompt)));
  let offset = 0;
  const semantic = await timeEach(300, (i) => cache.lookup(config, input(prompt(i))));
  offset += 300;
  const embedOnly = await timeEach(200, (i) => service.embedder.embed(prompt(offset + i)));
  offset += 200;
  const probe = await service.embedder.embed(prompt(offset++));
  const partition = {
    tenant: '-/-',
    model: 'bench-model',
    fingerprint: requestKeys('chat', 'bench-model', input(prompt(0)).body).semantic!.fingerprint,
  };
  const searchOnly = await timeEach(300, () => backend.search(partition, probe, config.semantic.candidates));
  // The semantic step alone, as the issue defines it: embed the new prompt, search, verify the candidates.
  const semanticStep = await timeEach(300, async (i) => {
    const text = prompt(offset + i);
    const vector = await service.embedder.embed(text);
    const candidates = await backend.search(partition, vector, config.semantic.candidates);
    for (const c of candidates) verifyMatch(c.prompt, text);
  });
  offset += 300;

  // Sustained lookups per second at a fixed concurrency of clients, each with fresh prompts.
  const throughput: { concurrency: number; perSecond: number; p50: number }[] = [];
  for (const concurrency of [1, 16, 64]) {
    let done = 0;
    const latencies: number[] = [];
    const until = performance.now() + seconds * 1000;
    await Promise.all(
      Array.from({ length: concurrency }, async () => {
        while (performance.now() < until) {
          const i = offset++;
          const t0 = performance.now();
          await cache.lookup(config, input(prompt(i)));
          latencies.push(performance.now() - t0);
          done += 1;
        }
      }),
    );
    latencies.sort((a, b) => a - b);
    throughput.push({
      concurrency,
      perSecond: done / seconds,
      p50: latencies[Math.floor(latencies.length / 2)]!,
    });
  }

  // End to end through a gateway: 0 ms upstream, sequential requests from this process.
  const upstream = await startUpstream();
  const upstreamUrl = `http://127.0.0.1:${(upstream.address() as AddressInfo).port}/v1`;
  const gatewayDoc = (cacheOn: boolean) => ({
    logging: { level: 'error' },
    analytics: { enabled: false },
    providers: { up: { type: 'openai', base_url: upstreamUrl, api_key: 'x' } },
    models: { m: { provider: 'up' } },
    cache: cacheOn
      ? {
          enabled: true,
          embeddings,
          ...(redisUrl === undefined
            ? {}
            : { redis: { url: redisUrl, key_prefix: `gwc-bench-${randomBytes(3).toString('hex')}:` } }),
        }
      : { enabled: false },
  });
  const post = (url: string, content: string) =>
    fetch(`${url}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'm', temperature: 0, messages: [{ role: 'user', content }] }),
    }).then((r) => r.text());
  const plain = await startGateway({ config: parseConfig(gatewayDoc(false), process.env, 'bench'), port: 0 });
  const cached = await startGateway({
    config: parseConfig(gatewayDoc(true), process.env, 'bench'),
    port: 0,
    embeddings: service,
  });
  for (let i = 0; i < 200; i++) {
    await post(plain.url, prompt(i));
    await post(cached.url, prompt(i));
  }
  const uncached = await timeEach(1000, (i) => post(plain.url, prompt(200_000 + i)));
  const hit = await timeEach(1000, () => post(cached.url, prompt(0)));
  const before = await (await fetch(`${cached.url}/metrics`)).text();
  const miss = await timeEach(300, (i) => post(cached.url, prompt(300_000 + i)));
  const after = await (await fetch(`${cached.url}/metrics`)).text();
  const metric = (text: string, name: string) =>
    Number(new RegExp(`^${name} ([0-9.e+-]+)$`, 'm').exec(text)?.[1] ?? 'NaN');
  const inGateway = (name: string) => metric(after, name) - metric(before, name);
  const missLookupMs =
    (inGateway('gateway_cache_lookup_seconds_sum\\{layer="miss"\\}') /
      inGateway('gateway_cache_lookup_seconds_count\\{layer="miss"\\}')) *
    1000;
  await plain.shutdown(1000);
  await cached.shutdown(1000);
  upstream.close();

  const lines = [
    `## Cache performance (${redisUrl === undefined ? 'in-process backend' : 'Redis 8 backend'}, all-MiniLM-L6-v2 ${quantized ? 'int8' : 'fp32'}, ${config.embeddings.workers} embeddings worker${config.embeddings.workers === 1 ? '' : 's'} × ${threads} onnxruntime thread${threads === 1 ? '' : 's'}, batches up to 32)`,
    '',
    '| measure | p50 | p90 | p99 |',
    '|---|---:|---:|---:|',
    `| exact-hit lookup (canonical key + GET) | ${ms(exact, 'p50')} | ${ms(exact, 'p90')} | ${ms(exact, 'p99')} |`,
    `| whole semantic lookup, ~30-token prompt (policy, keys, exact GET, embed, VSIM, verify), one at a time | ${ms(semantic, 'p50')} | ${ms(semantic, 'p90')} | ${ms(semantic, 'p99')} |`,
    `| semantic step alone: embed + VSIM + verify (no exact GET, no bookkeeping) | ${ms(semanticStep, 'p50')} | ${ms(semanticStep, 'p90')} | ${ms(semanticStep, 'p99')} |`,
    `| of which embedding alone | ${ms(embedOnly, 'p50')} | ${ms(embedOnly, 'p90')} | ${ms(embedOnly, 'p99')} |`,
    `| of which vector search (VSIM + candidates' hashes), ${config.semantic.candidates} candidates | ${ms(searchOnly, 'p50')} | ${ms(searchOnly, 'p90')} | ${ms(searchOnly, 'p99')} |`,
    `| end to end: uncached request, 0 ms upstream | ${ms(uncached, 'p50')} | ${ms(uncached, 'p90')} | ${ms(uncached, 'p99')} |`,
    `| end to end: exact hit | ${ms(hit, 'p50')} | ${ms(hit, 'p90')} | ${ms(hit, 'p99')} |`,
    `| end to end: semantic miss (lookup + upstream + store) | ${ms(miss, 'p50')} | ${ms(miss, 'p90')} | ${ms(miss, 'p99')} |`,
    '',
    `A semantic miss adds ${(miss.p50 - uncached.p50).toFixed(2)} ms p50 to the uncached path; the lookup alone is ${semantic.p50.toFixed(2)} ms p50 (measured on the cache directly) and ${missLookupMs.toFixed(2)} ms on average inside the gateway during the miss run.`,
    '',
    '| concurrent lookups | lookups/s | p50 |',
    '|---:|---:|---:|',
    ...throughput.map((t) => `| ${t.concurrency} | ${t.perSecond.toFixed(0)} | ${t.p50.toFixed(1)} ms |`),
    '',
  ];
  process.stdout.write(lines.join('\n'));
  await service.close();
  await backend.close();
}

await main();
