// A replica that dies mid-request on a shared Redis 8 (issue 5: "reservations of crashed requests expire"):
// a gateway process holding a concurrency slot and a token reservation for a long stream is SIGKILLed, so it
// can neither reconcile nor release. Another replica must see the hold (the slot is taken, the tokens are
// reserved) and then, once `reservation_ttl_s` has passed without the dead replica renewing its lease, admit
// again with nothing left reserved. The limiter-level tests move a fake clock; this one uses a real process,
// a real kill and Redis' own clock.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { spawnGateway, type GatewayProcess } from '../support/gateway-process.js';
import { startTestGateway, type TestGateway } from '../support/gateway.js';
import { dayTokenBudget } from '../support/budgets.js';
import { bearer, newKey } from '../support/identities.js';
import { startPrivateRedis, type PrivateRedis } from '../support/redis.js';
import { waitFor } from '../support/wait.js';

// Long enough for the checks right after the kill to land before the hold's expiry even on a loaded machine
// (a hold is renewed every second here, so it outlives the kill by at least TTL_S - 1 s).
const TTL_S = 4;

describe('a replica killed mid-request: its holds expire after reservation_ttl_s', () => {
  let redis: PrivateRedis;
  let doomed: GatewayProcess;
  let survivor: TestGateway;
  const app = newKey();

  before(async () => {
    redis = await startPrivateRedis();
    const document = {
      logging: { level: 'info' },
      analytics: { enabled: false },
      auth: { anonymous: 'deny' },
      workers: { threads: 1 },
      limits: {
        redis: { url: redis.url, key_prefix: `t${randomBytes(4).toString('hex')}:` },
        reservation_ttl_s: TTL_S,
      },
      // A stream that lasts far longer than the test: 400 tokens at 20 a second.
      providers: { simulator: { type: 'simulator', ttft_ms: 0, tokens_per_second: 20 } },
      models: { 'sim-slow': { provider: 'simulator', simulation: { output_tokens: 400 } } },
      teams: {
        acme: {
          models: ['*'],
          apps: {
            web: {
              keys: [{ id: 'w', sha256: app.sha256 }],
              limits: { concurrency: 1, tokens: { day: 1_000_000 } },
            },
          },
        },
      },
    };
    const path = join(await mkdtemp(join(tmpdir(), 'gw-crash-')), 'gateway.yaml');
    await writeFile(path, JSON.stringify(document)); // JSON is YAML
    doomed = await spawnGateway({ GATEWAY_CONFIG: path });
    const { logging: _logging, ...rest } = document;
    survivor = await startTestGateway(rest);
  });
  after(async () => {
    await doomed?.kill();
    await survivor?.shutdown(0);
    await redis?.stop();
  });

  const stream = (url: string, signal?: AbortSignal) =>
    fetch(`${url}/v1/chat/completions`, {
      method: 'POST',
      headers: bearer(app.key),
      body: JSON.stringify({
        model: 'sim-slow',
        stream: true,
        max_tokens: 500,
        messages: [{ role: 'user', content: 'Tell me a long story.' }],
      }),
      ...(signal === undefined ? {} : { signal }),
    });

  const reserved = async (): Promise<number> =>
    (await dayTokenBudget(survivor.url, bearer(app.key), 'app:acme/web')).reserved;

  it('the dead replica holds its slot and reservation until the TTL, then both are free', async () => {
    const client = new AbortController();
    const first = await stream(doomed.url, client.signal);
    assert.equal(first.status, 200);
    // The first bytes of the stream: admitted, holding the app's one slot and its reservation.
    const reader = first.body!.getReader();
    const { value } = await reader.read();
    assert.ok(value !== undefined && value.length > 0);
    assert.ok((await reserved()) > 0, 'the running stream reserves its max_tokens');

    await doomed.kill(); // SIGKILL: no reconcile, no release, no more lease renewals
    client.abort();

    // Right after the kill the hold is still there, seen from the other replica.
    const refused = await stream(survivor.url);
    const refusal = (await refused.json()) as { error: { code: string; message: string } };
    assert.equal(refused.status, 429, JSON.stringify(refusal));
    assert.equal(refusal.error.code, 'rate_limited');
    assert.match(refusal.error.message, /Too many requests in flight/);
    assert.ok((await reserved()) > 0);

    // Within a few TTLs (the dead lease's last renewal may be up to a renewal period old) it is gone.
    await waitFor(async () => (await reserved()) === 0, 'the dead reservation to expire', TTL_S * 1000 * 5);
    const admitted = new AbortController();
    const again = await stream(survivor.url, admitted.signal);
    assert.equal(again.status, 200, await (again.status === 200 ? Promise.resolve('') : again.text()));
    admitted.abort();
  });
});
