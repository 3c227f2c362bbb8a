// The gateway as a process: reload on file change and on SIGHUP, a bad new config rejected with its path
// while the running config stays, and SIGTERM draining in-flight requests before exit.
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, readFile, rename, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { spawnGateway, type GatewayProcess } from '../support/gateway-process.js';

const fast = '{ ttft_ms: 0, tokens_per_second: 0 }';

function configWith(models: string[], extra = ''): string {
  return [
    'logging: { level: info }',
    'analytics: { enabled: false }',
    'providers:',
    '  simulator: { type: simulator, ttft_ms: 0, tokens_per_second: 0 }',
    'models:',
    ...models.map((m) => `  ${m}: { provider: simulator, simulation: ${fast} }`),
    extra,
  ].join('\n');
}

async function modelIds(url: string): Promise<string[]> {
  const response = await fetch(`${url}/v1/models`);
  const body = (await response.json()) as { data: { id: string }[] };
  return body.data.map((m) => m.id).sort();
}

/** A config file with this text in a fresh temporary directory; returns its path. */
async function writeConfig(prefix: string, text: string): Promise<string> {
  const path = join(await mkdtemp(join(tmpdir(), prefix)), 'gateway.yaml');
  await writeFile(path, text);
  return path;
}

/** Replaces the file atomically, as editors and config management tools do. */
async function replaceFile(path: string, text: string): Promise<void> {
  await writeFile(`${path}.tmp`, text);
  await rename(`${path}.tmp`, path);
}

describe('gateway process', () => {
  const processes: GatewayProcess[] = [];
  after(async () => {
    for (const p of processes) await p.kill();
  });

  it('reloads on change and on SIGHUP; a bad config is rejected and the old one stays', async () => {
    const path = await writeConfig('gw-reload-', configWith(['alpha']));
    const gw = await spawnGateway({ GATEWAY_CONFIG: path });
    processes.push(gw);
    assert.deepEqual(await modelIds(gw.url), ['alpha']);

    await replaceFile(path, configWith(['alpha', 'beta']));
    await gw.waitForLog((l) => l.msg === 'config reloaded', 'reload after the file changed');
    assert.deepEqual(await modelIds(gw.url), ['alpha', 'beta']);

    await replaceFile(path, configWith(['gamma'], 'servr: { port: 1 }'));
    const rejected = await gw.waitForLog(
      (l) => l.msg === 'config reload rejected; the running config stays',
      'rejection',
    );
    assert.match(JSON.stringify(rejected.err), /servr: unknown key/);
    assert.deepEqual(await modelIds(gw.url), ['alpha', 'beta']);

    // With the file watcher quiet, a SIGHUP reloads explicitly.
    const reloadsBefore = gw.logs.filter((l) => l.msg === 'config reloaded').length;
    await writeFile(path, configWith(['delta']));
    gw.child.kill('SIGHUP');
    await gw.waitForLog(
      () => gw.logs.filter((l) => l.msg === 'config reloaded').length > reloadsBefore,
      'reload after SIGHUP',
    );
    assert.deepEqual(await modelIds(gw.url), ['delta']);
    const metrics = await (await fetch(`${gw.url}/metrics`)).text();
    assert.match(metrics, /gateway_config_reloads_total\{result="error"\} [1-9]/);
    await gw.kill();
  });

  it('reloads a Kubernetes-style symlink swap; an emptied file is refused and the old config stays', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'gw-k8s-'));
    // kubelet's layout: gateway.yaml -> ..data/gateway.yaml, ..data -> v1; an update swaps ..data.
    await mkdir(join(dir, 'v1'));
    await mkdir(join(dir, 'v2'));
    await writeFile(join(dir, 'v1', 'gateway.yaml'), configWith(['alpha']));
    await writeFile(join(dir, 'v2', 'gateway.yaml'), configWith(['alpha', 'beta']));
    await symlink('v1', join(dir, '..data'));
    await symlink(join('..data', 'gateway.yaml'), join(dir, 'gateway.yaml'));
    const path = join(dir, 'gateway.yaml');
    const gw = await spawnGateway({ GATEWAY_CONFIG: path });
    processes.push(gw);
    assert.deepEqual(await modelIds(gw.url), ['alpha']);

    await symlink('v2', join(dir, '..data_tmp'));
    await rename(join(dir, '..data_tmp'), join(dir, '..data'));
    await gw.waitForLog((l) => l.msg === 'config reloaded', 'reload after the symlink swap');
    assert.deepEqual(await modelIds(gw.url), ['alpha', 'beta']);

    // An empty file would validate to the defaults: no teams, no keys. It is refused.
    await writeFile(join(dir, 'v2', 'gateway.yaml'), '# nothing yet\n');
    gw.child.kill('SIGHUP');
    const rejected = await gw.waitForLog(
      (l) => l.msg === 'config reload rejected; the running config stays',
      'rejection of the empty file',
    );
    assert.match(JSON.stringify(rejected.err), /config file is empty/);
    assert.deepEqual(await modelIds(gw.url), ['alpha', 'beta']);
    await gw.kill();
  });

  it('SIGTERM: stops accepting, finishes the in-flight stream, exits 0', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'gw-term-'));
    const path = join(dir, 'gateway.yaml');
    await writeFile(
      path,
      [
        'logging: { level: info }',
        `analytics: { data_dir: "${join(dir, 'chdb')}", spool_dir: "${join(dir, 'spool')}" }`,
        'providers:',
        '  simulator: { type: simulator }',
        'models:',
        '  slow: { provider: simulator, simulation: { ttft_ms: 0, tokens_per_second: 20, output_tokens: 20 } }',
      ].join('\n'),
    );
    const gw = await spawnGateway({ GATEWAY_CONFIG: path });
    processes.push(gw);
    const response = await fetch(`${gw.url}/v1/chat/completions`, {
      method: 'POST',
      body: JSON.stringify({
        model: 'slow',
        stream: true,
        messages: [{ role: 'user', content: 'take your time' }],
      }),
    });
    assert.equal(response.status, 200);
    const text = response.text();
    gw.child.kill('SIGTERM');
    await gw.waitForLog((l) => l.msg === 'draining', 'draining');
    assert.equal((await fetch(`${gw.url}/healthz`).catch((e: unknown) => e)) instanceof Error, true);
    const body = await text;
    assert.match(body, /data: \[DONE\]\n\n$/);
    assert.equal(await gw.exited, 0);
  });

  it('refuses to start on an invalid config, naming the bad key', async () => {
    const path = await writeConfig('gw-bad-', 'server: { portt: 1 }\n');
    await assert.rejects(spawnGateway({ GATEWAY_CONFIG: path }), /server\.portt: unknown key/);
  });

  it('refuses to start, with the same log line, on what only start-up finds (a missing JWKS file)', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'gw-bad-'));
    const path = join(dir, 'gateway.yaml');
    await writeFile(
      path,
      configWith(
        ['m1'],
        [
          'auth:',
          '  jwt:',
          `    - { issuer: https://idp.example, audience: gw, jwks_file: ${join(dir, 'missing.json')}, models: ['*'] }`,
        ].join('\n'),
      ),
    );
    await assert.rejects(spawnGateway({ GATEWAY_CONFIG: path }), /refusing to start.*missing\.json/);
  });

  it('refuses to start on a port another gateway listens on (no silent port sharing)', async () => {
    const path = await writeConfig('gw-port-', configWith(['m1']));
    const first = await spawnGateway({ GATEWAY_CONFIG: path });
    processes.push(first);
    const port = new URL(first.url).port;
    await assert.rejects(
      spawnGateway({ GATEWAY_CONFIG: path, PORT: port }),
      /refusing to start.*cannot listen/,
    );
  });

  it('loads the embedded ClickHouse engine only when records go to it', async () => {
    // chDB's library costs ≈ 160 MB of resident memory once loaded: a gateway that records nothing (or records
    // to a ClickHouse server) must not carry it.
    const enginesLoaded = async (gw: GatewayProcess) =>
      (await readFile(`/proc/${gw.child.pid!}/maps`, 'utf8')).includes('libchdb');
    const off = await spawnGateway({
      GATEWAY_CONFIG: await writeConfig('gw-no-chdb-', configWith(['alpha'])),
    });
    processes.push(off);
    assert.deepEqual(await modelIds(off.url), ['alpha']);
    assert.equal(await enginesLoaded(off), false);
    const dataDir = await mkdtemp(join(tmpdir(), 'gw-chdb-'));
    const embedded = configWith(['alpha']).replace(
      'analytics: { enabled: false }',
      `analytics: { data_dir: ${JSON.stringify(join(dataDir, 'chdb'))}, spool_dir: ${JSON.stringify(join(dataDir, 'spool'))} }`,
    );
    const on = await spawnGateway({ GATEWAY_CONFIG: await writeConfig('gw-chdb-', embedded) });
    processes.push(on);
    assert.equal(await enginesLoaded(on), true);
  });
});
