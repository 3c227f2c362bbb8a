// What `npm start` serves: the gateway process on the shipped config/gateway.yaml (only its warehouse paths
// moved to a temporary directory, so the test writes nothing into the repository). The README promises that
// this default answers without an API key, caches (a miss, the same request again as an exact hit, a
// paraphrase as a semantic hit: issue 7) and enforces limits and budgets in process with no Redis (issue 5).
import assert from 'node:assert/strict';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { dayTokenBudget } from '../support/budgets.js';
import { spawnGateway, type GatewayProcess } from '../support/gateway-process.js';
import { waitFor } from '../support/wait.js';

const shipped = fileURLToPath(new URL('../../config/gateway.yaml', import.meta.url));

describe('the shipped config (npm start)', () => {
  let gateway: GatewayProcess;
  before(async () => {
    const dir = await mkdtemp(join(tmpdir(), 'gw-shipped-'));
    const text = await readFile(shipped, 'utf8');
    // The shipped file leaves `analytics` to its defaults (embedded chDB under ./.data); a top-level key
    // appended here moves only the paths.
    assert.doesNotMatch(text, /^analytics:/m);
    const path = join(dir, 'gateway.yaml');
    await writeFile(
      path,
      `${text}\nanalytics: { data_dir: ${JSON.stringify(join(dir, 'chdb'))}, spool_dir: ${JSON.stringify(join(dir, 'spool'))} }\n`,
    );
    gateway = await spawnGateway({ GATEWAY_CONFIG: path });
  });
  after(() => gateway.kill());

  const ask = (content: string) =>
    fetch(`${gateway.url}/v1/chat/completions`, {
      method: 'POST',
      body: JSON.stringify({ model: 'sim-1', temperature: 0, messages: [{ role: 'user', content }] }),
    });

  it('serves the simulator models without a key', async () => {
    const body = (await (await fetch(`${gateway.url}/v1/models`)).json()) as { data: { id: string }[] };
    const ids = body.data.map((m) => m.id);
    for (const id of ['sim-1', 'sim-fast', 'sim-embed']) assert.ok(ids.includes(id), id);
  });

  it('routes "auto" by complexity as the README shows', async () => {
    const route = async (content: string) => {
      const response = await fetch(`${gateway.url}/v1/chat/completions`, {
        method: 'POST',
        body: JSON.stringify({ model: 'auto', messages: [{ role: 'user', content }] }),
      });
      assert.equal(response.status, 200);
      await response.arrayBuffer();
      return response.headers.get('x-gateway-routed-model');
    };
    assert.equal(await route('What is the capital of France?'), 'sim-fast');
    assert.equal(
      await route(
        'Design a lock-free concurrent hash map in C++, prove it linearizable, analyse its complexity and ' +
          'write stress tests for it.',
      ),
      'sim-large',
    );
  });

  it("caches as the README shows: miss, then exact, then a paraphrase's semantic hit", async () => {
    const question = 'How do I reset my password?';
    const first = await ask(question);
    assert.equal(first.status, 200);
    const answer = ((await first.json()) as { choices: { message: { content: string } }[] }).choices[0]!
      .message.content;
    assert.equal(first.headers.get('x-gateway-cache'), 'miss');
    // The answer is stored after it is sent: ask again until the store has landed (at most a few tries).
    const exact = await waitFor(async () => {
      const r = await ask(question);
      const body = (await r.json()) as { choices: { message: { content: string } }[] };
      return r.headers.get('x-gateway-cache') === 'exact' ? body : undefined;
    }, 'an exact hit');
    assert.equal(exact.choices[0]!.message.content, answer);
    const paraphrase = await ask('How can I reset my password?');
    assert.equal(paraphrase.headers.get('x-gateway-cache'), 'semantic');
    assert.ok(Number(paraphrase.headers.get('x-gateway-cache-similarity')) >= 0.97);
    const body = (await paraphrase.json()) as { choices: { message: { content: string } }[] };
    assert.equal(body.choices[0]!.message.content, answer);
  });

  it('enforces its limits and budgets in process, with no Redis', async () => {
    const usedToday = () => dayTokenBudget(gateway.url, {}, 'global');
    const before = (await usedToday()).used;
    const one = await fetch(`${gateway.url}/v1/chat/completions`, {
      method: 'POST',
      body: JSON.stringify({ model: 'sim-fast', messages: [{ role: 'user', content: 'Hi' }] }),
    });
    assert.equal(one.status, 200);
    const usage = ((await one.json()) as { usage: { total_tokens: number } }).usage;
    const limit = Number(one.headers.get('x-ratelimit-limit-requests'));
    assert.ok(limit > 0, 'a request limit is announced');
    assert.ok(Number(one.headers.get('x-ratelimit-remaining-requests')) < limit);
    assert.ok(Number(one.headers.get('x-ratelimit-limit-tokens')) > 0);
    // This request's tokens land in the global daily budget once it is reconciled (at least them: an earlier
    // test's last reconciliation may land after `before` was read).
    const after = await waitFor(async () => {
      const daily = await usedToday();
      return daily.used >= before + usage.total_tokens ? daily : undefined;
    }, "the request's tokens in the daily budget");
    assert.ok(after.used < after.limit);
  });
});
