// SSE framing: the gateway's upstream SSE parser over a 20-chunk OpenAI stream, delivered in network-sized
// pieces that cut events in the middle, as sockets do.
import type { SseDecoder } from '../../../dataplane/upstream/sse-parser.js';
import type { MicroCase } from './case.js';

function upstreamStream(chunks: number): string {
  let out = '';
  for (let i = 0; i < chunks; i++) {
    const delta = i === 0 ? { role: 'assistant', content: 'Hello' } : { content: ' world' };
    const chunk = {
      id: 'chatcmpl-x',
      object: 'chat.completion.chunk',
      created: 1,
      model: 'gpt-4o-mini',
      choices: [{ index: 0, delta, finish_reason: i === chunks - 1 ? 'stop' : null }],
    };
    out += `data: ${JSON.stringify(chunk)}\n\n`;
  }
  return `${out}data: [DONE]\n\n`;
}

function pieces(text: string, size: number): Uint8Array[] {
  const bytes = Buffer.from(text);
  const out: Uint8Array[] = [];
  for (let i = 0; i < bytes.length; i += size) out.push(bytes.subarray(i, i + size));
  return out;
}

export const sseParseCase: MicroCase = {
  id: 'sse-parse-20',
  title: 'SSE parsing: 20-chunk OpenAI stream in 512-byte pieces',
  module: 'dataplane/upstream/sse-parser.ts',
  prepare(module) {
    const input = pieces(upstreamStream(20), 512);
    // Since 2d766b1 the parser is a synchronous decoder fed with each network read; before, an async generator
    // over the socket body (an async iterable of buffers).
    if (typeof module.SseDecoder === 'function') {
      const Decoder = module.SseDecoder as typeof SseDecoder;
      return () => {
        const sse = new Decoder();
        let n = 0;
        for (const piece of input) for (const event of sse.push(piece)) n += event.data.length;
        for (const event of sse.end()) n += event.data.length;
        return Promise.resolve(n);
      };
    }
    if (typeof module.parseSse !== 'function') return undefined;
    const parseSse = module.parseSse as (body: AsyncIterable<Uint8Array>) => AsyncGenerator<{ data: string }>;
    async function* body(): AsyncGenerator<Uint8Array> {
      for (const piece of input) yield piece;
    }
    return async () => {
      let n = 0;
      for await (const event of parseSse(body())) n += event.data.length;
      return n;
    };
  },
};
