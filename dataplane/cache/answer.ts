// What a cache entry holds: the whole non-streaming answer in the client's dialect, plus what it cost.
// Streams and non-streams share entries: a streamed answer is accumulated into this form and a streaming
// hit is replayed from it (replay.ts), so `stream` is not part of any cache key.
import type { TokenUsage } from '../pipeline/context.js';

export type CacheableEndpoint = 'chat' | 'messages';

export interface CachedAnswer {
  readonly endpoint: CacheableEndpoint;
  /** JSON text of the complete answer: an OpenAI ChatCompletion (chat) or an Anthropic Message (messages). */
  readonly body: string;
  /** What the original call cost in tokens: a hit avoids exactly this. */
  readonly usage: TokenUsage;
  /** Unix epoch milliseconds when the answer was stored. */
  readonly storedAt: number;
}
