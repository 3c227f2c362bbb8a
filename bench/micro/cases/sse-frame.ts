// SSE framing on the way out: a 20-chunk answer framed for the client as the streaming dispatch does
// (dataplane/pipeline/dispatch/frames.ts), in both dialects — each upstream chunk's JSON forwarded as an
// OpenAI `data:` frame, or re-framed as Anthropic `event:`/`data:` pairs — and gathered into one string with
// its byte length, as the exchange gathers the frames of one event-loop turn into one send.
import type * as Frames from '../../../dataplane/pipeline/dispatch/frames.js';
import type { MicroCase } from './case.js';

function chunkJson(chunks: number): string[] {
  const out: string[] = [];
  for (let i = 0; i < chunks; i++) {
    const delta = i === 0 ? { role: 'assistant', content: 'Hello' } : { content: ' world' };
    out.push(
      JSON.stringify({
        id: 'chatcmpl-x',
        object: 'chat.completion.chunk',
        created: 1,
        model: 'gpt-4o-mini',
        choices: [{ index: 0, delta, finish_reason: i === chunks - 1 ? 'stop' : null }],
      }),
    );
  }
  return out;
}

function anthropicEvents(chunks: number): [string, string][] {
  const out: [string, string][] = [
    ['message_start', JSON.stringify({ type: 'message_start', message: { id: 'msg_x', role: 'assistant' } })],
  ];
  for (let i = 0; i < chunks; i++) {
    out.push([
      'content_block_delta',
      JSON.stringify({
        type: 'content_block_delta',
        index: 0,
        delta: { type: 'text_delta', text: ' world' },
      }),
    ]);
  }
  out.push(['message_stop', JSON.stringify({ type: 'message_stop' })]);
  return out;
}

export const sseFrameCases: MicroCase[] = [
  {
    id: 'sse-frame-openai-20',
    title: 'SSE framing out: 20 OpenAI chunks + [DONE], gathered into one send',
    module: 'dataplane/pipeline/dispatch/frames.ts',
    prepare(module) {
      if (typeof module.openAIFrame !== 'function' || typeof module.OPENAI_DONE_FRAME !== 'string')
        return undefined;
      const frame = module.openAIFrame as typeof Frames.openAIFrame;
      const done = module.OPENAI_DONE_FRAME;
      const input = chunkJson(20);
      return () => {
        let pending = '';
        for (const json of input) pending += frame(json);
        pending += done;
        return Buffer.byteLength(pending);
      };
    },
  },
  {
    id: 'sse-frame-anthropic-20',
    title: 'SSE framing out: 22 Anthropic events, gathered into one send',
    module: 'dataplane/pipeline/dispatch/frames.ts',
    prepare(module) {
      if (typeof module.anthropicFrame !== 'function') return undefined;
      const frame = module.anthropicFrame as typeof Frames.anthropicFrame;
      const input = anthropicEvents(20);
      return () => {
        let pending = '';
        for (const [type, json] of input) pending += frame(type, json);
        return Buffer.byteLength(pending);
      };
    },
  },
];
