// An OpenAI-compatible upstream whose every answer is numbered ("answer #3 to: <question>"), so a test can
// tell an answer served from the cache (an old number) from a fresh one, and count the calls it received.
import { setTimeout as sleep } from 'node:timers/promises';
import {
  beginSse,
  sendJson,
  startScriptedServer,
  writeFrame,
  type ScriptedServer,
} from './scripted-server.js';

export interface CountingUpstream extends ScriptedServer {
  /** Chat calls answered so far. */
  calls(): number;
}

interface Message {
  role: string;
  content: unknown;
}

function lastUserText(body: Record<string, unknown>): string {
  const messages = (body.messages ?? []) as Message[];
  const last = messages[messages.length - 1];
  return typeof last?.content === 'string' ? last.content : JSON.stringify(last?.content ?? null);
}

/** `delayMs` holds every answer back (for requests that must overlap in flight). */
export async function startCountingUpstream(options: { delayMs?: number } = {}): Promise<CountingUpstream> {
  let calls = 0;
  const server = await startScriptedServer(async (request, res) => {
    if (!request.path.endsWith('/chat/completions')) return sendJson(res, 404, { error: { message: 'no' } });
    calls += 1;
    const n = calls;
    if (options.delayMs !== undefined) await sleep(options.delayMs);
    const text = `answer #${n} to: ${lastUserText(request.body)}`;
    const usage = { prompt_tokens: 20 + n, completion_tokens: 10, total_tokens: 30 + n };
    const base = { id: `chatcmpl-${n}`, created: 1_700_000_000 + n, model: String(request.body.model) };
    if (request.body.stream !== true) {
      return sendJson(res, 200, {
        ...base,
        object: 'chat.completion',
        choices: [{ index: 0, message: { role: 'assistant', content: text }, finish_reason: 'stop' }],
        usage,
      });
    }
    beginSse(res);
    const chunk = (delta: object, finish: string | null) =>
      `data: ${JSON.stringify({ ...base, object: 'chat.completion.chunk', choices: [{ index: 0, delta, finish_reason: finish }] })}\n\n`;
    await writeFrame(res, chunk({ role: 'assistant', content: '' }, null));
    for (const piece of text.match(/.{1,7}/gs) ?? []) await writeFrame(res, chunk({ content: piece }, null));
    await writeFrame(res, chunk({}, 'stop'));
    await writeFrame(
      res,
      `data: ${JSON.stringify({ ...base, object: 'chat.completion.chunk', choices: [], usage })}\n\n`,
    );
    await writeFrame(res, 'data: [DONE]\n\n');
    res.end();
  });
  return Object.assign(server, { calls: () => calls });
}
