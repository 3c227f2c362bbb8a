// The mock upstream as a child process, and its control calls: set behaviour, read request counters.
import { LOOPBACK } from '../load/http-connection.js';
import type { BehaviourInput } from '../mock-upstream/behaviour.js';
import { assertLoopbackOnly } from '../proc/listen-check.js';
import { startChild, type ChildService } from './child-service.js';
import { benchScript, repoRoot } from './paths.js';

export interface MockStats {
  requests: number;
  streamed: number;
  injectedErrors: number;
  aborted: number;
}

export interface MockProcess {
  readonly port: number;
  readonly pid: number;
  readonly native: boolean;
  configure(behaviour: BehaviourInput): Promise<void>;
  stats(): Promise<MockStats>;
  stop(): Promise<void>;
}

export async function startMock(): Promise<MockProcess> {
  const script = benchScript('mock-upstream/server.ts');
  const service: ChildService = startChild(
    'mock upstream',
    process.execPath,
    [...script.args, '--port', '0'],
    { ...process.env, NODE_ENV: 'production' },
    repoRoot,
  );
  const line = await service.waitForLine((l) => l.includes('"listening"'), 15_000);
  const info = JSON.parse(line) as { port: number; native: boolean };
  assertLoopbackOnly(info.port, 'mock upstream');
  const base = `http://${LOOPBACK}:${info.port}`;
  return {
    port: info.port,
    pid: service.pid,
    native: info.native,
    async configure(behaviour) {
      const response = await fetch(`${base}/__bench/behaviour`, {
        method: 'POST',
        body: JSON.stringify(behaviour),
      });
      const text = await response.text();
      if (response.status !== 200) throw new Error(`mock upstream rejected behaviour: ${text}`);
    },
    async stats() {
      const response = await fetch(`${base}/__bench/stats`);
      return (await response.json()) as MockStats;
    },
    stop: () => service.stop(),
  };
}
