// The floor target: bench/floor/bare-hop.ts in front of the mock, a proxy hop with nothing in it (see there).
import { LOOPBACK } from '../load/http-connection.js';
import { assertLoopbackOnly } from '../proc/listen-check.js';
import { startChild } from './child-service.js';
import { benchScript, repoRoot } from './paths.js';
import type { Target } from './target.js';

export async function startHop(mockPort: number): Promise<Target> {
  const script = benchScript('floor/bare-hop.ts');
  const service = startChild(
    'bare hop',
    process.execPath,
    [...script.args, '--port', '0', '--upstream', `http://${LOOPBACK}:${mockPort}`],
    { ...process.env, NODE_ENV: 'production' },
    repoRoot,
  );
  try {
    const line = await service.waitForLine((l) => l.includes('"listening"'), 15_000);
    const info = JSON.parse(line) as { port: number; native: boolean };
    if (!info.native) throw new Error('uWS fell back to its JS implementation');
    assertLoopbackOnly(info.port, 'bare hop');
    return {
      name: 'hop',
      port: info.port,
      model: 'gpt-4o-mini',
      headers: { authorization: 'Bearer bench' },
      pid: service.pid,
      version: 'bench/floor/bare-hop.ts (uWebSockets.js native, undici Pool.dispatch)',
      stop: () => service.stop(),
    };
  } catch (error) {
    await service.stop();
    throw new Error(`${error instanceof Error ? error.message : String(error)}\n${service.tail()}`);
  }
}
