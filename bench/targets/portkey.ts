// The peer: @portkey-ai/gateway 1.15.2 from the bench-only install in bench/peer (never a product
// dependency). Installed on first use with `npm ci`; its listen is forced onto 127.0.0.1 by a preload.
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { LOOPBACK } from '../load/http-connection.js';
import { assertLoopbackOnly } from '../proc/listen-check.js';
import { freePort, startChild, waitForHttp } from './child-service.js';
import { peerDir, portkeyEntry, repoRoot } from './paths.js';
import type { Target } from './target.js';

export function ensurePeerInstalled(log: (line: string) => void): void {
  if (existsSync(portkeyEntry)) return;
  log('installing the peer gateway into bench/peer (npm ci)...');
  const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
  execFileSync(npm, ['ci', '--prefix', peerDir, '--no-audit', '--no-fund'], {
    stdio: 'inherit',
    cwd: repoRoot,
  });
  if (!existsSync(portkeyEntry)) throw new Error(`peer install did not produce ${portkeyEntry}`);
}

function installedVersion(pkg: string): string {
  try {
    const json = JSON.parse(readFileSync(join(peerDir, 'node_modules', pkg, 'package.json'), 'utf8')) as {
      version?: string;
    };
    return json.version ?? '?';
  } catch {
    return '?';
  }
}

export async function startPortkey(mockPort: number): Promise<Target> {
  const port = await freePort();
  const service = startChild(
    'portkey',
    process.execPath,
    ['--import', join(peerDir, 'loopback-only.mjs'), portkeyEntry, `--port=${port}`, '--headless'],
    { ...process.env, NODE_ENV: 'production' },
    peerDir,
  );
  try {
    await waitForHttp(port, '/', 30_000, 'portkey');
    assertLoopbackOnly(port, 'portkey');
    return {
      name: 'portkey',
      port,
      model: 'gpt-4o-mini',
      headers: {
        authorization: 'Bearer bench',
        'x-portkey-provider': 'openai',
        'x-portkey-custom-host': `http://${LOOPBACK}:${mockPort}/v1`,
      },
      pid: service.pid,
      version: `@portkey-ai/gateway ${installedVersion('@portkey-ai/gateway')}, @hono/node-server ${installedVersion('@hono/node-server')}`,
      stop: () => service.stop(),
    };
  } catch (error) {
    await service.stop();
    throw new Error(`${error instanceof Error ? error.message : String(error)}\n${service.tail()}`);
  }
}
