// Requests from web pages (an Origin header, no credential) are refused unless their origin is listed: a page
// needs no preflight for a text/plain POST, so any site a user visits could otherwise make their browser call a
// gateway on localhost with the anonymous access `npm start` gives (found by black-box testing).
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startTestGateway, type TestGateway } from '../support/gateway.js';
import { bearer, newKey } from '../support/identities.js';
import { waitFor } from '../support/wait.js';

describe('browser origins', () => {
  let gateway: TestGateway;
  before(async () => {
    gateway = await startTestGateway({
      server: { browser_origins: ['https://console.example'] },
      models: { 'sim-fast': { provider: 'simulator', simulation: { ttft_ms: 0, tokens_per_second: 0 } } },
    });
  });
  after(() => gateway.shutdown(0));

  const post = (headers: Record<string, string>) =>
    fetch(`${gateway.url}/v1/chat/completions`, {
      method: 'POST',
      // What a page can send cross-site without a preflight.
      headers: { 'content-type': 'text/plain', ...headers },
      body: JSON.stringify({ model: 'sim-fast', messages: [{ role: 'user', content: 'hi' }] }),
    });

  it('refuses a page of another origin with a 403 before anything else, and records it', async () => {
    const before = gateway.records.length;
    const refused = await post({ origin: 'https://evil.example' });
    assert.equal(refused.status, 403);
    const body = (await refused.json()) as { error: { code: string; message: string; type: string } };
    assert.equal(body.error.code, 'forbidden');
    assert.equal(body.error.type, 'permission_error');
    assert.match(body.error.message, /web pages.*https:\/\/evil\.example.*server\.browser_origins/);
    const record = await waitFor(() => gateway.records.slice(before).at(0), 'the record');
    assert.equal(record.status, 403);
    assert.equal(record.prompt_tokens, 0);
    // A sandboxed page sends Origin: null; read-only routes are refused alike.
    assert.equal((await post({ origin: 'null' })).status, 403);
    const models = await fetch(`${gateway.url}/v1/models`, { headers: { origin: 'https://evil.example' } });
    assert.equal(models.status, 403);
    await models.text();
  });

  it('refuses it although it carries a credential the anonymous mode ignores (cached Basic, a proxy header)', async () => {
    // No identities are configured here: a credential makes no identity, so the request is still anonymous.
    const keyed = await post({ origin: 'https://evil.example', authorization: 'Basic dXNlcjpwYXNz' });
    assert.equal(keyed.status, 403);
    await keyed.text();
  });

  it('refuses an entry of server.browser_origins that is not an origin as a browser sends it', async () => {
    const { parseConfig } = await import('../../dataplane/config/load.js');
    for (const entry of [
      'https://console.example/',
      'https://Console.example',
      'https://console.example:443',
    ])
      assert.throws(() => parseConfig({ server: { browser_origins: [entry] } }, {}, 'test'), /origin/, entry);
    parseConfig(
      {
        server: {
          browser_origins: [
            '*',
            'null',
            'http://localhost:3000',
            'chrome-extension://abcdef',
            'tauri://localhost',
          ],
        },
      },
      {},
      'test',
    );
  });

  it('serves a listed origin, and every client that sends no Origin (SDKs, servers, curl)', async () => {
    const listed = await post({ origin: 'https://console.example' });
    assert.equal(listed.status, 200);
    await listed.json();
    const server = await post({});
    assert.equal(server.status, 200);
    await server.json();
  });
});

describe('browser origins with identities', () => {
  it('serves a web page whose request carries a verified key (a web UI behind a proxy, an Electron app)', async () => {
    const key = newKey();
    const gateway = await startTestGateway({
      models: { 'sim-fast': { provider: 'simulator', simulation: { ttft_ms: 0, tokens_per_second: 0 } } },
      teams: { acme: { models: ['*'], apps: { web: { keys: [{ id: 'web-1', sha256: key.sha256 }] } } } },
    });
    try {
      const response = await fetch(`${gateway.url}/v1/chat/completions`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', origin: 'app://desktop', ...bearer(key.key) },
        body: JSON.stringify({ model: 'sim-fast', messages: [{ role: 'user', content: 'hi' }] }),
      });
      assert.equal(response.status, 200);
      await response.json();
    } finally {
      await gateway.shutdown(0);
    }
  });
});
