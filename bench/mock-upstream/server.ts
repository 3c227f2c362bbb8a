// The bench's mock LLM upstream, run as its own process: OpenAI- and Anthropic-shaped answers, streamed or
// not, with configurable latency, stream pacing and error injection. Listens on 127.0.0.1 only. Prints one
// JSON line {"msg":"listening","port":N} on stdout; exits when its parent process goes away.
import uWS from 'uWebSockets.js';
import { parseArgs } from 'node:util';
import { behaviourSchema, decide, seededRandom, type Behaviour } from './behaviour.js';
import { buildBodies, type Bodies } from './bodies.js';
import { wantsStream, wantsUsageChunk } from './request-flags.js';
import { exitWithParent, listenOnLoopback, readBody } from '../proc/uws-child.js';

type Api = 'openai' | 'anthropic';

interface MockState {
  behaviour: Behaviour;
  random: () => number;
  bodies: Bodies;
  stats: { requests: number; streamed: number; injectedErrors: number; aborted: number };
}

const REASONS: Record<number, string> = {
  400: 'Bad Request',
  404: 'Not Found',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  502: 'Bad Gateway',
  503: 'Service Unavailable',
  529: 'Overloaded',
};

function applyBehaviour(state: MockState, behaviour: Behaviour): void {
  state.behaviour = behaviour;
  state.random = seededRandom(behaviour.seed);
  state.bodies = buildBodies(behaviour);
}

function writeStream(
  res: uWS.HttpResponse,
  pieces: readonly string[],
  tail: string,
  delayMs: number,
  isAborted: () => boolean,
): void {
  res
    .writeStatus('200 OK')
    .writeHeader('content-type', 'text/event-stream')
    .writeHeader('cache-control', 'no-cache');
  if (delayMs <= 0) {
    for (const piece of pieces) res.write(piece);
    res.end(tail);
    return;
  }
  res.write(pieces[0]!);
  let next = 1;
  const step = (): void => {
    if (isAborted()) return;
    res.cork(() => {
      if (next < pieces.length) res.write(pieces[next++]!);
      if (next >= pieces.length) res.end(tail);
      else setTimeout(step, delayMs);
    });
  };
  setTimeout(step, delayMs);
}

function respond(
  state: MockState,
  res: uWS.HttpResponse,
  api: Api,
  body: Buffer,
  isAborted: () => boolean,
): void {
  state.stats.requests++;
  const { behaviour, bodies } = state;
  const decision = decide(behaviour, state.random);
  const stream = wantsStream(body);
  const usageChunk = api === 'openai' && stream && wantsUsageChunk(body);
  const send = (): void => {
    if (decision.fail) {
      state.stats.injectedErrors++;
      const status = behaviour.errorStatus;
      res
        .writeStatus(`${status} ${REASONS[status] ?? 'Error'}`)
        .writeHeader('content-type', 'application/json')
        .end(api === 'openai' ? bodies.openaiError : bodies.anthropicError);
      return;
    }
    if (!stream) {
      res
        .writeStatus('200 OK')
        .writeHeader('content-type', 'application/json')
        .end(api === 'openai' ? bodies.openaiJson : bodies.anthropicJson);
      return;
    }
    state.stats.streamed++;
    if (api === 'openai') {
      const tail = usageChunk ? bodies.openaiUsageChunk + bodies.openaiDone : bodies.openaiDone;
      writeStream(res, bodies.openaiChunks, tail, behaviour.chunkDelayMs, isAborted);
    } else {
      const pieces = [bodies.anthropicHead + bodies.anthropicDeltas[0]!, ...bodies.anthropicDeltas.slice(1)];
      writeStream(res, pieces, bodies.anthropicTail, behaviour.chunkDelayMs, isAborted);
    }
  };
  if (decision.delayMs <= 0) {
    res.cork(send);
    return;
  }
  setTimeout(() => {
    if (!isAborted()) res.cork(send);
  }, decision.delayMs);
}

function handler(state: MockState, api: Api) {
  return (res: uWS.HttpResponse): void => {
    let aborted = false;
    res.onAborted(() => {
      aborted = true;
      state.stats.aborted++;
    });
    readBody(res, (body) => respond(state, res, api, body, () => aborted));
  };
}

function main(): void {
  const { values } = parseArgs({ options: { port: { type: 'string', default: '0' } } });
  const port = Number(values.port);
  const behaviour = behaviourSchema.parse({});
  const state: MockState = {
    behaviour,
    random: seededRandom(behaviour.seed),
    bodies: buildBodies(behaviour),
    stats: { requests: 0, streamed: 0, injectedErrors: 0, aborted: 0 },
  };
  const app = uWS.App();
  app.post('/v1/chat/completions', handler(state, 'openai'));
  app.post('/v1/messages', handler(state, 'anthropic'));
  app.get('/healthz', (res) => {
    res.end('ok');
  });
  app.get('/__bench/stats', (res) => {
    res.writeHeader('content-type', 'application/json').end(JSON.stringify(state.stats));
  });
  app.post('/__bench/behaviour', (res) => {
    let aborted = false;
    res.onAborted(() => (aborted = true));
    readBody(res, (body) => {
      if (aborted) return;
      let parsed: ReturnType<typeof behaviourSchema.safeParse>;
      try {
        parsed = behaviourSchema.safeParse(JSON.parse(body.toString('utf8')));
      } catch {
        res.writeStatus('400 Bad Request').end('invalid JSON');
        return;
      }
      if (!parsed.success) {
        res.writeStatus('400 Bad Request').end(parsed.error.message);
        return;
      }
      applyBehaviour(state, parsed.data);
      res.writeHeader('content-type', 'application/json').end(JSON.stringify(parsed.data));
    });
  });
  app.any('/*', (res) => {
    res.writeStatus('404 Not Found').end('not found');
  });
  // Only the loopback address: the bench must never be reachable from, or send to, anywhere else.
  listenOnLoopback(app, port, 'mock upstream');
  exitWithParent();
}

main();
