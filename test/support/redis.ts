// Redis for tests: the shared server's URL (started by scripts/redis/test-redis.sh), private servers a test
// may kill and restart, and a tiny RESP client so tests need no Redis library.
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createConnection, createServer, type AddressInfo } from 'node:net';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

/** The Redis version scripts/redis/ensure-redis8.sh builds. */
export const REDIS_VERSION = '8.0.2';

/** URL of the shared test Redis; throws, saying how to start one, when REDIS_URL is unset. */
export function redisUrl(): string {
  const url = process.env.REDIS_URL;
  if (url === undefined || url === '') {
    throw new Error(
      'REDIS_URL is not set: these tests need Redis 8. Start one with `scripts/redis/test-redis.sh start` ' +
        '(it builds Redis on first use) and run the tests with REDIS_URL set to the URL it prints, e.g. ' +
        '`REDIS_URL=$(scripts/redis/test-redis.sh start | tail -n1) npm run test:only`; stop it with ' +
        '`scripts/redis/test-redis.sh stop`.',
    );
  }
  return url;
}

/** Dir holding redis-server and redis-cli: REDIS8_BIN, else the cache that ensure-redis8.sh fills. */
export function redisBinDir(): string {
  if (process.env.REDIS8_BIN) return process.env.REDIS8_BIN;
  const cache = process.env.REDIS8_CACHE || join(homedir(), '.cache', 'ai-gateway', `redis-${REDIS_VERSION}`);
  return join(cache, 'bin');
}

// --- A minimal RESP2 client ----------------------------------------------------------------------

/** An error reply (`-ERR ...`) from Redis. */
export class RedisReplyError extends Error {
  override name = 'RedisReplyError';
}

export type RedisReply = string | number | null | RedisReply[];

function encodeCommand(args: readonly (string | number)[]): Buffer {
  const parts = [`*${args.length}\r\n`];
  for (const arg of args) {
    const s = String(arg);
    parts.push(`$${Buffer.byteLength(s)}\r\n${s}\r\n`);
  }
  return Buffer.from(parts.join(''));
}

/** Parses one reply at `at`; undefined while more bytes are needed. Error replies come back as values. */
function parseReply(
  buf: Buffer,
  at: number,
): { value: RedisReply | RedisReplyError; next: number } | undefined {
  const eol = buf.indexOf('\r\n', at);
  if (eol === -1) return undefined;
  const line = buf.toString('utf8', at + 1, eol);
  const afterLine = eol + 2;
  switch (String.fromCharCode(buf[at]!)) {
    case '+':
      return { value: line, next: afterLine };
    case '-':
      return { value: new RedisReplyError(line), next: afterLine };
    case ':':
      return { value: Number(line), next: afterLine };
    case '$': {
      const len = Number(line);
      if (len < 0) return { value: null, next: afterLine };
      if (buf.length < afterLine + len + 2) return undefined;
      return { value: buf.toString('utf8', afterLine, afterLine + len), next: afterLine + len + 2 };
    }
    case '*': {
      const count = Number(line);
      if (count < 0) return { value: null, next: afterLine };
      const items: RedisReply[] = [];
      let next = afterLine;
      for (let i = 0; i < count; i++) {
        const item = parseReply(buf, next);
        if (item === undefined) return undefined;
        // Errors nested in arrays (EXEC) are rare enough in tests to surface as their message.
        items.push(item.value instanceof RedisReplyError ? item.value.message : item.value);
        next = item.next;
      }
      return { value: items, next };
    }
    default:
      throw new Error(`unexpected RESP type byte ${JSON.stringify(String.fromCharCode(buf[at]!))}`);
  }
}

/**
 * Sends one command on a fresh connection and resolves with its reply; rejects on an error reply, a
 * connection error (the `code` stays, e.g. ECONNREFUSED) or after `timeoutMs`. Auth and database
 * numbers in the URL are not handled: the test servers have neither.
 */
export async function redisCommand(
  url: string,
  args: readonly (string | number)[],
  timeoutMs = 5000,
): Promise<RedisReply> {
  const { hostname, port } = new URL(url);
  const socket = createConnection({ host: hostname.replace(/^\[|\]$/g, ''), port: Number(port || 6379) });
  socket.setTimeout(timeoutMs, () =>
    socket.destroy(new Error(`redis ${args[0]} at ${url}: no reply in ${timeoutMs} ms`)),
  );
  try {
    return await new Promise<RedisReply>((resolve, reject) => {
      let buf = Buffer.alloc(0);
      socket.on('error', reject);
      socket.on('close', () =>
        reject(new Error(`redis ${args[0]} at ${url}: connection closed before a reply`)),
      );
      socket.on('data', (chunk: Buffer) => {
        buf = Buffer.concat([buf, chunk]);
        try {
          const reply = parseReply(buf, 0);
          if (reply === undefined) return;
          if (reply.value instanceof RedisReplyError) reject(reply.value);
          else resolve(reply.value);
        } catch (err) {
          reject(err as Error);
        }
      });
      socket.write(encodeCommand(args));
    });
  } finally {
    socket.destroy();
  }
}

// --- Private servers -----------------------------------------------------------------------------

export interface PrivateRedis {
  /** redis://127.0.0.1:PORT; the same across restart(). */
  readonly url: string;
  readonly port: number;
  /** Graceful shutdown (SIGTERM). */
  stop(): Promise<void>;
  /** SIGKILL, as a crash would; the port is kept so that restart() brings the server back at the same URL. */
  kill(): Promise<void>;
  /** Starts a new, empty server on the same port (after kill() or stop()). */
  restart(): Promise<void>;
  /** SIGSTOP / SIGCONT: a server that hangs (and then answers what it was sent meanwhile). */
  pause(): void;
  resume(): void;
}

// A test that dies before its cleanup must not leave servers behind the test runner.
const running = new Set<ChildProcess>();
process.on('exit', () => {
  for (const child of running) child.kill('SIGKILL');
});

async function freePort(): Promise<number> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  server.close();
  await once(server, 'close');
  return port;
}

function hasExited(child: ChildProcess): boolean {
  return child.exitCode !== null || child.signalCode !== null;
}

async function waitForExit(child: ChildProcess): Promise<void> {
  if (!hasExited(child)) await once(child, 'exit');
}

/** Spawns redis-server on `port` and waits for PING; rejects with its last log lines if it exits first. */
async function spawnServer(bin: string, port: number): Promise<ChildProcess> {
  const dir = mkdtempSync(join(tmpdir(), 'ai-gateway-private-redis-'));
  // Same settings as the shared test server: loopback only, nothing written to disk.
  const child = spawn(
    join(bin, 'redis-server'),
    [
      '--bind',
      '127.0.0.1',
      '--port',
      String(port),
      '--protected-mode',
      'yes',
      '--save',
      '',
      '--appendonly',
      'no',
      '--dir',
      dir,
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  running.add(child);
  // The log is kept only for the error message; it must still be read so the pipe never fills.
  const logTail: string[] = [];
  const keep = (data: Buffer): void => {
    logTail.push(
      ...data
        .toString()
        .split('\n')
        .filter((l) => l.trim() !== ''),
    );
    logTail.splice(0, Math.max(0, logTail.length - 5));
  };
  child.stdout!.on('data', keep);
  child.stderr!.on('data', keep);
  child.on('exit', () => {
    running.delete(child);
    rmSync(dir, { recursive: true, force: true });
  });
  const url = `redis://127.0.0.1:${port}`;
  const deadline = Date.now() + 10_000;
  for (;;) {
    if (hasExited(child)) throw new Error(`redis-server on port ${port} exited: ${logTail.join(' | ')}`);
    try {
      if ((await redisCommand(url, ['PING'], 1000)) === 'PONG') return child;
    } catch {
      // Not listening yet.
    }
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      await waitForExit(child);
      throw new Error(`redis-server on port ${port} did not answer PING within 10 s: ${logTail.join(' | ')}`);
    }
    await sleep(20);
  }
}

/**
 * Starts a redis-server of its own for a test that needs to kill or restart Redis (the shared one at
 * REDIS_URL must stay up for the other tests). The binary comes from redisBinDir().
 */
export async function startPrivateRedis(): Promise<PrivateRedis> {
  const bin = redisBinDir();
  if (!existsSync(join(bin, 'redis-server'))) {
    throw new Error(`no redis-server in ${bin}: run scripts/redis/ensure-redis8.sh once (or set REDIS8_BIN)`);
  }
  // A port that was free may be taken before redis-server binds it; a few fresh tries settle that.
  let child: ChildProcess | undefined;
  let port = 0;
  let lastError: unknown;
  for (let attempt = 0; attempt < 5 && child === undefined; attempt++) {
    port = await freePort();
    try {
      child = await spawnServer(bin, port);
    } catch (err) {
      lastError = err;
    }
  }
  if (child === undefined) throw lastError;
  let current: ChildProcess = child;

  const signalAndWait = async (signal: NodeJS.Signals): Promise<void> => {
    if (hasExited(current)) return;
    current.kill(signal);
    const timer = setTimeout(() => current.kill('SIGKILL'), 5000);
    await waitForExit(current);
    clearTimeout(timer);
  };

  return {
    url: `redis://127.0.0.1:${port}`,
    port,
    stop: async () => {
      if (!hasExited(current)) current.kill('SIGCONT');
      await signalAndWait('SIGTERM');
    },
    pause: () => void current.kill('SIGSTOP'),
    resume: () => void current.kill('SIGCONT'),
    kill: () => signalAndWait('SIGKILL'),
    async restart() {
      await signalAndWait('SIGTERM');
      // The port is ours by intent now; retry briefly in case the old socket is still being torn down.
      for (let attempt = 0; ; attempt++) {
        try {
          current = await spawnServer(bin, port);
          return;
        } catch (err) {
          if (attempt >= 4) throw err;
          await sleep(100);
        }
      }
    },
  };
}
