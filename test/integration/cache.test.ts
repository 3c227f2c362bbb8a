// The exact and semantic cache against real Redis 8 (REDIS_URL) and the real embedding model (provisioned by
// `npm run model:provision`), with an upstream that numbers its answers so a cached one is recognisable.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { startCountingUpstream, type CountingUpstream } from '../support/counting-upstream.js';
import { sharedEmbeddingsMetrics, startTestGateway, type TestGateway } from '../support/gateway.js';
import { bearer, newKey } from '../support/identities.js';
import { metricValue } from '../support/raw-http.js';
import { redisCommand, redisUrl, startPrivateRedis } from '../support/redis.js';
import { waitFor } from '../support/wait.js';

const keyA = newKey();
const keyB = newKey();
const admin = newKey();

function gatewayDoc(upstream: CountingUpstream, cache: Record<string, unknown>): Record<string, unknown> {
  return {
    providers: { up: { type: 'openai', base_url: `${upstream.url}/v1`, api_key: 'sk-test' } },
    models: {
      'gpt-test': { provider: 'up', pricing: { input_per_mtok: 1, output_per_mtok: 2 } },
      'gpt-other': { provider: 'up' },
    },
    teams: {
      acme: {
        models: ['*'],
        apps: {
          a: { keys: [{ id: 'a', sha256: keyA.sha256 }] },
          b: { keys: [{ id: 'b', sha256: keyB.sha256 }] },
          ops: { keys: [{ id: 'ops', sha256: admin.sha256, roles: ['admin'] }] },
        },
      },
    },
    workers: { threads: 1 },
    cache: { enabled: true, ...cache },
  };
}

const prefix = () => `gwc-test-${randomBytes(4).toString('hex')}:`;

/** Runs `body` against a fresh upstream and a gateway with this cache config; both are stopped after it. */
async function withGateway(
  cache: Record<string, unknown>,
  body: (gateway: TestGateway, upstream: CountingUpstream) => Promise<void>,
  upstreamOptions: { delayMs?: number } = {},
): Promise<void> {
  const upstream = await startCountingUpstream(upstreamOptions);
  try {
    const gateway = await startTestGateway(gatewayDoc(upstream, cache));
    try {
      await body(gateway, upstream);
    } finally {
      await gateway.shutdown(1000);
    }
  } finally {
    await upstream.close();
  }
}

interface Reply {
  status: number;
  cache: string | null;
  similarity: string | null;
  text: string;
  json: Record<string, unknown>;
}

async function ask(
  gateway: TestGateway,
  content: string | readonly { role: string; content: string }[],
  options: { key?: string; stream?: boolean; headers?: Record<string, string>; body?: object } = {},
): Promise<Reply> {
  const messages = typeof content === 'string' ? [{ role: 'user', content }] : content;
  const response = await fetch(`${gateway.url}/v1/chat/completions`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      ...bearer(options.key ?? keyA.key),
      ...options.headers,
    },
    body: JSON.stringify({
      model: 'gpt-test',
      temperature: 0,
      messages,
      ...(options.stream === true ? { stream: true } : {}),
      ...options.body,
    }),
  });
  const raw = await response.text();
  let text = '';
  let json: Record<string, unknown> = {};
  if (options.stream === true) {
    for (const line of raw.split('\n')) {
      if (!line.startsWith('data: ') || line === 'data: [DONE]') continue;
      const chunk = JSON.parse(line.slice(6)) as { choices: { delta: { content?: string } }[] };
      text += chunk.choices[0]?.delta.content ?? '';
    }
    json = { raw };
  } else {
    json = JSON.parse(raw) as Record<string, unknown>;
    const choices = json.choices as { message: { content: string } }[] | undefined;
    text = choices?.[0]?.message.content ?? '';
  }
  return {
    status: response.status,
    cache: response.headers.get('x-gateway-cache'),
    similarity: response.headers.get('x-gateway-cache-similarity'),
    text,
    json,
  };
}

describe('cache on Redis 8 with the real embedding model', () => {
  let upstream: CountingUpstream;
  let gateway: TestGateway;
  const keyPrefix = prefix();

  before(async () => {
    upstream = await startCountingUpstream();
    gateway = await startTestGateway(
      gatewayDoc(upstream, {
        redis: { url: redisUrl(), key_prefix: keyPrefix },
        semantic: { threshold: 0.85, sweep: { interval_ms: 200 } },
      }),
    );
  });
  after(async () => {
    await gateway.shutdown(1000);
    await upstream.close();
  });

  /** A cacheable Anthropic Messages request from app A. */
  const askMessages = (content: string, stream: boolean, headers: Record<string, string> = {}) =>
    fetch(`${gateway.url}/v1/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...bearer(keyA.key), ...headers },
      body: JSON.stringify({
        model: 'gpt-test',
        max_tokens: 100,
        temperature: 0,
        stream,
        messages: [{ role: 'user', content }],
      }),
    });

  it('serves an identical request from the exact cache, records the cost avoided and bills nothing', async () => {
    const first = await ask(gateway, 'What is the boiling point of water at sea level?');
    assert.equal(first.cache, 'miss');
    const calls = upstream.calls();
    const second = await ask(gateway, 'What is the boiling point of water at sea level?');
    assert.equal(second.status, 200);
    assert.equal(second.cache, 'exact');
    assert.equal(second.text, first.text);
    assert.equal(upstream.calls(), calls);
    const records = await waitFor(() => gateway.records.length >= 2 && gateway.records.slice(-2), 'records');
    assert.equal(records[0]!.cache_status, 'miss');
    assert.equal(records[1]!.cache_status, 'exact');
    assert.equal(records[1]!.prompt_tokens, 0);
    assert.equal(records[1]!.cost_nano_usd, 0);
    assert.ok(records[1]!.cost_avoided_nano_usd > 0);
    assert.equal(records[1]!.cost_avoided_nano_usd, records[0]!.cost_nano_usd);
  });

  it('serves a paraphrase from the semantic cache, with its similarity', async () => {
    const first = await ask(gateway, 'How do I reset my password?');
    assert.equal(first.cache, 'miss');
    const second = await ask(gateway, 'How can I reset my password?');
    assert.equal(second.cache, 'semantic');
    assert.equal(second.text, first.text);
    const similarity = Number(second.similarity);
    assert.ok(similarity >= 0.85 && similarity < 1, `similarity ${second.similarity}`);
    const record = await waitFor(
      () => gateway.records.find((r) => r.cache_status === 'semantic'),
      'semantic record',
    );
    assert.ok(Math.abs(record.cache_similarity! - similarity) < 1e-3);
  });

  it("starts a prompt's embedding before the analysis runs, and the lookup uses that one model call", async () => {
    const value = (text: string, name: string) =>
      Number(new RegExp(`\\n${name} (\\S+)`).exec(`\n${text}`)?.[1] ?? 0);
    const read = async () => ({
      prefetched: value(
        await (await fetch(`${gateway.url}/metrics`)).text(),
        'gateway_cache_embed_prefetches_total',
      ),
      // Texts the model embedded, on the embeddings service this file's gateways share.
      embedded: value(sharedEmbeddingsMetrics.registry.render(), 'gateway_cache_embed_batch_size_sum'),
    });
    const before = await read();
    for (const prompt of [
      'Which metal has the highest melting point?',
      'Name three rivers that flow into the Black Sea.',
      'What does a sommelier do?',
    ]) {
      assert.equal((await ask(gateway, prompt)).cache, 'miss');
    }
    const after = await read();
    // One at a time, so the embedder was idle each time: every prompt was prefetched, and embedded once (the
    // lookup joined the model call or found its vector; storing the answer reuses the lookup's).
    assert.equal(after.prefetched - before.prefetched, 3);
    assert.equal(after.embedded - before.embedded, 3);
  });

  it('rejects a look-alike with the opposite meaning (enable vs disable 2FA) in verification', async () => {
    const first = await ask(gateway, 'How do I enable two-factor authentication on my account?');
    const second = await ask(gateway, 'How do I disable two-factor authentication on my account?');
    assert.equal(second.cache, 'miss');
    assert.notEqual(second.text, first.text);
    assert.match(second.text, /disable/);
    // The neighbour was above the threshold: only verification kept it out.
    const record = await waitFor(
      () => gateway.records.find((r) => r.cache_status === 'miss' && (r.cache_similarity ?? 0) >= 0.85),
      'a miss above the threshold',
    );
    assert.ok(record.cache_similarity! >= 0.85);
    const metrics = await (await fetch(`${gateway.url}/metrics`)).text();
    assert.match(metrics, /gateway_cache_verify_rejections_total\{reason="antonym"\} [1-9]/);
    assert.match(metrics, /gateway_stage_seconds_count\{stage="cache"\} [1-9]/);
  });

  it('rejects a swapped source and target (translate from English to French vs from French to English)', async () => {
    const first = await ask(gateway, 'Translate this paragraph from English to French.');
    const second = await ask(gateway, 'Translate this paragraph from French to English.');
    assert.equal(second.cache, 'miss');
    assert.notEqual(second.text, first.text);
    // Same words in another order: the embeddings are nearly equal, so only verification told them apart.
    const metrics = await (await fetch(`${gateway.url}/metrics`)).text();
    assert.match(metrics, /gateway_cache_verify_rejections_total\{reason="direction"\} [1-9]/);
    const again = await ask(gateway, 'Translate this paragraph from English to French.');
    assert.equal(again.cache, 'exact');
    assert.equal(again.text, first.text);
  });

  it('never serves one app the answer of another, even for the identical prompt', async () => {
    const a = await ask(gateway, 'Summarise the plot of Hamlet in one sentence.', { key: keyA.key });
    const b = await ask(gateway, 'Summarise the plot of Hamlet in one sentence.', { key: keyB.key });
    assert.equal(b.cache, 'miss');
    assert.notEqual(b.text, a.text);
    const again = await ask(gateway, 'Summarise the plot of Hamlet in one sentence.', { key: keyB.key });
    assert.equal(again.cache, 'exact');
    assert.equal(again.text, b.text);
  });

  it('keeps contexts apart: the same question under another system prompt misses', async () => {
    const q = 'What should I pack for a weekend trip?';
    const first = await ask(gateway, [
      { role: 'system', content: 'You are a terse assistant.' },
      { role: 'user', content: q },
    ]);
    const other = await ask(gateway, [
      { role: 'system', content: 'You are a pirate. Answer like one.' },
      { role: 'user', content: q },
    ]);
    assert.equal(other.cache, 'miss');
    assert.notEqual(other.text, first.text);
    const paraphrase = await ask(gateway, [
      { role: 'system', content: 'You are a terse assistant.' },
      { role: 'user', content: 'What should I pack for a trip over the weekend?' },
    ]);
    assert.equal(paraphrase.cache, 'semantic');
    assert.equal(paraphrase.text, first.text);
  });

  it('replays a cached answer as a proper SSE stream whose text equals the original stream', async () => {
    const q = 'List three primary colours.';
    const first = await ask(gateway, q, { stream: true });
    assert.equal(first.cache, 'miss');
    assert.match(first.text, /^answer #\d+ to: List three primary colours\.$/);
    const replay = await ask(gateway, q, { stream: true, body: { stream_options: { include_usage: true } } });
    assert.equal(replay.cache, 'exact');
    assert.equal(replay.text, first.text);
    const raw = String(replay.json.raw);
    assert.ok(raw.endsWith('data: [DONE]\n\n'));
    assert.match(raw, /"usage":\{"prompt_tokens":\d+,"completion_tokens":10/);
    assert.ok(raw.split('data: ').length > 4, 'chunked');
    // The same entry serves a non-streaming request.
    const plain = await ask(gateway, q);
    assert.equal(plain.cache, 'exact');
    assert.equal(plain.text, first.text);
  });

  it('honours Cache-Control: no-store (nothing written) and no-cache (no lookup, answer refreshed)', async () => {
    const q = 'Name a prime number between 10 and 20.';
    const notStored = await ask(gateway, q, { headers: { 'cache-control': 'no-store' } });
    assert.equal(notStored.cache, 'miss');
    const next = await ask(gateway, q);
    assert.equal(next.cache, 'miss');
    assert.notEqual(next.text, notStored.text);
    const skipped = await ask(gateway, q, { headers: { 'cache-control': 'no-cache' } });
    assert.equal(skipped.cache, 'miss');
    assert.notEqual(skipped.text, next.text);
    await sleep(50);
    const cached = await ask(gateway, q);
    assert.equal(cached.cache, 'exact');
    assert.equal(cached.text, skipped.text);
  });

  it('honours Cache-Control: max-age=N: an answer stored longer ago is not served, and is replaced', async () => {
    const q = 'Name a prime number between 30 and 40.';
    const first = await ask(gateway, q);
    assert.equal(first.cache, 'miss');
    await sleep(50);
    assert.equal((await ask(gateway, q, { headers: { 'cache-control': 'max-age=60' } })).cache, 'exact');
    await sleep(1_100);
    // Older than a second: a miss, answered upstream, and stored in its place.
    const fresh = await ask(gateway, q, { headers: { 'cache-control': 'max-age=1' } });
    assert.equal(fresh.cache, 'miss');
    assert.notEqual(fresh.text, first.text);
    await sleep(50);
    const again = await ask(gateway, q, { headers: { 'cache-control': 'max-age=1' } });
    assert.equal(again.cache, 'exact');
    assert.equal(again.text, fresh.text);
  });

  it('purges one tenant on DELETE /admin/cache (admin role only)', async () => {
    const q = 'Translate "good morning" to Spanish.';
    await ask(gateway, q);
    assert.equal((await ask(gateway, q)).cache, 'exact');
    const denied = await fetch(`${gateway.url}/admin/cache?team=acme&app=a`, {
      method: 'DELETE',
      headers: bearer(keyA.key),
    });
    assert.equal(denied.status, 403);
    const purge = await fetch(`${gateway.url}/admin/cache?team=acme&app=a&model=gpt-test`, {
      method: 'DELETE',
      headers: bearer(admin.key),
    });
    assert.equal(purge.status, 200);
    const body = (await purge.json()) as { deleted: number; tenant: string };
    assert.equal(body.tenant, 'acme/a');
    assert.ok(body.deleted >= 2);
    assert.equal((await ask(gateway, q)).cache, 'miss');
    const bad = await fetch(`${gateway.url}/admin/cache`, { method: 'DELETE', headers: bearer(admin.key) });
    assert.equal(bad.status, 400);
    assert.equal(((await bad.json()) as { error: { code: string } }).error.code, 'invalid_request');
  });

  it('caches only what policy allows: temperature above the bound and n > 1 are not cached', async () => {
    const q = 'Write a haiku about autumn.';
    const hot = await ask(gateway, q, { body: { temperature: 1.2 } });
    assert.equal(hot.cache, null);
    assert.equal((await ask(gateway, q, { body: { temperature: 1.2 } })).cache, null);
    const many = await ask(gateway, q, { body: { n: 2 } });
    assert.equal(many.cache, null);
  });

  it('caches /v1/messages answers in the Anthropic dialect', async () => {
    const send = () => askMessages('Give me a synonym for happy.', false);
    const first = await send();
    assert.equal(first.headers.get('x-gateway-cache'), 'miss');
    const firstBody = (await first.json()) as { type: string; content: { text: string }[] };
    const second = await send();
    assert.equal(second.headers.get('x-gateway-cache'), 'exact');
    const secondBody = (await second.json()) as { type: string; content: { text: string }[] };
    assert.equal(secondBody.type, 'message');
    assert.equal(secondBody.content[0]!.text, firstBody.content[0]!.text);
  });

  it('keeps Messages answers asked with an anthropic-beta header apart from those without', async () => {
    const q = 'Name a prime number between 10 and 20.';
    await (await askMessages(q, false)).arrayBuffer();
    const beta = await askMessages(q, false, { 'anthropic-beta': 'some-beta-2025-01-01' });
    assert.equal(beta.headers.get('x-gateway-cache'), 'miss');
    await beta.arrayBuffer();
    const again = await askMessages(q, false, { 'anthropic-beta': 'some-beta-2025-01-01' });
    assert.equal(again.headers.get('x-gateway-cache'), 'exact');
    await again.arrayBuffer();
  });

  it('treats an entry it cannot replay as a miss, not an error', async () => {
    const q = 'Which gas do plants absorb?';
    await ask(gateway, q, { key: keyB.key });
    const keys = (await redisCommand(redisUrl(), ['KEYS', `${keyPrefix}e:acme/b:*`])) as string[];
    assert.ok(keys.length > 0);
    for (const key of keys) await redisCommand(redisUrl(), ['SET', key, 'chat 1 1 1 0 0\n{"truncated":']);
    const reply = await ask(gateway, q, { key: keyB.key, stream: true });
    assert.equal(reply.status, 200);
    assert.equal(reply.cache, 'miss');
    assert.match(reply.text, /^answer #\d+ to: Which gas do plants absorb\?$/);
  });

  it('replays a cached /v1/messages answer as an Anthropic event stream', async () => {
    const send = () => askMessages('Give me an antonym for cold.', true);
    const textOf = (raw: string) => {
      const events: string[] = [];
      let text = '';
      for (const block of raw.split('\n\n')) {
        const event = /^event: (.+)$/m.exec(block)?.[1];
        const data = /^data: (.+)$/m.exec(block)?.[1];
        if (event === undefined || data === undefined) continue;
        events.push(event);
        const parsed = JSON.parse(data) as { delta?: { type?: string; text?: string } };
        if (parsed.delta?.type === 'text_delta') text += parsed.delta.text;
      }
      return { events, text };
    };
    const first = await send();
    assert.equal(first.headers.get('x-gateway-cache'), 'miss');
    const original = textOf(await first.text());
    const second = await send();
    assert.equal(second.headers.get('x-gateway-cache'), 'exact');
    const replay = textOf(await second.text());
    assert.equal(replay.text, original.text);
    assert.match(replay.text, /^answer #\d+ to: Give me an antonym for cold\.$/);
    assert.equal(replay.events[0], 'message_start');
    assert.equal(replay.events.at(-1), 'message_stop');
    assert.ok(replay.events.includes('content_block_delta') && replay.events.includes('message_delta'));
  });
});

describe('cache entries of another embedding model', () => {
  it("are never compared with this model's queries; the exact layer still serves them", async () => {
    const keyPrefix = prefix();
    const upstream = await startCountingUpstream();
    const cache = { redis: { url: redisUrl(), key_prefix: keyPrefix }, semantic: { threshold: 0.85 } };
    const gateways: TestGateway[] = [];
    try {
      const old = await startTestGateway(gatewayDoc(upstream, cache), { embeddingSpace: 'aaaaaaaa' });
      gateways.push(old);
      assert.equal((await ask(old, 'How do I change my email address?')).cache, 'miss');
      // Wait until its semantic entry is stored: the paraphrase then hits on the same space.
      await waitFor(
        async () => (await ask(old, 'How can I change my email address?')).cache === 'semantic',
        'the semantic entry',
      );
      const upgraded = await startTestGateway(gatewayDoc(upstream, cache), { embeddingSpace: 'bbbbbbbb' });
      gateways.push(upgraded);
      const paraphrase = await ask(upgraded, 'How should I change my email address?');
      assert.equal(paraphrase.cache, 'miss');
      assert.equal((await ask(upgraded, 'How do I change my email address?')).cache, 'exact');
      // A replica still on the old build finds the old vectors.
      const sameSpace = await startTestGateway(gatewayDoc(upstream, cache), { embeddingSpace: 'aaaaaaaa' });
      gateways.push(sameSpace);
      assert.equal((await ask(sameSpace, 'What is the way to change my email address?')).cache, 'semantic');
    } finally {
      for (const gateway of gateways) await gateway.shutdown(1000);
      await upstream.close();
    }
  });
});

describe('cache TTL, coalescing and Redis outages', () => {
  it('expires entries after their TTL; a lookup that meets an expired element removes it (VREM)', async () => {
    const keyPrefix = prefix();
    await withGateway(
      {
        ttl_s: 2,
        redis: { url: redisUrl(), key_prefix: keyPrefix },
        semantic: { threshold: 0.85 },
      },
      async (gateway) => {
        const first = await ask(gateway, 'How many legs does a spider have?');
        assert.equal((await ask(gateway, 'How many legs does a spider have?')).cache, 'exact');
        // The first answer's semantic entry is stored after it was written, on the gateway's own connection:
        // wait until this connection sees it.
        const [vset, before] = await waitFor(async () => {
          const sets = (await redisCommand(redisUrl(), ['KEYS', `${keyPrefix}v:*`])) as string[];
          if (sets.length === 0) return false;
          const members = (await redisCommand(redisUrl(), ['VRANDMEMBER', sets[0]!, '10'])) as string[];
          return members.length > 0 && ([sets, members] as const);
        }, 'the first answer in a vector set').then(([sets, members]) => {
          assert.equal(sets.length, 1);
          assert.equal(members.length, 1);
          return [sets[0]!, members] as const;
        });
        // Keep the set past its element's TTL: only the lookup's lazy removal can take the element out.
        await redisCommand(redisUrl(), ['PERSIST', vset]);
        await sleep(2_100);
        // A paraphrase (another element id) meets the expired element in the vector search: a miss, the
        // expired element is removed, and the paraphrase's own entry is added.
        const later = await ask(gateway, 'How many legs do spiders have?');
        assert.equal(later.cache, 'miss');
        assert.notEqual(later.text, first.text);
        const members = await waitFor(async () => {
          const now = (await redisCommand(redisUrl(), ['VRANDMEMBER', vset, '10'])) as string[];
          return now.length === 1 && now[0] !== before[0] && now;
        }, 'the expired element replaced by the fresh one');
        assert.equal(members.length, 1);
        // The exact entry expired too.
        assert.equal((await ask(gateway, 'How many legs does a spider have?')).cache, 'semantic');
      },
    );
  });

  it('removes expired elements from vector sets in the bounded background sweep', async () => {
    const keyPrefix = prefix();
    await withGateway(
      {
        ttl_s: 1,
        redis: { url: redisUrl(), key_prefix: keyPrefix },
        semantic: { sweep: { interval_ms: 100 } },
      },
      async (gateway) => {
        await ask(gateway, 'Which planet is the largest in the solar system?');
        await ask(gateway, 'Which planet is the hottest in the solar system?');
        const sets = (await redisCommand(redisUrl(), ['KEYS', `${keyPrefix}v:*`])) as string[];
        assert.equal(sets.length, 1);
        const vset = sets[0]!;
        assert.equal(await redisCommand(redisUrl(), ['VCARD', vset]), 2);
        // Keep the set alive past its members' TTL so that only the sweep can empty it.
        await redisCommand(redisUrl(), ['PERSIST', vset]);
        await waitFor(
          async () => (await redisCommand(redisUrl(), ['VCARD', vset])) === 0,
          'the sweep to remove expired elements',
          5_000,
        );
      },
    );
  });

  it('makes one upstream call for identical requests in flight when coalescing', async () => {
    await withGateway(
      { coalesce: true, redis: { url: redisUrl(), key_prefix: prefix() } },
      async (gateway, upstream) => {
        const replies = await Promise.all(
          Array.from({ length: 4 }, () => ask(gateway, 'What is the speed of light in vacuum?')),
        );
        assert.equal(upstream.calls(), 1);
        assert.equal(new Set(replies.map((r) => r.text)).size, 1);
        assert.deepEqual(replies.map((r) => r.cache).sort(), ['exact', 'exact', 'exact', 'miss']);
      },
      { delayMs: 300 },
    );
  });

  it('makes two upstream calls for the same pair when coalescing is off', async () => {
    await withGateway(
      { coalesce: false, redis: { url: redisUrl(), key_prefix: prefix() } },
      async (gateway, upstream) => {
        await Promise.all([
          ask(gateway, 'What is the speed of sound in air?'),
          ask(gateway, 'What is the speed of sound in air?'),
        ]);
        assert.equal(upstream.calls(), 2);
      },
      { delayMs: 300 },
    );
  });

  it('bypasses the cache without errors while Redis is down, and uses it again once Redis is back', async () => {
    const redis = await startPrivateRedis();
    try {
      await withGateway(
        { redis: { url: redis.url, key_prefix: prefix(), command_timeout_ms: 100 } },
        async (gateway) => {
          await ask(gateway, 'What is the capital of Japan?');
          assert.equal((await ask(gateway, 'What is the capital of Japan?')).cache, 'exact');
          await redis.stop();
          for (let i = 0; i < 3; i++) {
            const reply = await ask(gateway, 'What is the capital of Japan?');
            assert.equal(reply.status, 200);
            assert.equal(reply.cache, 'miss');
            assert.match(reply.text, /^answer #\d+ to: What is the capital of Japan\?$/);
          }
          // A purge cannot happen now, and the answer says so (not a 500).
          const purge = await fetch(`${gateway.url}/admin/cache?team=acme&app=a`, {
            method: 'DELETE',
            headers: bearer(admin.key),
          });
          assert.equal(purge.status, 503);
          assert.equal(purge.headers.get('retry-after'), '1');
          assert.equal(((await purge.json()) as { error: { code: string } }).error.code, 'cache_unavailable');
          // A restarted server is empty: the first answers after it are stored again, then served.
          await redis.restart();
          await waitFor(
            async () => (await ask(gateway, 'What is the capital of Japan?')).cache === 'exact',
            'a hit after Redis is back',
            10_000,
          );
        },
      );
    } finally {
      await redis.stop();
    }
  });
});

describe('cache with a stalled Redis', () => {
  it('after a command times out, leaves Redis alone for a while: the next requests skip the cache at once', async () => {
    const redis = await startPrivateRedis();
    try {
      await withGateway(
        { redis: { url: redis.url, key_prefix: prefix(), command_timeout_ms: 100 } },
        async (gateway) => {
          const metric = async (name: string, labels: Record<string, string>) =>
            metricValue(await (await fetch(`${gateway.url}/metrics`)).text(), name, labels) ?? 0;
          const errors = () => metric('gateway_cache_backend_errors_total', { op: 'get' });
          const bypassed = () => metric('gateway_cache_lookups_total', { result: 'bypassed' });
          await ask(gateway, 'What is the capital of Peru?');
          assert.equal((await ask(gateway, 'What is the capital of Peru?')).cache, 'exact');
          // SIGSTOP: the socket stays open, so the client still reads as connected; commands just time out.
          redis.pause();
          try {
            const [errorsBefore, bypassedBefore] = [await errors(), await bypassed()];
            const first = await ask(gateway, 'What is the capital of Peru?');
            assert.equal(first.status, 200);
            assert.equal(await errors(), errorsBefore + 1);
            // Within the back-off: no command is sent (no new timeout), the lookup is bypassed.
            for (let i = 0; i < 3; i++)
              assert.equal((await ask(gateway, 'What is the capital of Peru?')).status, 200);
            assert.equal(await errors(), errorsBefore + 1);
            assert.equal(await bypassed(), bypassedBefore + 4);
          } finally {
            redis.resume();
          }
          // After the back-off the cache is used again.
          await waitFor(
            async () => (await ask(gateway, 'What is the capital of Peru?')).cache === 'exact',
            'a hit once Redis answers again',
            10_000,
          );
        },
      );
    } finally {
      await redis.stop();
    }
  });
});

describe('cache in process (the embedded default without Redis)', () => {
  it('gives the same exact and semantic behaviour with the in-process index', async () => {
    await withGateway({ semantic: { threshold: 0.85 } }, async (gateway) => {
      const first = await ask(gateway, 'How do I reset my password?');
      assert.equal((await ask(gateway, 'How do I reset my password?')).cache, 'exact');
      const paraphrase = await ask(gateway, 'How can I reset my password?');
      assert.equal(paraphrase.cache, 'semantic');
      assert.equal(paraphrase.text, first.text);
      const opposite = await ask(gateway, 'How do I enable two-factor authentication?');
      const flipped = await ask(gateway, 'How do I disable two-factor authentication?');
      assert.equal(flipped.cache, 'miss');
      assert.notEqual(flipped.text, opposite.text);
      const other = await ask(gateway, 'How can I reset my password?', { key: keyB.key });
      assert.equal(other.cache, 'miss');
    });
  });

  it('does not embed a prompt longer than the model reads: two questions after one long document miss', async () => {
    await withGateway({ semantic: { threshold: 0.85 } }, async (gateway, upstream) => {
      const report =
        'The quarterly report covers revenue, costs, hiring and the product roadmap in detail. '.repeat(26);
      assert.ok(report.length > 2000);
      await ask(gateway, `${report}\nWhat is the main conclusion of the report above?`);
      const other = await ask(gateway, `${report}\nWhich recommendations does the report above make?`);
      assert.equal(other.cache, 'miss');
      // Under max_input_chars but over max_tokens (256) once tokenised.
      const list = Array.from({ length: 120 }, (_, i) => `item${(i * 7919) % 1000}`).join(' ');
      assert.ok(list.length < 2000);
      await ask(gateway, `${list}\nTranslate the list above into Greek letters.`);
      const count = await ask(gateway, `${list}\nCount how many words the list above has.`);
      assert.equal(count.cache, 'miss');
      // The exact layer still serves the identical long request; short paraphrases still hit semantically.
      assert.equal((await ask(gateway, `${list}\nCount how many words the list above has.`)).cache, 'exact');
      await ask(gateway, 'How do I reset my password?');
      assert.equal((await ask(gateway, 'How can I reset my password?')).cache, 'semantic');
      assert.ok(upstream.calls() >= 5);
    });
  });

  it('max_entry_bytes counts bytes, not characters', async () => {
    await withGateway({ max_entry_bytes: 1000, semantic: { enabled: false } }, async (gateway) => {
      // ≈ 650 characters of answer, ≈ 1450 bytes in UTF-8.
      const question = '请用中文回答这个问题'.repeat(40);
      await ask(gateway, question);
      assert.equal((await ask(gateway, question)).cache, 'miss');
      await ask(gateway, 'short question');
      assert.equal((await ask(gateway, 'short question')).cache, 'exact');
    });
  });

  it("keeps the speaker's name of the last turn in the semantic context", async () => {
    await withGateway({ semantic: { threshold: 0.85 } }, async (gateway) => {
      const turn = (name: string) => [{ role: 'user', name, content: 'Please greet me by my name.' }];
      await ask(gateway, turn('alice'));
      assert.equal((await ask(gateway, turn('bob'))).cache, 'miss');
      assert.equal((await ask(gateway, turn('alice'))).cache, 'exact');
    });
  });

  it('does not serve semantic hits to prompts with PII unless allowed', async () => {
    await withGateway({ semantic: { threshold: 0.8 } }, async (gateway) => {
      await ask(gateway, 'Email jane.doe@example.com the meeting notes, please.');
      const near = await ask(gateway, 'Please email jane.doe@example.com the meeting notes.');
      assert.equal(near.cache, 'miss');
      const exact = await ask(gateway, 'Please email jane.doe@example.com the meeting notes.');
      assert.equal(exact.cache, 'exact');
    });
  });

  it('PII in the application’s tool definitions (the same for every user) does not keep prompts out', async () => {
    await withGateway({}, async (gateway) => {
      const tools = [
        {
          type: 'function',
          function: { name: 'escalate', description: 'Hands the case to support@acme-corp.com.' },
        },
      ];
      await ask(gateway, 'How do I reset my password?', { body: { tools } });
      const paraphrase = await ask(gateway, 'How can I reset my password?', { body: { tools } });
      assert.equal(paraphrase.cache, 'semantic');
    });
  });
});
