// The base of the fake upstreams (OpenAI, vLLM, Anthropic): a node:http server on 127.0.0.1 that records
// every request (headers, body, when its response and socket closed) and answers through a script.
import { once } from 'node:events';
import { createServer, type IncomingHttpHeaders, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { setImmediate as tick } from 'node:timers/promises';

export interface ReceivedRequest {
  readonly method: string;
  /** Path and query, as sent. */
  readonly path: string;
  readonly headers: IncomingHttpHeaders;
  readonly rawBody: string;
  /** The body parsed as a JSON object; empty when it was not one. */
  readonly body: Record<string, unknown>;
  /** Resolves when this request's response is over: finished, or cut by either side. */
  readonly responseClosed: Promise<void>;
  /** Resolves when the TCP socket that carried the request closes (keep-alive sockets outlive a request). */
  readonly socketClosed: Promise<void>;
}

export type Script = (request: ReceivedRequest, res: ServerResponse, socket: Socket) => void | Promise<void>;

export interface ScriptedServer {
  /** http://127.0.0.1:port, no trailing slash. */
  readonly url: string;
  /** Every request received, in arrival order. */
  readonly requests: readonly ReceivedRequest[];
  /** Requests whose JSON body named this model, in arrival order. */
  requestsFor(model: string): ReceivedRequest[];
  /** The last request whose JSON body named this model; throws when there is none. */
  lastRequestFor(model: string): ReceivedRequest;
  /** Drops every connection (keep-alive ones included) and stops listening. */
  close(): Promise<void>;
}

export async function startScriptedServer(script: Script): Promise<ScriptedServer> {
  const requests: ReceivedRequest[] = [];
  // One close promise per socket: keep-alive sockets carry many requests, and a listener each would pile up.
  const socketCloses = new WeakMap<Socket, Promise<void>>();
  const closeOf = (socket: Socket): Promise<void> => {
    let closed = socketCloses.get(socket);
    if (closed === undefined) {
      closed = socket.destroyed ? Promise.resolve() : closeEvent(socket);
      socketCloses.set(socket, closed);
    }
    return closed;
  };
  const server = createServer((req, res) => {
    // Listened for at once: a request may be cut while its body is still arriving.
    const responseClosed = closeEvent(res);
    const socket = req.socket;
    const socketClosed = closeOf(socket);
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const rawBody = Buffer.concat(chunks).toString('utf8');
      const request: ReceivedRequest = {
        method: req.method ?? '',
        path: req.url ?? '',
        headers: req.headers,
        rawBody,
        body: parseObject(rawBody),
        responseClosed,
        socketClosed,
      };
      requests.push(request);
      Promise.resolve()
        .then(() => script(request, res, socket))
        .catch((error: unknown) => {
          // A broken script must show up as a failure in the test, not as a hang.
          if (!res.headersSent) res.writeHead(599, { 'content-type': 'text/plain' });
          res.end(`scripted upstream failed: ${String(error)}`);
        });
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  const requestsFor = (model: string) => requests.filter((r) => r.body.model === model);
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    requestsFor,
    lastRequestFor(model) {
      const found = requestsFor(model).at(-1);
      if (found === undefined) throw new Error(`the upstream received no request for model ${model}`);
      return found;
    },
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** Not events.once: that rejects on an 'error' event, which a cut connection may emit and nobody awaits. */
function closeEvent(emitter: { once(event: 'close', listener: () => void): unknown }): Promise<void> {
  return new Promise((resolve) => emitter.once('close', () => resolve()));
}

function parseObject(text: string): Record<string, unknown> {
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === 'object' && value !== null && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : {};
  } catch {
    return {};
  }
}

export function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json',
    'content-length': String(Buffer.byteLength(text)),
    ...headers,
  });
  res.end(text);
}

export function beginSse(res: ServerResponse, headers: Record<string, string> = {}): void {
  res.writeHead(200, {
    'content-type': 'text/event-stream; charset=utf-8',
    'cache-control': 'no-cache',
    ...headers,
  });
  res.flushHeaders();
}

/**
 * Writes one SSE frame and yields to the event loop, so consecutive frames tend to leave in separate TCP
 * writes and the gateway's incremental parser is exercised as with a real upstream. A frame holding
 * multi-byte UTF-8 is sent in two writes split inside a character, as TCP may deliver it.
 */
export async function writeFrame(res: ServerResponse, frame: string): Promise<void> {
  const bytes = Buffer.from(frame, 'utf8');
  const lead = bytes.findIndex((byte) => byte >= 0xc0);
  if (lead === -1) {
    res.write(bytes);
  } else {
    res.write(bytes.subarray(0, lead + 1));
    await tick();
    res.write(bytes.subarray(lead + 1));
  }
  await tick();
}

/** Random hex, for upstream ids that look like the real ones without being fixed. */
export function randomHex(length: number): string {
  let out = '';
  while (out.length < length) out += Math.random().toString(16).slice(2);
  return out.slice(0, length);
}
