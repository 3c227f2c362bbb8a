// Starts a server process for the bench, keeps its output drained (a full pipe would stall it) with the
// last lines kept for error messages, waits for it to answer, and stops it.
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { createInterface } from 'node:readline';
import { LOOPBACK } from '../load/http-connection.js';

export interface ChildService {
  readonly name: string;
  readonly pid: number;
  readonly child: ChildProcess;
  /** Last lines of stdout and stderr, for diagnostics. */
  tail(): string;
  /** Resolves with the first stdout line the predicate accepts. */
  waitForLine(accept: (line: string) => boolean, timeoutMs: number): Promise<string>;
  stop(): Promise<void>;
}

export function startChild(
  name: string,
  command: string,
  args: readonly string[],
  env: NodeJS.ProcessEnv,
  cwd: string,
): ChildService {
  const child = spawn(command, args, { env, cwd, stdio: ['ignore', 'pipe', 'pipe'] });
  const lines: string[] = [];
  const waiters: { accept: (line: string) => boolean; resolve: (line: string) => void }[] = [];
  const keep = (line: string): void => {
    lines.push(line);
    if (lines.length > 40) lines.shift();
  };
  createInterface({ input: child.stdout! }).on('line', (line) => {
    keep(line);
    for (let i = waiters.length - 1; i >= 0; i--) {
      if (waiters[i]!.accept(line)) waiters.splice(i, 1)[0]!.resolve(line);
    }
  });
  createInterface({ input: child.stderr! }).on('line', keep);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  if (child.pid === undefined) throw new Error(`${name}: could not start ${command}`);
  return {
    name,
    pid: child.pid,
    child,
    tail: () => lines.join('\n'),
    waitForLine(accept, timeoutMs) {
      return new Promise((resolve, reject) => {
        const timer = setTimeout(
          () => reject(new Error(`${name}: no expected output within ${timeoutMs} ms`)),
          timeoutMs,
        );
        child.once('exit', (code) => {
          clearTimeout(timer);
          reject(new Error(`${name} exited (code ${code}) before it was ready:\n${lines.join('\n')}`));
        });
        waiters.push({
          accept,
          resolve: (line) => {
            clearTimeout(timer);
            resolve(line);
          },
        });
      });
    },
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 3_000);
      await exited;
      clearTimeout(timer);
    },
  };
}

/** A free TCP port on the loopback address (the kernel picks it; released just before use). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, LOOPBACK, () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/** Polls GET http://127.0.0.1:port/path until it answers 200. */
export async function waitForHttp(
  port: number,
  path: string,
  timeoutMs: number,
  name: string,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last = '';
  while (Date.now() < deadline) {
    try {
      const response = await fetch(`http://${LOOPBACK}:${port}${path}`, {
        signal: AbortSignal.timeout(1_000),
      });
      await response.arrayBuffer();
      if (response.status === 200) return;
      last = `status ${response.status}`;
    } catch (error) {
      last = error instanceof Error ? error.message : String(error);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`${name}: GET ${path} did not answer 200 within ${timeoutMs} ms (${last})`);
}
