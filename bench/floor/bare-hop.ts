// The floor of any proxy hop built like ours: a uWebSockets.js server that forwards each request to the mock
// through an undici keep-alive pool (dispatch API) and copies the answer back, streamed, with nothing else: no
// config, no parsing, no auth, no record. Measured as the bench's `hop` target, its numbers say how much of our
// pass-through's added latency and CPU is the hop itself (two more loopback crossings, one more event loop on
// the same two cores) rather than anything the gateway does. Listens on 127.0.0.1 only. Prints one JSON line
// {"msg":"listening","port":N,"native":bool} on stdout; exits when its parent process goes away.
import uWS from 'uWebSockets.js';
import { parseArgs } from 'node:util';
import { Pool, type Dispatcher } from 'undici';
import { exitWithParent, listenOnLoopback, readBody } from '../proc/uws-child.js';

const { values } = parseArgs({
  options: { port: { type: 'string', default: '0' }, upstream: { type: 'string' } },
});
if (values.upstream === undefined) {
  process.stderr.write('bare-hop: --upstream http://127.0.0.1:PORT is required\n');
  process.exit(2);
}
const upstream = new URL(values.upstream);
const pool = new Pool(upstream.origin, { connections: 256, keepAliveTimeout: 60_000 });

// Hop-by-hop and framing headers are the hop's own business on each side.
const SKIP = new Set(['connection', 'keep-alive', 'transfer-encoding', 'content-length', 'host']);

interface Exchange {
  aborted: boolean;
  controller: Dispatcher.DispatchController | undefined;
}

/**
 * The answer is written to the client as it arrives, through undici's low-level dispatch API: the same
 * transport our gateway uses (dataplane/upstream/http-client.ts), so the floor pays no more per call than we do.
 */
function forward(
  res: uWS.HttpResponse,
  exchange: Exchange,
  method: string,
  path: string,
  headers: Record<string, string>,
  body: Buffer,
): void {
  let started = false;
  const handler: Dispatcher.DispatchHandler = {
    onRequestStart(controller) {
      exchange.controller = controller;
      if (exchange.aborted) controller.abort(new Error('client went away'));
    },
    onResponseStart(_controller, statusCode, answerHeaders) {
      if (exchange.aborted) return;
      started = true;
      res.cork(() => {
        res.writeStatus(String(statusCode));
        for (const [name, value] of Object.entries(answerHeaders)) {
          if (SKIP.has(name) || value === undefined) continue;
          res.writeHeader(name, Array.isArray(value) ? value.join(', ') : value);
        }
      });
    },
    onResponseData(_controller, chunk) {
      // Backpressure is not handled: the bench's answers are small and its client reads everything.
      if (!exchange.aborted) res.cork(() => res.write(chunk));
    },
    onResponseEnd() {
      if (!exchange.aborted) res.cork(() => res.end());
    },
    onResponseError(_controller, error) {
      if (exchange.aborted) return;
      res.cork(() => {
        if (started) res.close();
        else res.writeStatus('502 Bad Gateway').end(error.message);
      });
    },
  };
  pool.dispatch({ method, path, headers, body }, handler);
}

const app = uWS.App();
app.any('/*', (res, req) => {
  const method = req.getMethod().toUpperCase();
  const path = req.getUrl() + (req.getQuery() ? `?${req.getQuery()}` : '');
  const headers: Record<string, string> = {};
  req.forEach((name, value) => {
    if (!SKIP.has(name)) headers[name] = value;
  });
  // uWS requires the abort handler before the handler returns; it also stops the upstream call.
  const exchange: Exchange = { aborted: false, controller: undefined };
  res.onAborted(() => {
    exchange.aborted = true;
    exchange.controller?.abort(new Error('client went away'));
  });
  readBody(res, (body) => forward(res, exchange, method, path, headers, body));
});

listenOnLoopback(app, Number(values.port), 'bare-hop');
exitWithParent();
