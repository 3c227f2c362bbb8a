// Stream translation between Anthropic Messages events and OpenAI chat chunks, both ways. Each direction keeps
// the other side's ending rules: a complete stream ends with usage, a cut one throws.
import type { ChatChunk, FinishReason, ToolCallDelta, Usage } from '../../api/openai-chat.js';
import type { AnthropicStreamEvent, AnthropicUsage } from '../../api/anthropic-messages.js';
import { GatewayError } from '../../errors/gateway-error.js';
import type { StreamItem } from '../types.js';
import { anthropicStreamError } from './errors.js';
import { anthropicMessageId } from './message-id.js';
import {
  anthropicStopOf,
  anthropicUsageOf,
  chatUsageOf,
  finishReasonOf,
  reasoningOf,
} from './response-mapping.js';

type Delta = ChatChunk['choices'][number]['delta'];

// ---- Anthropic events → OpenAI chat chunks ----

export async function* anthropicEventsToChatChunks(
  events: AsyncIterable<StreamItem<AnthropicStreamEvent>>,
): AsyncGenerator<StreamItem<ChatChunk>> {
  let head: { id: string; model: string; created: number } | undefined;
  let usage: Partial<AnthropicUsage> = {};
  // OpenAI numbers tool calls 0, 1, … while Anthropic numbers all content blocks, text included.
  const toolIndexByBlock = new Map<number, number>();
  /** Tool calls whose arguments have been sent (a call with none gets "{}" when its block stops). */
  const argumentsSent = new Set<number>();

  const chunk = (delta: Delta, finish: FinishReason | null = null): StreamItem<ChatChunk> => ({
    data: {
      id: head!.id,
      object: 'chat.completion.chunk',
      created: head!.created,
      model: head!.model,
      choices: [{ index: 0, delta, finish_reason: finish, logprobs: null }],
    },
    raw: undefined,
  });

  for await (const { data: event } of events) {
    if (event.type === 'error') throw anthropicStreamError(event.error);
    if (event.type === 'ping') continue;
    if (event.type === 'message_start') {
      head = { id: event.message.id, model: event.message.model, created: Math.floor(Date.now() / 1000) };
      usage = { ...event.message.usage };
      yield chunk({ role: 'assistant', content: '' });
      continue;
    }
    if (head === undefined) {
      throw new GatewayError(
        'upstream_invalid_response',
        'The upstream stream did not begin with message_start.',
      );
    }
    switch (event.type) {
      case 'content_block_start': {
        const block = event.content_block;
        if (block.type === 'text' && block.text !== '') yield chunk({ content: block.text });
        else if (block.type === 'tool_use') {
          const index = toolIndexByBlock.size;
          toolIndexByBlock.set(event.index, index);
          // Anthropic starts with `input: {}` and streams the JSON; some compatible servers send the whole
          // input here instead, and no delta follows.
          const input = startInput(block.input);
          if (input !== '') argumentsSent.add(index);
          yield chunk({
            tool_calls: [
              { index, id: block.id, type: 'function', function: { name: block.name, arguments: input } },
            ],
          });
        }
        break;
      }
      case 'content_block_delta': {
        const delta = event.delta;
        if (delta.type === 'text_delta') {
          if (delta.text !== '') yield chunk({ content: delta.text });
        } else if (delta.type === 'input_json_delta') {
          const index = toolIndexByBlock.get(event.index);
          if (index !== undefined && delta.partial_json !== '') {
            argumentsSent.add(index);
            yield chunk({ tool_calls: [{ index, function: { arguments: delta.partial_json } }] });
          }
        }
        // Thinking and signature deltas have no OpenAI chat equivalent.
        break;
      }
      case 'message_delta':
        // message_delta usage is cumulative and may restate input counts; null means "unchanged". Some
        // Anthropic-compatible servers leave usage out altogether.
        for (const [key, value] of Object.entries(event.usage ?? {})) {
          if (value !== null && value !== undefined) usage[key] = value;
        }
        if (event.delta.stop_reason !== null) yield chunk({}, finishReasonOf(event.delta.stop_reason));
        break;
      case 'message_stop':
        yield {
          data: {
            id: head.id,
            object: 'chat.completion.chunk',
            created: head.created,
            model: head.model,
            choices: [],
            usage: chatUsageOf(usage),
          },
          raw: undefined,
        };
        return;
      case 'content_block_stop': {
        // A tool call without arguments streams no JSON at all; OpenAI clients parse the arguments, and ""
        // is no JSON: they get "{}", as the non-streamed translation gives.
        const index = toolIndexByBlock.get(event.index);
        if (index !== undefined && !argumentsSent.has(index)) {
          argumentsSent.add(index);
          yield chunk({ tool_calls: [{ index, function: { arguments: '{}' } }] });
        }
        break;
      }
      default:
        // Unknown event types may be added by Anthropic and are skipped.
        break;
    }
  }
  throw new GatewayError('stream_interrupted', 'The upstream stream ended before message_stop.');
}

/** A tool_use start's input as the arguments to send at once: "" for Anthropic's empty `{}`. */
function startInput(input: unknown): string {
  if (typeof input !== 'object' || input === null) return '';
  return Object.keys(input).length === 0 ? '' : JSON.stringify(input);
}

// ---- OpenAI chat chunks → Anthropic events ----

type OpenBlock =
  | { kind: 'thinking'; index: number }
  | { kind: 'text'; index: number }
  | { kind: 'tool'; index: number; tool: number };

export async function* chatChunksToAnthropicEvents(
  chunks: AsyncIterable<StreamItem<ChatChunk>>,
  model: string,
): AsyncGenerator<StreamItem<AnthropicStreamEvent>> {
  let started = false;
  let open: OpenBlock | undefined;
  let nextBlock = 0;
  const seenTools = new Set<number>();
  let finish: FinishReason | null | undefined;
  /** vLLM's `stop_reason` of the finishing choice: the stop string matched, or a stop token id. */
  let matched: string | number | null | undefined;
  let usage: Usage | undefined;

  const item = (data: AnthropicStreamEvent): StreamItem<AnthropicStreamEvent> => ({ data, raw: undefined });
  function* close(): Generator<StreamItem<AnthropicStreamEvent>> {
    if (open === undefined) return;
    yield item({ type: 'content_block_stop', index: open.index });
    open = undefined;
  }
  function* end(): Generator<StreamItem<AnthropicStreamEvent>> {
    yield* close();
    const final = anthropicUsageOf(usage);
    yield item({
      type: 'message_delta',
      delta: anthropicStopOf(finish ?? null, seenTools.size > 0, matched),
      usage: {
        input_tokens: final.input_tokens,
        output_tokens: final.output_tokens,
        cache_creation_input_tokens: final.cache_creation_input_tokens,
        cache_read_input_tokens: final.cache_read_input_tokens,
      },
    });
    yield item({ type: 'message_stop' });
  }

  for await (const { data: chunk } of chunks) {
    const choice = chunk.choices.find((c) => c.index === 0);
    if (!started) {
      // Azure's first chunk carries only prompt filter results, with an empty id and model: the message takes
      // its id and model from the first chunk that has them.
      if (chunk.id === '' && choice === undefined && (chunk.usage === undefined || chunk.usage === null)) {
        continue;
      }
      started = true;
      yield item({
        type: 'message_start',
        message: {
          id: anthropicMessageId(chunk.id),
          type: 'message',
          role: 'assistant',
          // The upstream's own model name, as the non-streamed answer has it (the configured name otherwise).
          model: chunk.model || model,
          content: [],
          stop_reason: null,
          stop_sequence: null,
          // OpenAI reports usage only in its last chunk: the real counts go in message_delta.
          usage: { input_tokens: 0, output_tokens: 0 },
        },
      });
    }
    if (choice !== undefined) {
      // A reasoning model's thinking streams first, as Anthropic's does: a client sees it while the model
      // reasons rather than nothing for minutes.
      const thinking = reasoningOf(choice.delta);
      if (thinking !== '') {
        if (open?.kind !== 'thinking') {
          yield* close();
          open = { kind: 'thinking', index: nextBlock++ };
          // No signature: a chat upstream has none, and the Anthropic SDKs type it as a string.
          yield item({
            type: 'content_block_start',
            index: open.index,
            content_block: { type: 'thinking', thinking: '', signature: '' },
          });
        }
        yield item({
          type: 'content_block_delta',
          index: open.index,
          delta: { type: 'thinking_delta', thinking },
        });
      }
      const text = choice.delta.content || choice.delta.refusal;
      if (text) {
        if (open?.kind !== 'text') {
          yield* close();
          open = { kind: 'text', index: nextBlock++ };
          yield item({
            type: 'content_block_start',
            index: open.index,
            content_block: { type: 'text', text: '' },
          });
        }
        yield item({ type: 'content_block_delta', index: open.index, delta: { type: 'text_delta', text } });
      }
      for (const call of choice.delta.tool_calls ?? []) yield* toolCallEvents(call);
      if (choice.finish_reason !== null && choice.finish_reason !== undefined) {
        finish = choice.finish_reason;
        matched = choice.stop_reason;
        yield* close();
      }
    }
    if (chunk.usage !== undefined && chunk.usage !== null) usage = chunk.usage;
    // OpenAI sends the finish_reason chunk, then a usage-only chunk: the end waits for the usage.
    if (finish !== undefined && usage !== undefined) {
      yield* end();
      return;
    }
  }
  if (!started) {
    throw new GatewayError(
      'upstream_invalid_response',
      'The upstream stream ended without sending any chunk.',
    );
  }
  yield* end();

  function* toolCallEvents(call: ToolCallDelta): Generator<StreamItem<AnthropicStreamEvent>> {
    if (open?.kind !== 'tool' || open.tool !== call.index) {
      // Anthropic blocks cannot interleave or reopen; OpenAI-shaped servers send tool calls one after another.
      if (seenTools.has(call.index)) {
        throw new GatewayError(
          'upstream_invalid_response',
          'The upstream stream interleaved tool call deltas.',
        );
      }
      seenTools.add(call.index);
      yield* close();
      open = { kind: 'tool', index: nextBlock++, tool: call.index };
      yield item({
        type: 'content_block_start',
        index: open.index,
        content_block: {
          type: 'tool_use',
          id: call.id ?? `toolu_${call.index}`,
          name: call.function?.name ?? '',
          input: {},
        },
      });
    }
    const args = call.function?.arguments;
    if (args) {
      yield item({
        type: 'content_block_delta',
        index: open.index,
        delta: { type: 'input_json_delta', partial_json: args },
      });
    }
  }
}
