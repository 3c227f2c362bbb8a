// A config reload while requests are in flight: each finishes on the config it started with, and the replaced
// config's upstream pools close only once the last of them is over. Remote JWKS across reloads, applied or
// refused.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import { connect, type AddressInfo } from 'node:net';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { exportJWK, generateKeyPair, SignJWT } from 'jose';
import { parseConfig } from '../../dataplane/config/load.js';
import { startTestGateway, type TestGateway } from '../support/gateway.js';
import { waitFor } from '../support/wait.js';

const answer = JSON.stringify({
  id: 'chatcmpl-1',
  object: 'chat.completion',
  created: 1,
  model: 'gpt-4o-mini',
  choices: [{ index: 0, message: { role: 'assistant', content: 'ok' }, finish_reason: 'stop' }],
  usage: { prompt_tokens: 3, completion_tokens: 1, total_tokens: 4 },
});

describe('config reload with requests in flight', () => {
  let upstream: Server;
  let gateway: TestGateway;
  let document: Record<string, unknown>;
  let upstreamCalls = 0;

  before(async () => {
    upstream = createServer((req, res) => {
      req.resume();
      req.on('end', () => {
        upstreamCalls += 1;
        // Answers after 150 ms, so that a reload can happen while the call is in flight.
        setTimeout(() => res.writeHead(200, { 'content-type': 'application/json' }).end(answer), 150);
      });
    });
    upstream.listen(0, '127.0.0.1');
    await once(upstream, 'listening');
    const port = (upstream.address() as AddressInfo).port;
    document = {
      analysis: { enabled: false },
      providers: { up: { type: 'openai', base_url: `http://127.0.0.1:${port}/v1`, api_key: 'k' } },
      models: { m: { provider: 'up' } },
    };
    gateway = await startTestGateway(document);
  });

  after(async () => {
    await gateway.shutdown(0);
    upstream.closeAllConnections();
    upstream.close();
  });

  const reload = () => gateway.reload(parseConfig(document, process.env, 'reloaded'));

  it('a request whose body is still arriving when the config reloads is answered by its config', async () => {
    const body = JSON.stringify({ model: 'm', messages: [{ role: 'user', content: 'hello there' }] });
    const socket = connect(gateway.port, '127.0.0.1');
    await once(socket, 'connect');
    let received = '';
    socket.on('data', (chunk: Buffer) => (received += chunk.toString()));
    const half = Math.floor(body.length / 2);
    socket.write(
      `POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n` +
        `Content-Length: ${Buffer.byteLength(body)}\r\nX-Request-Id: mid-upload\r\n\r\n${body.slice(0, half)}`,
    );
    await new Promise((resolve) => setTimeout(resolve, 50));
    assert.equal(await reload(), true);
    socket.write(body.slice(half));
    await waitFor(() => (/"ok"|"error"/.test(received) ? true : undefined), 'the answer', 5_000);
    socket.destroy();
    assert.match(received, /^HTTP\/1\.1 200 OK/);
    const record = await waitFor(
      () => gateway.records.find((r) => r.client_request_id === 'mid-upload'),
      'the record',
    );
    assert.equal(record.status, 200);
    assert.equal(record.error_code, null);
  });

  it('calls in flight across two reloads finish; the replaced configs stop taking calls afterwards', async () => {
    const first = gateway.runtime();
    const call = () =>
      fetch(`${gateway.url}/v1/chat/completions`, {
        method: 'POST',
        body: JSON.stringify({ model: 'm', messages: [{ role: 'user', content: 'hi' }] }),
      });
    const before = upstreamCalls;
    const inFlight = [call(), call()];
    await waitFor(() => (upstreamCalls === before + 2 ? true : undefined), 'both calls upstream');
    assert.equal(await reload(), true);
    const second = gateway.runtime();
    assert.equal(await reload(), true);
    const statuses = await Promise.all(inFlight.map(async (r) => (await r).status));
    assert.deepEqual(statuses, [200, 200]);
    // The first config's pool closes once its requests are over; the second had none, so it closed at once.
    for (const retired of [first, second]) {
      await assert.rejects(
        retired.providers
          .get('up')!
          .chat(
            { model: 'm', messages: [{ role: 'user', content: 'x' }] },
            { model: retired.models.get('m')!, requestId: 'probe', signal: new AbortController().signal },
          ),
        /UND_ERR_(CLOSED|DESTROYED)/,
      );
    }
    // The current config still serves.
    assert.equal((await call()).status, 200);
  });
});

describe('a reload that would let anonymous callers in', () => {
  let gateway: TestGateway;
  const keyHash = createHash('sha256').update('sk-reload-test').digest('hex');
  const secured = {
    analysis: { enabled: false },
    teams: { t: { models: ['*'], apps: { a: { keys: [{ id: 'k', sha256: keyHash }] } } } },
  };
  before(async () => {
    gateway = await startTestGateway(secured);
  });
  after(() => gateway.shutdown(0));

  const anonymousStatus = async () => (await fetch(`${gateway.url}/v1/models`)).status;

  it('is refused when it only loses its identities (a file cut before teams:, a removed last team)', async () => {
    assert.equal(await anonymousStatus(), 401);
    // What a half-written copy of the file holds: everything before `teams:`.
    assert.equal(
      await gateway.reload(parseConfig({ analysis: { enabled: false } }, process.env, 'cut')),
      false,
    );
    assert.equal(await anonymousStatus(), 401);
    const keyed = await fetch(`${gateway.url}/v1/models`, {
      headers: { authorization: 'Bearer sk-reload-test' },
    });
    assert.equal(keyed.status, 200);
    // Other reloads still apply.
    assert.equal(
      await gateway.reload(parseConfig({ ...secured, logging: { level: 'warn' } }, process.env, 'ok')),
      true,
    );
  });

  it('applies when the config opens the gateway on purpose (auth.anonymous: allow)', async () => {
    const open = { analysis: { enabled: false }, auth: { anonymous: 'allow' } };
    assert.equal(await gateway.reload(parseConfig(open, process.env, 'open')), true);
    assert.equal(await anonymousStatus(), 200);
  });
});

// The remote JWKS outlive a config: a reload that is applied re-reads them at once (a key the provider
// withdrew stops working then), a reload that is refused does not touch them.
describe('config reload and remote JWKS', () => {
  let idp: Server;
  let gateway: TestGateway;
  let fetches = 0;
  let valid: Record<string, unknown>;
  let token: string;

  before(async () => {
    const pair = await generateKeyPair('RS256');
    const jwk = { ...(await exportJWK(pair.publicKey)), kid: 'k1', alg: 'RS256', use: 'sig' };
    idp = createServer((_req, res) => {
      fetches += 1;
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ keys: [jwk] }));
    });
    idp.listen(0, '127.0.0.1');
    await once(idp, 'listening');
    const jwksUrl = `http://127.0.0.1:${(idp.address() as AddressInfo).port}/jwks.json`;
    valid = {
      analysis: { enabled: false },
      providers: { up: { type: 'openai', base_url: 'http://127.0.0.1:9/v1', api_key: 'k' } },
      models: { m: { provider: 'up' } },
      auth: { jwt: [{ issuer: 'https://idp.test', audience: 'gw', jwks_url: jwksUrl }] },
      teams: { acme: { models: ['*'], apps: { web: { keys: [] } } } },
    };
    gateway = await startTestGateway(valid);
    token = await new SignJWT({ team: 'acme', app: 'web', sub: 'ann' })
      .setProtectedHeader({ alg: 'RS256', kid: 'k1' })
      .setIssuer('https://idp.test')
      .setAudience('gw')
      .setExpirationTime('5m')
      .sign(pair.privateKey);
  });

  after(async () => {
    await gateway.shutdown(0);
    idp.closeAllConnections();
    idp.close();
  });

  /** GET /v1/budgets with the token: 200 once the JWT is verified. */
  const budgets = () =>
    fetch(`${gateway.url}/v1/budgets`, { headers: { authorization: `Bearer ${token}` } }).then(async (r) => {
      await r.arrayBuffer();
      return r.status;
    });

  it('a refused reload fetches nothing; an applied one re-reads the set at once', async () => {
    assert.equal(await budgets(), 200);
    assert.equal(fetches, 1);
    // Refused: its second issuer's JWKS file does not exist (checked when the config is built).
    const broken = structuredClone(valid) as { auth: { jwt: Record<string, unknown>[] } };
    broken.auth.jwt.push({
      issuer: 'https://other.test',
      audience: 'gw',
      jwks_file: '/nonexistent/jwks.json',
    });
    assert.equal(await gateway.reload(parseConfig(broken, process.env, 'broken')), false);
    await new Promise((resolve) => setTimeout(resolve, 100));
    assert.equal(fetches, 1, 'the refused reload re-read the JWKS');
    assert.equal(await budgets(), 200);
    assert.equal(fetches, 1);

    assert.equal(await gateway.reload(parseConfig(valid, process.env, 'valid')), true);
    await waitFor(() => fetches === 2, 'the applied reload re-reading the JWKS');
    assert.equal(await budgets(), 200);
    assert.equal(fetches, 2);
  });
});

describe('a config file changed while the gateway starts', () => {
  it('is applied once the file is watched, without waiting for another change', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'gw-catch-up-'));
    const file = join(dir, 'gateway.yaml');
    const models = (ids: string[]) =>
      Object.fromEntries(ids.map((id) => [id, { provider: 'simulator', upstream_model: 'sim-1' }]));
    const base = { analysis: { enabled: false }, providers: { simulator: { type: 'simulator' } } };
    // What was read at start-up has two models; the file, edited before it was watched, keeps one.
    writeFileSync(
      file,
      JSON.stringify({
        ...base,
        logging: { level: 'error' },
        analytics: { enabled: false },
        models: models(['kept']),
      }),
    );
    const gateway = await startTestGateway(
      { ...base, models: models(['kept', 'removed']) },
      { configPath: file, watchConfig: true },
    );
    try {
      const ids = async () =>
        ((await (await fetch(`${gateway.url}/v1/models`)).json()) as { data: { id: string }[] }).data.map(
          (m) => m.id,
        );
      await waitFor(async () => !(await ids()).includes('removed'), 'the edited file applied', 5_000);
      assert.ok((await ids()).includes('kept'));
    } finally {
      await gateway.shutdown(0);
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
