// Parts of the exact and semantic cache (issue 7) that cache.test.ts leaves out, through a real gateway with
// the real embedding model, on the shared Redis 8 (REDIS_URL) and on the in-process backend, which must have
// the same semantics:
// - `scope: team`: the apps of one team share entries, other teams never see them, and an admin purge of the
//   team removes the team's entries only;
// - an admin purge naming a model alone (every tenant's entries of that model);
// - "no tool calls in the response": an answer that calls tools is never stored, streamed or not, whatever its
//   finish reason says;
// - a semantic hit replayed to a streaming request as SSE (chunks, usage, [DONE]);
// - the cost a semantic hit avoided, in its record.
// Every test gets its own gateway and upstream, so upstream call counts, store counts and record positions
// belong to that test alone. Answers are numbered by the upstream, so a cached answer is recognisable.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, it } from 'node:test';
import type { ServerResponse } from 'node:http';
import { withCacheGateway } from '../support/cache-ready.js';
import type { TestGateway } from '../support/gateway.js';
import { bearer, newKey } from '../support/identities.js';
import { redisUrl } from '../support/redis.js';
import {
  beginSse,
  sendJson,
  startScriptedServer,
  writeFrame,
  type ScriptedServer,
} from '../support/scripted-server.js';
import { waitFor } from '../support/wait.js';

const keyA = newKey();
const keyB = newKey();
const keyC = newKey();
const admin = newKey();

/** A last user turn containing this makes the upstream call a tool (finish_reason "tool_calls"). */
const TOOL = 'weather';
/** ...and this one too, but with finish_reason "stop" (as some OpenAI-compatible servers send). */
const TOOL_STOP = 'forecast';

interface Upstream extends ScriptedServer {
  calls(): number;
}

/**
 * An OpenAI-compatible upstream like test/support/counting-upstream.ts (numbered answers, usage 20+n prompt and
 * 10 completion tokens), that answers with a tool call when the last user turn mentions the weather or a
 * forecast.
 */
async function startUpstream(): Promise<Upstream> {
  let calls = 0;
  const server = await startScriptedServer(async (request, res) => {
    if (!request.path.endsWith('/chat/completions')) return sendJson(res, 404, { error: { message: 'no' } });
    calls += 1;
    const n = calls;
    const messages = (request.body.messages ?? []) as { content: unknown }[];
    const last = String(messages.at(-1)?.content ?? '');
    const usage = { prompt_tokens: 20 + n, completion_tokens: 10, total_tokens: 30 + n };
    const base = { id: `chatcmpl-${n}`, created: 1_700_000_000 + n, model: String(request.body.model) };
    const tool = last.includes(TOOL) || last.includes(TOOL_STOP);
    const finish = last.includes(TOOL) ? 'tool_calls' : 'stop';
    const call = {
      id: `call_${n}`,
      type: 'function',
      function: { name: 'get_weather', arguments: `{"city":"Paris","n":${n}}` },
    };
    const text = `answer #${n} to: ${last}`;
    if (request.body.stream !== true) {
      // With finish_reason "stop" the call comes with some text, so only the tool call itself can keep it out.
      const message = tool
        ? {
            role: 'assistant',
            content: finish === 'stop' ? 'Let me look that up.' : null,
            tool_calls: [call],
          }
        : { role: 'assistant', content: text };
      return sendJson(res, 200, {
        ...base,
        object: 'chat.completion',
        choices: [{ index: 0, message, finish_reason: finish }],
        usage,
      });
    }
    await streamAnswer(res, base, tool ? call : undefined, text, finish, usage);
  });
  return Object.assign(server, { calls: () => calls });
}

async function streamAnswer(
  res: ServerResponse,
  base: object,
  call: { id: string; type: string; function: { name: string; arguments: string } } | undefined,
  text: string,
  finish: string,
  usage: object,
): Promise<void> {
  beginSse(res);
  const chunk = (delta: object, finishReason: string | null) =>
    `data: ${JSON.stringify({ ...base, object: 'chat.completion.chunk', choices: [{ index: 0, delta, finish_reason: finishReason }] })}\n\n`;
  if (call === undefined) {
    await writeFrame(res, chunk({ role: 'assistant', content: '' }, null));
    for (const piece of text.match(/.{1,7}/gs) ?? []) await writeFrame(res, chunk({ content: piece }, null));
  } else {
    // OpenAI's shape: the call's id and name first, then its arguments in pieces.
    await writeFrame(
      res,
      chunk(
        {
          role: 'assistant',
          content: null,
          tool_calls: [
            {
              index: 0,
              id: call.id,
              type: 'function',
              function: { name: call.function.name, arguments: '' },
            },
          ],
        },
        null,
      ),
    );
    for (const piece of call.function.arguments.match(/.{1,5}/gs) ?? []) {
      await writeFrame(res, chunk({ tool_calls: [{ index: 0, function: { arguments: piece } }] }, null));
    }
  }
  await writeFrame(res, chunk({}, finish));
  await writeFrame(
    res,
    `data: ${JSON.stringify({ ...base, object: 'chat.completion.chunk', choices: [], usage })}\n\n`,
  );
  await writeFrame(res, 'data: [DONE]\n\n');
  res.end();
}

type Backend = 'redis' | 'memory';

function gatewayDoc(upstream: Upstream, backend: Backend, scope: 'app' | 'team'): Record<string, unknown> {
  return {
    providers: { up: { type: 'openai', base_url: `${upstream.url}/v1`, api_key: 'sk-test' } },
    models: {
      'gpt-test': { provider: 'up', pricing: { input_per_mtok: 1, output_per_mtok: 2 } },
      'gpt-other': { provider: 'up', pricing: { input_per_mtok: 1, output_per_mtok: 2 } },
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
      globex: { models: ['*'], apps: { c: { keys: [{ id: 'c', sha256: keyC.sha256 }] } } },
    },
    workers: { threads: 1 },
    cache: {
      enabled: true,
      scope,
      semantic: { threshold: 0.85 },
      // A unique key prefix per gateway: the shared Redis outlives this run and serves other test files.
      ...(backend === 'redis'
        ? {
            redis: {
              url: redisUrl(),
              key_prefix: `gwc-scopes-${randomBytes(4).toString('hex')}:`,
              // The default 100 ms turns a command slowed by a busy machine into a miss, which these tests
              // would read as a wrong answer; what a slow Redis does is cache.test.ts's subject.
              command_timeout_ms: 2000,
            },
          }
        : {}),
    },
  };
}

async function withGateway(
  backend: Backend,
  scope: 'app' | 'team',
  body: (gateway: TestGateway, upstream: Upstream) => Promise<void>,
): Promise<void> {
  await withCacheGateway(startUpstream, (upstream) => gatewayDoc(upstream, backend, scope), admin.key, body);
}

interface Reply {
  status: number;
  cache: string | null;
  similarity: string | null;
  contentType: string | null;
  /** The answer's text (concatenated deltas when streamed). */
  text: string;
  /** The JSON body, or for a stream each `data:` payload but [DONE], parsed. */
  json: Record<string, unknown>;
  chunks: Record<string, unknown>[];
  raw: string;
}

async function ask(
  gateway: TestGateway,
  content: string,
  options: {
    key?: string;
    model?: string;
    stream?: boolean;
    body?: object;
    headers?: Record<string, string>;
  } = {},
): Promise<Reply> {
  const response = await fetch(`${gateway.url}/v1/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...bearer(options.key ?? keyA.key), ...options.headers },
    body: JSON.stringify({
      model: options.model ?? 'gpt-test',
      temperature: 0,
      messages: [{ role: 'user', content }],
      ...(options.stream === true ? { stream: true } : {}),
      ...options.body,
    }),
    signal: AbortSignal.timeout(10_000),
  });
  const raw = await response.text();
  let text = '';
  let json: Record<string, unknown> = {};
  const chunks: Record<string, unknown>[] = [];
  if (options.stream === true) {
    for (const line of raw.split('\n')) {
      if (!line.startsWith('data: ') || line === 'data: [DONE]') continue;
      const chunk = JSON.parse(line.slice(6)) as { choices: { delta: { content?: string } }[] };
      chunks.push(chunk);
      text += chunk.choices[0]?.delta.content ?? '';
    }
  } else {
    json = JSON.parse(raw) as Record<string, unknown>;
    const choices = json.choices as { message: { content: string | null } }[] | undefined;
    text = choices?.[0]?.message.content ?? '';
  }
  return {
    status: response.status,
    cache: response.headers.get('x-gateway-cache'),
    similarity: response.headers.get('x-gateway-cache-similarity'),
    contentType: response.headers.get('content-type'),
    text,
    json,
    chunks,
    raw,
  };
}

/** gateway_cache_stores_total of one layer: answers this gateway has finished storing. */
async function stores(gateway: TestGateway, layer: 'exact' | 'semantic'): Promise<number> {
  const metrics = await (await fetch(`${gateway.url}/metrics`)).text();
  const match = new RegExp(`^gateway_cache_stores_total\\{layer="${layer}"\\} (\\d+)$`, 'm').exec(metrics);
  return Number(match?.[1] ?? 0);
}

/**
 * Waits until this many answers are stored in both layers. Stores are fire and forget after the response, so
 * a test that needs an entry (a paraphrase to hit it, a purge to count it) waits for it; asking until it hits
 * would store the asking request's own answer instead.
 */
async function storedBoth(gateway: TestGateway, count: number): Promise<void> {
  await waitFor(
    async () => (await stores(gateway, 'exact')) >= count && (await stores(gateway, 'semantic')) >= count,
    `${count} answers stored in both layers`,
    15_000,
  );
}

/** Records of chat requests, in order (the /metrics scrapes of storedBoth are not among them). */
function chatRecords(gateway: TestGateway) {
  return gateway.records.filter((r) => r.path === '/v1/chat/completions');
}

async function purge(gateway: TestGateway, query: string) {
  const response = await fetch(`${gateway.url}/admin/cache?${query}`, {
    method: 'DELETE',
    headers: bearer(admin.key),
  });
  return {
    status: response.status,
    body: (await response.json()) as { tenant: string | null; model: string | null; deleted: number },
  };
}

for (const backend of ['redis', 'memory'] as const) {
  describe(`cache scope team (${backend} backend)`, () => {
    it("serves one app the team's answers to another app (exact and semantic), never another team", async () => {
      await withGateway(backend, 'team', async (gateway, upstream) => {
        const first = await ask(gateway, 'How do I reset my password?', { key: keyA.key });
        assert.equal(first.cache, 'miss');
        await storedBoth(gateway, 1);
        const sameTeam = await ask(gateway, 'How do I reset my password?', { key: keyB.key });
        assert.equal(sameTeam.cache, 'exact');
        assert.equal(sameTeam.text, first.text);
        const paraphrase = await ask(gateway, 'How can I reset my password?', { key: keyB.key });
        assert.equal(paraphrase.cache, 'semantic');
        assert.equal(paraphrase.text, first.text);
        assert.equal(upstream.calls(), 1);
        // Team scope widens sharing to the team, not beyond: globex asks the identical prompt and misses.
        const otherTeam = await ask(gateway, 'How do I reset my password?', { key: keyC.key });
        assert.equal(otherTeam.cache, 'miss');
        assert.notEqual(otherTeam.text, first.text);
        await storedBoth(gateway, 2);
        const otherParaphrase = await ask(gateway, 'How can I reset my password?', { key: keyC.key });
        assert.equal(otherParaphrase.cache, 'semantic');
        assert.equal(otherParaphrase.text, otherTeam.text);
        assert.equal(upstream.calls(), 2);
      });
    });

    it("purges the team's entries, for all its apps, on DELETE /admin/cache?team=…, and no other team's", async () => {
      await withGateway(backend, 'team', async (gateway, upstream) => {
        const q = 'How do I change my email address?';
        const acme = await ask(gateway, q, { key: keyA.key });
        const globex = await ask(gateway, q, { key: keyC.key });
        await storedBoth(gateway, 2);
        assert.equal((await ask(gateway, q, { key: keyB.key })).cache, 'exact');
        // Under team scope, naming the team alone is enough (with scope app it is a 400).
        const purged = await purge(gateway, 'team=acme');
        assert.equal(purged.status, 200);
        assert.equal(purged.body.tenant, 'acme');
        // One exact and one semantic entry: the team's answer, stored once for both apps.
        assert.equal(purged.body.deleted, 2);
        const calls = upstream.calls();
        // no-store: these lookups write nothing, so the second cannot hit what the first would have stored.
        const noStore = { 'cache-control': 'no-store' };
        const afterA = await ask(gateway, 'How can I change my email address?', {
          key: keyA.key,
          headers: noStore,
        });
        assert.equal(afterA.cache, 'miss');
        assert.notEqual(afterA.text, acme.text);
        const afterB = await ask(gateway, q, { key: keyB.key, headers: noStore });
        assert.equal(afterB.cache, 'miss');
        assert.equal(upstream.calls(), calls + 2);
        const kept = await ask(gateway, q, { key: keyC.key });
        assert.equal(kept.cache, 'exact');
        assert.equal(kept.text, globex.text);
      });
    });
  });

  describe(`cache admin purge and tool calls (${backend} backend)`, () => {
    it('purges every tenant’s entries of one model on DELETE /admin/cache?model=…, and only that model’s', async () => {
      await withGateway(backend, 'app', async (gateway) => {
        const q = 'What should I pack for a weekend trip?';
        const paraphrase = 'What should I pack for a trip over the weekend?';
        await ask(gateway, q, { key: keyA.key });
        await ask(gateway, q, { key: keyB.key });
        const other = await ask(gateway, q, { key: keyA.key, model: 'gpt-other' });
        await storedBoth(gateway, 3);
        const purged = await purge(gateway, 'model=gpt-test');
        assert.equal(purged.status, 200);
        assert.deepEqual(purged.body, { object: 'cache.purge', tenant: null, model: 'gpt-test', deleted: 4 });
        // Both apps' exact and semantic entries of gpt-test are gone...
        assert.equal((await ask(gateway, paraphrase, { key: keyA.key })).cache, 'miss');
        assert.equal((await ask(gateway, q, { key: keyB.key })).cache, 'miss');
        // ...and gpt-other's are served, by either layer.
        const kept = await ask(gateway, q, { key: keyA.key, model: 'gpt-other' });
        assert.equal(kept.cache, 'exact');
        assert.equal(kept.text, other.text);
        const keptSemantic = await ask(gateway, paraphrase, { key: keyA.key, model: 'gpt-other' });
        assert.equal(keptSemantic.cache, 'semantic');
        assert.equal(keptSemantic.text, other.text);
      });
    });

    it('never stores an answer that calls tools (JSON or stream, finish_reason tool_calls or stop)', async () => {
      await withGateway(backend, 'app', async (gateway, upstream) => {
        const tools = [
          {
            type: 'function',
            function: {
              name: 'get_weather',
              description: 'Current weather of a city.',
              parameters: { type: 'object', properties: { city: { type: 'string' } } },
            },
          },
        ];
        const asks = [
          () => ask(gateway, `What is the ${TOOL} in Paris today?`, { body: { tools } }),
          () => ask(gateway, `What is the ${TOOL} in Paris tomorrow?`, { body: { tools }, stream: true }),
          () => ask(gateway, `What is the ${TOOL_STOP} for Paris?`, { body: { tools } }),
        ];
        for (const send of asks) {
          const reply = await send();
          assert.equal(reply.status, 200);
          assert.equal(reply.cache, 'miss');
          // The tool call reached the client: these are the answers the cache had to leave alone.
          assert.match(reply.raw, /"tool_calls":\[\{/);
        }
        // A plain answer asked after them is stored: once it is, any store of theirs would have been counted.
        const control = await ask(gateway, 'What tools do meteorologists use?', { body: { tools } });
        assert.equal(control.cache, 'miss');
        await storedBoth(gateway, 1);
        assert.equal(await stores(gateway, 'exact'), 1);
        assert.equal(await stores(gateway, 'semantic'), 1);
        const calls = upstream.calls();
        for (const send of asks) assert.equal((await send()).cache, 'miss');
        assert.equal(upstream.calls(), calls + asks.length);
        assert.equal(
          (await ask(gateway, 'What tools do meteorologists use?', { body: { tools } })).cache,
          'exact',
        );
      });
    });
  });

  describe(`semantic hits (${backend} backend)`, () => {
    it('replays a semantic hit as an SSE stream: role, chunked text, stop, usage and [DONE]', async () => {
      await withGateway(backend, 'app', async (gateway, upstream) => {
        const first = await ask(gateway, 'How do I reset my password?');
        assert.equal(first.cache, 'miss');
        await storedBoth(gateway, 1);
        const replay = await ask(gateway, 'How can I reset my password?', {
          stream: true,
          body: { stream_options: { include_usage: true } },
        });
        assert.equal(replay.status, 200);
        assert.equal(replay.cache, 'semantic');
        assert.ok(Number(replay.similarity) >= 0.85 && Number(replay.similarity) < 1, replay.similarity!);
        assert.match(replay.contentType ?? '', /^text\/event-stream/);
        assert.equal(upstream.calls(), 1);
        assert.equal(replay.text, first.text);
        type Chunk = {
          object: string;
          choices: { delta: { role?: string; content?: string }; finish_reason: string | null }[];
          usage?: { prompt_tokens: number; completion_tokens: number } | null;
        };
        const chunks = replay.chunks as unknown as Chunk[];
        assert.ok(chunks.every((c) => c.object === 'chat.completion.chunk'));
        assert.equal(chunks[0]!.choices[0]!.delta.role, 'assistant');
        const pieces = chunks.filter((c) => (c.choices[0]?.delta.content ?? '') !== '');
        assert.ok(pieces.length > 1, 'the text arrives in several chunks');
        // OpenAI's order at the end: the finish, a usage chunk with no choices, then [DONE].
        assert.equal(chunks.at(-2)!.choices[0]!.finish_reason, 'stop');
        assert.deepEqual(chunks.at(-1)!.choices, []);
        const usage = (first.json as { usage: { prompt_tokens: number; completion_tokens: number } }).usage;
        assert.equal(chunks.at(-1)!.usage!.prompt_tokens, usage.prompt_tokens);
        assert.equal(chunks.at(-1)!.usage!.completion_tokens, usage.completion_tokens);
        assert.ok(replay.raw.endsWith('data: [DONE]\n\n'));
        // The streamed hit is recorded as semantic with the cost it avoided, like a JSON one.
        const records = await waitFor(
          () => {
            const chat = chatRecords(gateway);
            return chat.length >= 2 && chat;
          },
          'two records',
          15_000,
        );
        assert.equal(records[1]!.stream, true);
        assert.equal(records[1]!.cache_status, 'semantic');
        assert.equal(records[1]!.cost_avoided_nano_usd, records[0]!.cost_nano_usd);
      });
    });

    it('records the cost a semantic hit avoided, bills nothing for it and keeps its similarity', async () => {
      await withGateway(backend, 'app', async (gateway, upstream) => {
        const first = await ask(gateway, 'How do I change my email address?');
        assert.equal(first.cache, 'miss');
        await storedBoth(gateway, 1);
        const hit = await ask(gateway, 'How can I change my email address?');
        assert.equal(hit.cache, 'semantic');
        assert.equal(hit.text, first.text);
        assert.equal(upstream.calls(), 1);
        const [miss, semantic] = await waitFor(
          () => {
            const chat = chatRecords(gateway);
            return chat.length >= 2 && chat;
          },
          'the records of both requests',
          15_000,
        );
        assert.equal(miss!.cache_status, 'miss');
        // 21 prompt tokens at 1 USD/Mtok and 10 completion tokens at 2 USD/Mtok: 41,000 nano-USD.
        assert.equal(miss!.cost_nano_usd, 41_000);
        assert.equal(semantic!.cache_status, 'semantic');
        assert.equal(semantic!.cost_avoided_nano_usd, miss!.cost_nano_usd);
        assert.equal(semantic!.cost_nano_usd, 0);
        assert.equal(semantic!.prompt_tokens, 0);
        assert.equal(semantic!.completion_tokens, 0);
        assert.ok(Math.abs(semantic!.cache_similarity! - Number(hit.similarity)) < 1e-3);
      });
    });
  });
}
