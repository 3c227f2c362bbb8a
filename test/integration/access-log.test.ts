// The access log (`logging.access_log`): one JSON line per request record, bounded as the warehouse bounds its
// rows. A record holds what the client sent, and a 1 MB model id or a 60 KB path made a line of that size
// (found by black-box testing).
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { parseConfig } from '../../dataplane/config/load.js';
import { startGateway, type Gateway } from '../../dataplane/gateway.js';
import { createLogger } from '../../dataplane/observability/logger.js';
import { waitFor } from '../support/wait.js';

describe('access log', () => {
  let gateway: Gateway;
  const lines: string[] = [];
  before(async () => {
    const config = parseConfig(
      { logging: { level: 'info', access_log: true }, analytics: { enabled: false } },
      process.env,
      'test config',
    );
    gateway = await startGateway({ config, port: 0, logger: createLogger('info', (l) => lines.push(l)) });
  });
  after(() => gateway.shutdown(0));

  const requestLines = () =>
    lines.map((l) => JSON.parse(l) as Record<string, unknown>).filter((e) => e.msg === 'request');

  it('writes one line per request, with the record fields', async () => {
    const response = await fetch(`${gateway.url}/v1/models`);
    await response.text();
    const line = await waitFor(() => requestLines().find((e) => e.path === '/v1/models'), 'the line');
    assert.equal(line.status, 200);
    assert.equal(typeof line.request_id, 'string');
    // The client's address as the warehouse keeps it (analytics.client_ip: truncate, the default).
    assert.equal(line.client_ip, '127.0.0.0');
  });

  it('redacts the values of query parameters that carry a secret (?api-key=…), keeping the others', async () => {
    const response = await fetch(
      `${gateway.url}/v1/models?api-key=sk-QUERYSECRET-abc&limit=2&access_token=t`,
    );
    await response.text();
    const line = await waitFor(
      () => requestLines().find((e) => typeof e.path === 'string' && e.path.includes('limit=2')),
      'the line',
    );
    assert.equal(line.path, '/v1/models?api-key=REDACTED&limit=2&access_token=REDACTED');
    assert.ok(!lines.some((l) => l.includes('QUERYSECRET')));
    // A query of thousands of parameters keeps its first 64: what lies past them is not looked at.
    const many = Array.from({ length: 1000 }, (_, i) => `p${i}=v`).join('&');
    await (await fetch(`${gateway.url}/v1/models?${many}&token=sk-LATE`)).text();
    const long = await waitFor(
      () =>
        requestLines().find(
          (e) => typeof e.path === 'string' && e.path.includes('p999') === false && e.path.includes('p63='),
        ),
      'the long query line',
    );
    assert.ok((long.path as string).endsWith('&…'));
    assert.ok(!lines.some((l) => l.includes('sk-LATE')));
  });

  it('bounds what the client sent: a 1 MB model id and a 60 KB path', async () => {
    const model = 'm'.repeat(1_000_000);
    const refused = await fetch(`${gateway.url}/v1/chat/completions`, {
      method: 'POST',
      body: JSON.stringify({ model, messages: [{ role: 'user', content: 'hi' }] }),
    });
    assert.equal(refused.status, 404);
    await refused.text();
    const long = await fetch(`${gateway.url}/v1/models/${'p'.repeat(60_000)}`);
    await long.text();
    const modelLine = await waitFor(
      () => requestLines().find((e) => e.status === 404 && e.endpoint === 'chat'),
      'the 404 line',
    );
    assert.equal((modelLine.model_requested as string).length, 4096);
    const pathLine = await waitFor(
      () => requestLines().find((e) => typeof e.path === 'string' && e.path.length > 1000),
      'the long path line',
    );
    assert.equal((pathLine.path as string).length, 2048);
    assert.ok(Math.max(...lines.map((l) => l.length)) < 64 * 1024);
  });
});
