// Turns a streamed answer into the non-streaming body a cache entry stores, and decides what may be cached.
// The rules are deliberately narrow: only a single, complete, plain-text answer is stored, because that is the
// only kind replay.ts can serve back in both forms without inventing anything.
import type { ChatChunk, ChatCompletion, FinishReason, Usage } from '../api/openai-chat.js';
import type {
  AnthropicContentBlock,
  AnthropicMessage,
  AnthropicStopReason,
  AnthropicStreamEvent,
  AnthropicUsage,
} from '../api/anthropic-messages.js';

/**
 * Only 'stop' is cached: 'length' is a truncated answer (a retry with more room would differ), and the others
 * are tool calls or filtered output.
 */
const CACHEABLE_FINISH: ReadonlySet<FinishReason> = new Set<FinishReason>(['stop']);

/** max_tokens is truncation; tool_use, pause_turn and refusal are not plain finished answers. */
const CACHEABLE_STOP: ReadonlySet<AnthropicStopReason> = new Set<AnthropicStopReason>([
  'end_turn',
  'stop_sequence',
]);

function isSet(value: unknown): boolean {
  return value !== undefined && value !== null;
}

/** A field the declared types leave out but a loose upstream object may still carry. */
function extra(value: object, key: string): unknown {
  return (value as Record<string, unknown>)[key];
}

function hasItems(value: unknown): boolean {
  return Array.isArray(value) ? value.length > 0 : isSet(value);
}

export class ChatStreamAccumulator {
  #id = '';
  #created = 0;
  #model = '';
  #systemFingerprint: string | null | undefined;
  #serviceTier: unknown;
  #content = '';
  #finish: FinishReason | null = null;
  #usage: Usage | undefined;
  #uncacheable = false;

  add(chunk: ChatChunk): void {
    // Azure opens with a prompt-filter chunk whose id and model are empty: the first real values win.
    if (this.#id === '' && chunk.id) this.#id = chunk.id;
    if (this.#created === 0 && chunk.created) this.#created = chunk.created;
    if (this.#model === '' && chunk.model) this.#model = chunk.model;
    if (isSet(chunk.system_fingerprint)) this.#systemFingerprint = chunk.system_fingerprint;
    else if (this.#systemFingerprint === undefined && chunk.system_fingerprint === null) {
      this.#systemFingerprint = null;
    }
    if (isSet(chunk.service_tier)) this.#serviceTier = chunk.service_tier;
    if (isSet(chunk.usage)) this.#usage = chunk.usage!;

    for (const choice of chunk.choices ?? []) {
      const delta = choice.delta as ChatChunk['choices'][number]['delta'] | undefined;
      if (
        // No delta: an annotation (Azure's asynchronous content filter) a replay would not reproduce.
        delta === undefined ||
        delta === null ||
        choice.index !== 0 ||
        hasItems(delta.tool_calls) ||
        isSet(extra(delta, 'function_call')) ||
        Boolean(delta.refusal) ||
        // Per-token logprobs cannot be re-split to match replayed pieces, so such answers are not stored.
        isSet(choice.logprobs)
      ) {
        this.#uncacheable = true;
        continue;
      }
      if (typeof delta.content === 'string') this.#content += delta.content;
      if (isSet(choice.finish_reason)) this.#finish = choice.finish_reason;
    }
  }

  /** The ChatCompletion a non-streaming call would have returned, or undefined when it must not be cached. */
  result(): ChatCompletion | undefined {
    if (this.#uncacheable || this.#id === '' || this.#usage === undefined) return undefined;
    if (this.#finish === null || !CACHEABLE_FINISH.has(this.#finish)) return undefined;
    const completion: ChatCompletion = {
      id: this.#id,
      object: 'chat.completion',
      created: this.#created,
      model: this.#model,
      choices: [
        {
          index: 0,
          message: { role: 'assistant', content: this.#content, refusal: null },
          logprobs: null,
          finish_reason: this.#finish,
        },
      ],
      usage: this.#usage,
    };
    if (this.#serviceTier !== undefined) completion.service_tier = this.#serviceTier;
    if (this.#systemFingerprint !== undefined) completion.system_fingerprint = this.#systemFingerprint;
    return completion;
  }
}

export function cacheableChatCompletion(body: ChatCompletion): boolean {
  if (body.choices.length !== 1 || body.usage === undefined || body.usage === null) return false;
  const choice = body.choices[0]!;
  const message = choice.message;
  return (
    choice.index === 0 &&
    choice.finish_reason !== null &&
    CACHEABLE_FINISH.has(choice.finish_reason) &&
    typeof message.content === 'string' &&
    !hasItems(message.tool_calls) &&
    !isSet(message.function_call) &&
    !message.refusal &&
    !isSet(choice.logprobs)
  );
}

/** Citations arrive as their own delta type and would be dropped by a text-only replay. */
function plainText(block: AnthropicContentBlock): block is Extract<AnthropicContentBlock, { type: 'text' }> {
  return block.type === 'text' && typeof block.text === 'string' && !hasItems(block.citations);
}

export class MessagesStreamAccumulator {
  #message: AnthropicMessage | undefined;
  #usage: Partial<AnthropicUsage> = {};
  readonly #blocks = new Map<number, { text: string; open: boolean }>();
  #stopReason: AnthropicStopReason = null;
  #stopSequence: string | null = null;
  #stopped = false;
  #uncacheable = false;

  add(event: AnthropicStreamEvent): void {
    if (this.#uncacheable) return;
    if (event.type === 'ping') return;
    // Nothing may precede message_start, and nothing but pings may follow message_stop.
    if ((event.type !== 'message_start') === (this.#message === undefined) || this.#stopped) {
      this.#uncacheable = true;
      return;
    }
    switch (event.type) {
      case 'message_start':
        this.#message = event.message;
        this.#usage = withoutNulls(event.message.usage);
        break;
      case 'content_block_start': {
        const block = event.content_block;
        if (!plainText(block) || this.#blocks.has(event.index)) this.#uncacheable = true;
        else this.#blocks.set(event.index, { text: block.text, open: true });
        break;
      }
      case 'content_block_delta': {
        const block = this.#blocks.get(event.index);
        if (block?.open !== true || event.delta.type !== 'text_delta') this.#uncacheable = true;
        else block.text += event.delta.text;
        break;
      }
      case 'content_block_stop': {
        const block = this.#blocks.get(event.index);
        if (block?.open !== true) this.#uncacheable = true;
        else block.open = false;
        break;
      }
      case 'message_delta':
        this.#stopReason = event.delta.stop_reason;
        this.#stopSequence = event.delta.stop_sequence ?? null;
        // Usage here is cumulative and may restate input counts; null means "unchanged".
        this.#usage = { ...this.#usage, ...withoutNulls(event.usage ?? {}) };
        break;
      case 'message_stop':
        this.#stopped = true;
        break;
      case 'error':
        this.#uncacheable = true;
        break;
      default:
        // Event types Anthropic may add later carry nothing a text answer needs.
        break;
    }
  }

  /** The Message a non-streaming call would have returned, or undefined when it must not be cached. */
  result(): AnthropicMessage | undefined {
    if (this.#uncacheable || !this.#stopped || this.#message === undefined) return undefined;
    if (!CACHEABLE_STOP.has(this.#stopReason)) return undefined;
    const indexes = [...this.#blocks.keys()].sort((a, b) => a - b);
    // Blocks are numbered 0, 1, …; a gap means a block we never saw, so the answer is incomplete.
    if (indexes.some((index, position) => index !== position)) return undefined;
    const content: AnthropicContentBlock[] = [];
    for (const index of indexes) {
      const block = this.#blocks.get(index)!;
      if (block.open) return undefined;
      content.push({ type: 'text', text: block.text });
    }
    return {
      ...this.#message,
      content,
      stop_reason: this.#stopReason,
      stop_sequence: this.#stopSequence,
      usage: { input_tokens: 0, output_tokens: 0, ...this.#usage },
    };
  }
}

export function cacheableMessage(body: AnthropicMessage): boolean {
  return (
    body.type === 'message' &&
    body.role === 'assistant' &&
    CACHEABLE_STOP.has(body.stop_reason) &&
    body.content.every(plainText)
  );
}

function withoutNulls<T extends object>(value: T): Partial<T> {
  const out: Partial<T> = {};
  for (const key of Object.keys(value) as (keyof T)[]) if (isSet(value[key])) out[key] = value[key];
  return out;
}
