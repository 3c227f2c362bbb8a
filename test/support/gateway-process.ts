// Runs the gateway as its own process (`dataplane/main.ts` under tsx), as `npm start` would, and follows
// its JSON log lines.
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { waitFor } from './wait.js';

export interface GatewayProcess {
  readonly child: ChildProcess;
  readonly url: string;
  readonly logs: Record<string, unknown>[];
  /** Resolves with the exit code. */
  readonly exited: Promise<number | null>;
  waitForLog(
    predicate: (line: Record<string, unknown>) => boolean,
    what: string,
    timeoutMs?: number,
  ): Promise<Record<string, unknown>>;
  kill(): Promise<void>;
}

const main = fileURLToPath(new URL('../../dataplane/main.ts', import.meta.url));

export async function spawnGateway(env: Record<string, string>): Promise<GatewayProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', main], {
    env: { ...process.env, PORT: '0', HOST: '127.0.0.1', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const logs: Record<string, unknown>[] = [];
  let pending = '';
  child.stdout!.on('data', (data: Buffer) => {
    pending += data.toString();
    const lines = pending.split('\n');
    pending = lines.pop() ?? '';
    for (const line of lines) {
      if (line.trim() === '') continue;
      try {
        logs.push(JSON.parse(line) as Record<string, unknown>);
      } catch {
        logs.push({ msg: 'unparsed', line });
      }
    }
  });
  let stderr = '';
  child.stderr!.on('data', (data: Buffer) => (stderr += data.toString()));
  const exited = once(child, 'exit').then(([code]) => code as number | null);
  const waitForLog = (
    predicate: (line: Record<string, unknown>) => boolean,
    what: string,
    timeoutMs = 15_000,
  ) => waitFor(() => logs.find(predicate), what, timeoutMs);
  let listening: Record<string, unknown>;
  try {
    listening = await waitForLog(
      (l) => l.msg === 'listening' || l.msg === 'refusing to start',
      'the gateway to listen',
    );
  } catch (error) {
    child.kill('SIGKILL');
    throw new Error(`gateway did not start: ${stderr}`, { cause: error });
  }
  if (listening.msg !== 'listening') {
    child.kill('SIGKILL');
    throw new Error(`gateway refused to start: ${JSON.stringify(listening)}`);
  }
  return {
    child,
    url: String(listening.url),
    logs,
    exited,
    waitForLog,
    async kill() {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGKILL');
        await exited;
      }
    },
  };
}
