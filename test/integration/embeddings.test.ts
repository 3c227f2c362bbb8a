// /v1/embeddings end to end: the input's tokens counted exactly for budgets (texts with the model's encoding,
// token arrays as their length), usage from the upstream checked like the chat path's, OpenAI's bound on
// inputs, and the simulator answering token arrays and `dimensions` as OpenAI does.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startTestGateway, type TestGateway } from '../support/gateway.js';
import { sendJson, startScriptedServer, type ScriptedServer } from '../support/scripted-server.js';
import { waitFor } from '../support/wait.js';

interface Answer {
  status: number;
  headers: Headers;
  body: {
    data?: { embedding: number[] }[];
    usage?: { prompt_tokens: number };
    error?: { message: string; code: string; param: string | null };
  };
}

describe('/v1/embeddings', () => {
  let upstream: ScriptedServer;
  let gateway: TestGateway;
  /** What the scripted upstream reports as usage, per upstream model name. */
  const usageOf: Record<string, unknown> = {
    'text-embedding-3-small': { prompt_tokens: 2, total_tokens: 2 },
    'as-string': { prompt_tokens: '5', total_tokens: '5' },
    'as-exponent': { prompt_tokens: '1e3', total_tokens: '1e3' },
    negative: { prompt_tokens: -5000, total_tokens: -5000 },
  };

  before(async () => {
    upstream = await startScriptedServer((request, res) => {
      const body = request.body as { model: string };
      sendJson(res, 200, {
        object: 'list',
        data: [{ object: 'embedding', index: 0, embedding: [0.6, 0.8] }],
        model: body.model,
        usage: usageOf[body.model],
      });
    });
    const model = (upstreamModel: string) => ({
      provider: 'oai',
      kind: 'embeddings',
      upstream_model: upstreamModel,
      pricing: { input_per_mtok: 1000 },
    });
    gateway = await startTestGateway({
      providers: {
        oai: { type: 'openai', base_url: `${upstream.url}/v1`, api_key: 'k' },
        sim: { type: 'simulator', ttft_ms: 0, tokens_per_second: 0 },
      },
      models: {
        small: model('text-embedding-3-small'),
        'as-string': model('as-string'),
        'as-exponent': model('as-exponent'),
        negative: model('negative'),
        'sim-embed': { provider: 'sim', kind: 'embeddings' },
      },
      limits: { global: { tpm: 20_000, cost_usd: { day: 1000 } } },
    });
  });
  after(async () => {
    await gateway.shutdown(0);
    await upstream.close();
  });

  async function embed(body: object, id?: string): Promise<Answer> {
    const response = await fetch(`${gateway.url}/v1/embeddings`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(id === undefined ? {} : { 'x-request-id': id }) },
      body: JSON.stringify(body),
    });
    return {
      status: response.status,
      headers: response.headers,
      body: (await response.json()) as Answer['body'],
    };
  }

  it('a text is reserved at its exact token count with the model’s encoding (cl100k_base), not bytes / 4', async () => {
    // "hello world" is 2 tokens in cl100k_base (11 bytes: bytes / 4 would reserve 3).
    const answer = await embed({ model: 'small', input: 'hello world' });
    assert.equal(answer.status, 200);
    assert.equal(answer.headers.get('x-ratelimit-remaining-tokens'), String(20_000 - 2));
  });

  it('more than 2048 inputs → 400 naming input, before any upstream call', async () => {
    const before = upstream.requests.length;
    const answer = await embed({ model: 'small', input: Array.from({ length: 2049 }, () => 'x') });
    assert.equal(answer.status, 400);
    assert.equal(answer.body.error!.code, 'invalid_request');
    assert.equal(answer.body.error!.param, 'input');
    assert.match(answer.body.error!.message, /2049 items; at most 2048 are allowed per request\.$/);
    assert.equal(upstream.requests.length, before);
    // 2048 are served (in few dimensions: the simulator bounds inputs × dimensions, below).
    assert.equal(
      (await embed({ model: 'sim-embed', input: Array.from({ length: 2048 }, () => 'x'), dimensions: 64 }))
        .status,
      200,
    );
  });

  it('the simulator refuses answers of more than 262,144 numbers, which it would build on the event loop', async () => {
    const inputs = (n: number) => Array.from({ length: n }, (_, i) => `text ${i}`);
    const refused = await embed({ model: 'sim-embed', input: inputs(2048), dimensions: 4096 });
    assert.equal(refused.status, 400);
    assert.equal(refused.body.error!.param, 'input');
    assert.match(
      refused.body.error!.message,
      /at most 262144 numbers per request: 2048 inputs of 4096 dimensions/,
    );
    assert.equal((await embed({ model: 'sim-embed', input: inputs(64), dimensions: 4096 })).status, 200);
    assert.equal((await embed({ model: 'sim-embed', input: inputs(1024) })).status, 200);
    assert.equal((await embed({ model: 'sim-embed', input: inputs(1025) })).status, 400);
  });

  it('token arrays count as their length: 16000 ids fit a 20000-token limit; 24000 never do, told without max_tokens', async () => {
    const ids = (n: number) => Array.from({ length: n }, (_, i) => 10_000 + ((i * 7) % 90_000));
    const fits = await embed({ model: 'sim-embed', input: [ids(16_000)] });
    assert.equal(fits.status, 200);
    assert.equal(fits.body.usage?.prompt_tokens, 16_000);
    const tooLarge = await embed({ model: 'sim-embed', input: [ids(24_000)] });
    assert.equal(tooLarge.status, 429);
    assert.match(tooLarge.body.error!.message, /reserves 24000 tokens \(its input\)/);
    // It can never be admitted: no retry-after, and SDKs are told not to retry it.
    assert.equal(tooLarge.headers.get('retry-after'), null);
    assert.equal(tooLarge.headers.get('x-should-retry'), 'false');
    assert.doesNotMatch(tooLarge.body.error!.message, /max_tokens/);
  });

  it('usage the upstream sends as a string, an exponent or a negative number is no count: estimated, never a refund', async () => {
    for (const model of ['as-string', 'as-exponent', 'negative']) {
      const answer = await embed({ model, input: 'hello world' }, `bad-usage-${model}`);
      assert.equal(answer.status, 200, model);
      const record = await waitFor(
        () => gateway.records.find((r) => r.client_request_id === `bad-usage-${model}`),
        `the record of ${model}`,
      );
      // The analysis' exact count stands in for the upstream's unusable one.
      assert.equal(record.prompt_tokens, 2, model);
      // Analysed for tokens and PII only: no complexity is reported for an embeddings input.
      assert.equal(record.complexity_class, null);
      assert.ok(record.cost_nano_usd > 0, `${model}: cost ${record.cost_nano_usd}`);
    }
    const metrics = await (await fetch(`${gateway.url}/metrics`)).text();
    for (const line of metrics.split('\n').filter((l) => l.startsWith('gateway_tokens_total{'))) {
      const value = line.slice(line.lastIndexOf(' ') + 1);
      assert.match(value, /^\d+(\.\d+)?$/, line);
    }
    const budgets = (await (await fetch(`${gateway.url}/v1/budgets`)).json()) as { data: { used: number }[] };
    for (const budget of budgets.data) assert.ok(budget.used >= 0, JSON.stringify(budget));
  });

  it('the simulator: one token array is one input; dimensions above 4096 → 400 naming dimensions', async () => {
    const one = await embed({ model: 'sim-embed', input: [1, 2, 3], dimensions: 2 });
    assert.equal(one.status, 200);
    assert.equal(one.body.data!.length, 1);
    assert.equal(one.body.usage!.prompt_tokens, 3);
    const two = await embed({ model: 'sim-embed', input: [[1, 2], [3]], dimensions: 2 });
    assert.equal(two.body.data!.length, 2);
    const huge = await embed({ model: 'sim-embed', input: 'x', dimensions: 10_000_000 });
    assert.equal(huge.status, 400);
    assert.equal(huge.body.error!.param, 'dimensions');
    assert.equal(
      (await embed({ model: 'sim-embed', input: 'x', dimensions: 4096 })).body.data![0]!.embedding.length,
      4096,
    );
  });
});
