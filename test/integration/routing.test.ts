// Complexity routers through real gateways: a router's id is a model id clients send; the analysis chooses
// the target per request, and that choice is what is called, priced, cached, authorised and recorded.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { RequestRecord } from '../../analytics/record.js';
import { parseConfig } from '../../dataplane/config/load.js';
import { startTestGateway, type TestGateway } from '../support/gateway.js';
import { bearer, newKey } from '../support/identities.js';
import { waitFor } from '../support/wait.js';

const SIMPLE = 'What is the capital of France?';
const COMPLEX =
  'Design a distributed, lock-free consensus protocol for a replicated log. Prove its safety under network ' +
  'partitions, analyse its liveness, give pseudocode for leader election and log replication, and write ' +
  'property-based tests in Rust. Compare it with Raft and Paxos in a detailed table, with at most 800 words.';

const LARGE_PRICING = { input_per_mtok: 3, output_per_mtok: 15 };

const simulatorModels = {
  small: { provider: 'simulator', upstream_model: 'sim-small' },
  mid: { provider: 'simulator', upstream_model: 'sim-mid' },
  large: { provider: 'simulator', upstream_model: 'sim-large', pricing: LARGE_PRICING },
};
const autoRouter = { by: 'complexity', targets: { simple: 'small', medium: 'mid', complex: 'large' } };

function chat(prompt: string, extra: Record<string, unknown> = {}) {
  return { model: 'auto', max_tokens: 16, messages: [{ role: 'user', content: prompt }], ...extra };
}

async function recordOf(gateway: TestGateway, response: Response): Promise<RequestRecord> {
  const id = response.headers.get('x-request-id');
  assert.ok(id, 'x-request-id');
  return waitFor(() => gateway.records.find((r) => r.request_id === id), `the record of ${id}`);
}

describe('complexity routing', () => {
  let gateway: TestGateway;
  before(async () => {
    gateway = await startTestGateway({
      workers: { threads: 1 },
      providers: {
        simulator: { type: 'simulator', ttft_ms: 0, tokens_per_second: 0 },
        // Never called: only /v1/analyze asks for these.
        openai: { type: 'openai', base_url: 'http://127.0.0.1:9/v1', api_key: 'k' },
      },
      models: { ...simulatorModels, 'gpt-4o': { provider: 'openai' }, 'gpt-4': { provider: 'openai' } },
      routers: {
        auto: autoRouter,
        'auto-openai': { by: 'complexity', targets: { simple: 'gpt-4o', medium: 'gpt-4', complex: 'gpt-4' } },
      },
      // Off for requests that name a model; a router's requests are analysed all the same.
      analysis: { enabled: false },
      cache: { enabled: true, semantic: { enabled: false } },
    });
  });
  after(() => gateway.shutdown(0));

  it('sends a simple prompt to the simple target and records the choice', async () => {
    const response = await gateway.post('/v1/chat/completions', chat(SIMPLE));
    assert.equal(response.status, 200);
    assert.equal(response.headers.get('x-gateway-routed-model'), 'small');
    const completion = (await response.json()) as { model: string };
    assert.equal(completion.model, 'sim-small');
    const record = await recordOf(gateway, response);
    assert.equal(record.model_requested, 'auto');
    assert.equal(record.model_routed, 'sim-small');
    assert.equal(record.route_reason, 'complexity:simple');
    assert.equal(record.complexity_class, 'simple');
    assert.equal(record.cost_nano_usd, 0, 'small is free');
    // Tokens are counted for the model that answered; requests under the id the client sent.
    const metrics = await (await fetch(`${gateway.url}/metrics`)).text();
    assert.match(metrics, /\ngateway_tokens_total\{model="small",kind="completion"\} [1-9]/);
    assert.doesNotMatch(metrics, /\ngateway_tokens_total\{model="auto"/);
    assert.match(metrics, /\ngateway_requests_total\{route="chat",model="auto",status="200"\} [1-9]/);
  });

  it('streams a complex prompt from the complex target, priced at its prices', async () => {
    const response = await gateway.post('/v1/chat/completions', chat(COMPLEX, { stream: true }));
    assert.equal(response.status, 200);
    assert.equal(response.headers.get('x-gateway-routed-model'), 'large');
    const text = await response.text();
    assert.match(text, /"model":"sim-large"/);
    assert.match(text, /data: \[DONE\]/);
    const record = await recordOf(gateway, response);
    assert.equal(record.route_reason, 'complexity:complex');
    assert.equal(record.model_routed, 'sim-large');
    assert.ok(record.prompt_tokens > 0 && record.completion_tokens > 0);
    // nano-USD = tokens × USD per 1M tokens × 1000.
    const expected =
      (record.prompt_tokens * LARGE_PRICING.input_per_mtok +
        record.completion_tokens * LARGE_PRICING.output_per_mtok) *
      1000;
    assert.equal(record.cost_nano_usd, expected);
  });

  it('routes Anthropic Messages requests the same way', async () => {
    const response = await gateway.post('/v1/messages', {
      model: 'auto',
      max_tokens: 16,
      messages: [{ role: 'user', content: COMPLEX }],
    });
    assert.equal(response.status, 200);
    assert.equal(response.headers.get('x-gateway-routed-model'), 'large');
    const message = (await response.json()) as { type: string; model: string };
    assert.equal(message.type, 'message');
    assert.equal(message.model, 'sim-large');
    assert.equal((await recordOf(gateway, response)).route_reason, 'complexity:complex');
  });

  it('leaves requests that name a model static (and unanalysed, as configured)', async () => {
    const response = await gateway.post('/v1/chat/completions', chat(COMPLEX, { model: 'mid' }));
    assert.equal(response.status, 200);
    assert.equal(response.headers.get('x-gateway-routed-model'), null);
    const record = await recordOf(gateway, response);
    assert.equal(record.route_reason, 'static');
    assert.equal(record.model_routed, 'sim-mid');
    assert.equal(record.complexity_score, null);
  });

  it('caches by the chosen model: a repeat hits, and so does the target named directly; the provisional model does not', async () => {
    // No max_tokens: an answer cut at its limit is not stored.
    const body = chat('Name one primary colour.', { temperature: 0, max_tokens: undefined });
    const first = await gateway.post('/v1/chat/completions', body);
    assert.equal(first.headers.get('x-gateway-cache'), 'miss');
    const answer = await first.text();
    const second = await waitFor(async () => {
      const r = await gateway.post('/v1/chat/completions', body);
      return r.headers.get('x-gateway-cache') === 'exact' ? r : (await r.arrayBuffer(), undefined);
    }, 'the answer stored');
    assert.equal(second.headers.get('x-gateway-routed-model'), 'small');
    assert.equal(await second.text(), answer);
    const record = await recordOf(gateway, second);
    assert.equal(record.cache_status, 'exact');
    assert.equal(record.route_reason, 'complexity:simple');
    assert.equal(record.model_routed, 'sim-small');
    // The same body naming the target: the same model answers it, so the entry is shared.
    const named = await gateway.post('/v1/chat/completions', { ...body, model: 'small' });
    assert.equal(named.headers.get('x-gateway-cache'), 'exact');
    assert.equal(await named.text(), answer);
    // The provisional model the router holds before the analysis has none of it.
    const provisional = await gateway.post('/v1/chat/completions', { ...body, model: 'mid' });
    assert.equal(provisional.headers.get('x-gateway-cache'), 'miss');
    await provisional.arrayBuffer();
  });

  it('/v1/analyze shows the choice and counts the tokens with the chosen target’s tokenizer', async () => {
    type Report = {
      router?: string;
      model: string;
      tokens: { encoding: string; prompt: number };
      complexity: { score: number };
      routing?: { class: string; model: string; score: number };
    };
    const analyze = async (body: unknown): Promise<Report> => {
      const response = await gateway.post('/v1/analyze', body);
      assert.equal(response.status, 200);
      return (await response.json()) as Report;
    };
    const simple = await analyze(chat(SIMPLE, { model: 'auto-openai' }));
    assert.equal(simple.router, 'auto-openai');
    assert.equal(simple.model, 'gpt-4o');
    assert.equal(simple.tokens.encoding, 'o200k_base');
    assert.deepEqual(simple.routing, { class: 'simple', model: 'gpt-4o', score: simple.complexity.score });
    const complex = await analyze(chat(COMPLEX, { model: 'auto-openai' }));
    assert.equal(complex.model, 'gpt-4');
    assert.equal(complex.tokens.encoding, 'cl100k_base');
    assert.equal(complex.routing?.class, 'complex');
    // The same count as asking for the target by name.
    const named = await analyze(chat(COMPLEX, { model: 'gpt-4' }));
    assert.equal(complex.tokens.prompt, named.tokens.prompt);
    assert.equal(named.routing, undefined);
    assert.equal(named.router, undefined);
  });

  it('lists routers among the models, owned by the gateway', async () => {
    const list = (await (await fetch(`${gateway.url}/v1/models`)).json()) as {
      data: { id: string; owned_by: string }[];
    };
    assert.deepEqual(
      list.data.find((m) => m.id === 'auto'),
      { id: 'auto', object: 'model', created: 0, owned_by: 'gateway' },
    );
    const one = await fetch(`${gateway.url}/v1/models/auto`);
    assert.equal(one.status, 200);
    assert.equal(((await one.json()) as { owned_by: string }).owned_by, 'gateway');
  });

  it('refuses embeddings on a router, which routes chat', async () => {
    const response = await gateway.post('/v1/embeddings', { model: 'auto', input: 'hello' });
    assert.equal(response.status, 400);
    const body = (await response.json()) as { error: { code: string; message: string } };
    assert.equal(body.error.code, 'unsupported_operation');
    assert.match(body.error.message, /'auto' is a chat model/);
    const record = await recordOf(gateway, response);
    assert.equal(record.model_routed, null, 'no target was chosen');
  });

  it('counts requests sent on, by router, class and target, and not /v1/analyze dry runs', async () => {
    const count = async () => {
      const metrics = await (await fetch(`${gateway.url}/metrics`)).text();
      const sample = 'gateway_routed_requests_total{router="auto",class="simple",model="small"} ';
      const line = metrics.split('\n').find((l) => l.startsWith(sample));
      return line === undefined ? 0 : Number(line.slice(sample.length));
    };
    const before = await count();
    const sent = await gateway.post('/v1/chat/completions', chat(SIMPLE));
    assert.equal(sent.status, 200);
    await sent.arrayBuffer();
    const dry = await gateway.post('/v1/analyze', chat(SIMPLE));
    assert.equal(((await dry.json()) as { routing: { class: string } }).routing.class, 'simple');
    await recordOf(gateway, sent);
    assert.equal(await count(), before + 1);
  });
});

describe('complexity routing: access', () => {
  const routed = newKey();
  const direct = newKey();
  let gateway: TestGateway;
  before(async () => {
    gateway = await startTestGateway({
      workers: { threads: 1 },
      providers: { simulator: { type: 'simulator', ttft_ms: 0, tokens_per_second: 0 } },
      models: simulatorModels,
      routers: { auto: autoRouter },
      auth: { anonymous: 'deny' },
      teams: {
        routed: { models: ['auto'], apps: { web: { keys: [{ id: 'routed', sha256: routed.sha256 }] } } },
        direct: { models: ['small'], apps: { web: { keys: [{ id: 'direct', sha256: direct.sha256 }] } } },
      },
    });
  });
  after(() => gateway.shutdown(0));

  it('a key allowed the router reaches every target through it, and none directly', async () => {
    const viaRouter = await gateway.post('/v1/chat/completions', chat(COMPLEX), bearer(routed.key));
    assert.equal(viaRouter.status, 200);
    assert.equal(viaRouter.headers.get('x-gateway-routed-model'), 'large');
    await viaRouter.arrayBuffer();
    const named = await gateway.post(
      '/v1/chat/completions',
      chat(COMPLEX, { model: 'large' }),
      bearer(routed.key),
    );
    assert.equal(named.status, 403);
    assert.equal(((await named.json()) as { error: { code: string } }).error.code, 'forbidden');
  });

  it('a key not allowed the router is refused, even when the target would be one it may use', async () => {
    const response = await gateway.post('/v1/chat/completions', chat(SIMPLE), bearer(direct.key));
    assert.equal(response.status, 403);
    const body = (await response.json()) as { error: { code: string; message: string } };
    assert.equal(body.error.code, 'forbidden');
    assert.match(body.error.message, /may not use model 'auto'/);
    const list = (await (
      await fetch(`${gateway.url}/v1/models`, { headers: bearer(direct.key) })
    ).json()) as {
      data: { id: string }[];
    };
    assert.deepEqual(
      list.data.map((m) => m.id),
      ['small'],
    );
  });
});

describe('complexity routing: a reload that changes the router', () => {
  let gateway: TestGateway;
  const document = (simple: string) => ({
    workers: { threads: 1 },
    providers: { simulator: { type: 'simulator', ttft_ms: 0, tokens_per_second: 0 } },
    models: simulatorModels,
    routers: { auto: { ...autoRouter, targets: { ...autoRouter.targets, simple } } },
    cache: { enabled: true, semantic: { enabled: false } },
  });
  before(async () => {
    gateway = await startTestGateway(document('small'));
  });
  after(() => gateway.shutdown(0));

  it('sends the next request to the new target, which does not get the old target’s cached answer', async () => {
    const body = chat('Name one primary colour.', { temperature: 0, max_tokens: undefined });
    const first = await gateway.post('/v1/chat/completions', body);
    assert.equal(first.headers.get('x-gateway-routed-model'), 'small');
    const answer = await first.text();
    await waitFor(async () => {
      const r = await gateway.post('/v1/chat/completions', body);
      await r.arrayBuffer();
      return r.headers.get('x-gateway-cache') === 'exact';
    }, 'the answer stored');
    assert.equal(await gateway.reload(parseConfig(document('mid'), process.env, 'reloaded')), true);
    const after = await gateway.post('/v1/chat/completions', body);
    assert.equal(after.headers.get('x-gateway-routed-model'), 'mid');
    assert.equal(after.headers.get('x-gateway-cache'), 'miss');
    assert.equal(((await after.json()) as { model: string }).model, 'sim-mid');
    const record = await recordOf(gateway, after);
    assert.equal(record.model_routed, 'sim-mid');
    // The old target's entry is still its own.
    const named = await gateway.post('/v1/chat/completions', { ...body, model: 'small' });
    assert.equal(named.headers.get('x-gateway-cache'), 'exact');
    assert.equal(await named.text(), answer);
  });
});

describe('complexity routing: limits reserve for the chosen target', () => {
  let gateway: TestGateway;
  before(async () => {
    gateway = await startTestGateway({
      workers: { threads: 1 },
      providers: { simulator: { type: 'simulator', ttft_ms: 0, tokens_per_second: 0 } },
      models: {
        small: { provider: 'simulator', max_output_tokens: 100 },
        big: { provider: 'simulator', max_output_tokens: 100_000, context_window: 200_000 },
      },
      // The provisional target (medium) is big: a reservation made for it would not fit the tpm limit.
      routers: { auto: { by: 'complexity', targets: { simple: 'small', medium: 'big', complex: 'big' } } },
      limits: { global: { tpm: 5_000 } },
    });
  });
  after(() => gateway.shutdown(0));

  it('admits a simple prompt without max_tokens at the simple target’s completion bound', async () => {
    const routed = await gateway.post('/v1/chat/completions', chat(SIMPLE, { max_tokens: undefined }));
    assert.equal(routed.status, 200);
    assert.equal(routed.headers.get('x-gateway-routed-model'), 'small');
    await routed.arrayBuffer();
    // What the provisional target's bound would have done to it.
    const big = await gateway.post(
      '/v1/chat/completions',
      chat(SIMPLE, { model: 'big', max_tokens: undefined }),
    );
    assert.equal(big.status, 429);
    const refusal = (await big.json()) as { error: { type: string; code: string } };
    assert.equal(refusal.error.type, 'rate_limit_error');
    assert.equal(refusal.error.code, 'rate_limited');
  });
});
