// What the bench's own uWS servers (the mock upstream, the bare hop) share as child processes: reading a
// request body, listening on the loopback address with a JSON "listening" line for the parent to wait for,
// and exiting with their parent.
import uWS from 'uWebSockets.js';

/** Reads the whole request body; uWS hands out views that die after each callback, so pieces are copied. */
export function readBody(res: uWS.HttpResponse, done: (body: Buffer) => void): void {
  let parts: Buffer[] | undefined;
  res.onData((ab, isLast) => {
    const view = Buffer.from(ab);
    if (!isLast) {
      (parts ??= []).push(Buffer.from(view));
      return;
    }
    done(parts === undefined ? Buffer.from(view) : Buffer.concat([...parts, view]));
  });
}

/**
 * Listens on 127.0.0.1 only (the bench must never be reachable from anywhere else) and prints
 * {"msg":"listening","port","native","pid"} on stdout; exits 1 when the port cannot be had.
 */
export function listenOnLoopback(app: uWS.TemplatedApp, port: number, name: string): void {
  app.listen('127.0.0.1', port, (socket) => {
    if (socket === false) {
      process.stderr.write(`${name}: cannot listen on 127.0.0.1:${port}\n`);
      process.exit(1);
    }
    const native = 'getParts' in uWS;
    process.stdout.write(
      `${JSON.stringify({ msg: 'listening', port: uWS.us_socket_local_port(socket), native, pid: process.pid })}\n`,
    );
  });
}

/** Exits when the parent process goes away or on SIGTERM/SIGINT. */
export function exitWithParent(): void {
  const parent = process.ppid;
  setInterval(() => {
    if (process.ppid !== parent) process.exit(0);
  }, 500).unref();
  for (const signal of ['SIGTERM', 'SIGINT'] as const) process.on(signal, () => process.exit(0));
}
