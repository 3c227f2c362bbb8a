// A cached answer as one Redis string: a short header line and the body as is. The body is already JSON;
// wrapping it in another JSON document would escape every quote of it on write and unescape on read.
// Header: endpoint, storedAt, then the usage (prompt, completion, cached, reasoning, cacheWrite); an answer
// stored before cacheWrite existed has one number fewer and reads as 0 cache writes.
import type { CacheableEndpoint, CachedAnswer } from './answer.js';

export function encodeAnswer(answer: CachedAnswer): string {
  const u = answer.usage;
  return `${answer.endpoint} ${answer.storedAt} ${u.prompt} ${u.completion} ${u.cached} ${u.reasoning} ${u.cacheWrite}\n${answer.body}`;
}

/** undefined for anything that is not an encoded answer (a foreign or truncated value is a miss). */
export function decodeAnswer(text: string): CachedAnswer | undefined {
  const newline = text.indexOf('\n');
  if (newline < 0) return undefined;
  const head = text.slice(0, newline).split(' ');
  if (head.length !== 6 && head.length !== 7) return undefined;
  const endpoint = head[0];
  if (endpoint !== 'chat' && endpoint !== 'messages') return undefined;
  const [storedAt, prompt, completion, cached, reasoning, cacheWrite = 0] = head.slice(1).map(Number) as [
    number,
    number,
    number,
    number,
    number,
    number?,
  ];
  if (![storedAt, prompt, completion, cached, reasoning, cacheWrite].every(Number.isFinite)) return undefined;
  return {
    endpoint: endpoint satisfies CacheableEndpoint,
    storedAt,
    usage: { prompt, completion, cached, cacheWrite, reasoning },
    body: text.slice(newline + 1),
  };
}
