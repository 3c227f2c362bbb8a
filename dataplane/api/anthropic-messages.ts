// Anthropic Messages API: request schema (validated at the edge) and the response and stream event shapes.
import { z } from 'zod';

const cacheControl = z.looseObject({ type: z.string() }).nullish();

const textBlock = z.looseObject({ type: z.literal('text'), text: z.string(), cache_control: cacheControl });
// `file` is a Files API upload; source types Anthropic adds later pass through to it (translations refuse them).
const imageBlock = z.looseObject({
  type: z.literal('image'),
  source: z.union([
    z.looseObject({ type: z.literal('base64'), media_type: z.string(), data: z.string() }),
    z.looseObject({ type: z.literal('url'), url: z.string() }),
    z.looseObject({ type: z.literal('file'), file_id: z.string() }),
    z.looseObject({
      type: z.string().refine((t) => !['base64', 'url', 'file'].includes(t), {
        message: 'malformed image source',
        abort: true,
      }),
    }),
  ]),
  cache_control: cacheControl,
});
// Blocks a tool result may hold besides text and image (document, search_result, and later additions).
const otherToolResultBlock = z.looseObject({
  type: z
    .string()
    .refine((t) => t !== 'text' && t !== 'image', { message: 'malformed content block', abort: true }),
});
const toolUseBlock = z.looseObject({
  type: z.literal('tool_use'),
  id: z.string(),
  name: z.string(),
  input: z.unknown(),
});
const toolResultBlock = z.looseObject({
  type: z.literal('tool_result'),
  tool_use_id: z.string(),
  content: z.union([z.string(), z.array(z.union([textBlock, imageBlock, otherToolResultBlock]))]).optional(),
  is_error: z.boolean().optional(),
});
const otherBlock = z.looseObject({
  type: z.string().refine((t) => !['text', 'image', 'tool_use', 'tool_result'].includes(t), {
    message: 'malformed content block',
    abort: true,
  }),
});
export const contentBlockSchema = z.union([textBlock, imageBlock, toolUseBlock, toolResultBlock, otherBlock]);

export const anthropicMessageSchema = z.looseObject({
  role: z.enum(['user', 'assistant']),
  content: z.union([z.string(), z.array(contentBlockSchema)]),
});

/**
 * A client tool (`name`, `input_schema`; type absent or `custom`), or a typed one that runs on Anthropic's side:
 * server tools (`web_search_…`, named) and toolsets that bring their own tools and have no name
 * (`mcp_toolset` with `mcp_server_name`, `computer_toolset_…`).
 */
export const anthropicToolSchema = z
  .looseObject({
    name: z.string().min(1).optional(),
    description: z.string().optional(),
    input_schema: z.record(z.string(), z.unknown()).optional(),
    type: z.string().optional(),
  })
  .refine((tool) => tool.name !== undefined || (tool.type !== undefined && tool.type !== 'custom'), {
    path: ['name'],
    message: 'a client tool needs a name',
  });

export const messagesRequestSchema = z.looseObject({
  model: z.string().min(1),
  max_tokens: z.number().int().positive(),
  messages: z.array(anthropicMessageSchema).min(1),
  system: z.union([z.string(), z.array(textBlock)]).optional(),
  stop_sequences: z.array(z.string()).optional(),
  stream: z.boolean().optional(),
  temperature: z.number().min(0).max(1).optional(),
  top_p: z.number().min(0).max(1).optional(),
  top_k: z.number().int().min(0).optional(),
  tools: z.array(anthropicToolSchema).optional(),
  tool_choice: z
    .looseObject({
      type: z.enum(['auto', 'any', 'tool', 'none']),
      name: z.string().optional(),
      disable_parallel_tool_use: z.boolean().optional(),
    })
    .optional(),
  metadata: z.looseObject({ user_id: z.string().nullish() }).optional(),
});

export type MessagesRequest = z.infer<typeof messagesRequestSchema>;

/**
 * POST /v1/messages/count_tokens: a Messages body without the generation's own fields, so `max_tokens` is not
 * required. Other fields pass as they do on /v1/messages; an Anthropic upstream refuses those it does not take.
 */
export const countTokensRequestSchema = messagesRequestSchema.extend({
  max_tokens: z.number().int().positive().optional(),
});

export type CountTokensRequest = z.infer<typeof countTokensRequestSchema>;
export type AnthropicMessageParam = z.infer<typeof anthropicMessageSchema>;
export type AnthropicContentBlockParam = z.infer<typeof contentBlockSchema>;
export type AnthropicTool = z.infer<typeof anthropicToolSchema>;

export type AnthropicStopReason =
  'end_turn' | 'max_tokens' | 'stop_sequence' | 'tool_use' | 'pause_turn' | 'refusal' | null;

export interface AnthropicUsage {
  input_tokens: number;
  output_tokens: number;
  cache_creation_input_tokens?: number | null;
  cache_read_input_tokens?: number | null;
  [key: string]: unknown;
}

export type AnthropicContentBlock =
  | { type: 'text'; text: string; [key: string]: unknown }
  | { type: 'tool_use'; id: string; name: string; input: unknown; [key: string]: unknown }
  | { type: 'thinking'; thinking: string; signature?: string; [key: string]: unknown };

export interface AnthropicMessage {
  id: string;
  type: 'message';
  role: 'assistant';
  model: string;
  content: AnthropicContentBlock[];
  stop_reason: AnthropicStopReason;
  stop_sequence: string | null;
  usage: AnthropicUsage;
  [key: string]: unknown;
}

/** One event of an Anthropic Messages stream; `type` equals the SSE `event:` name. */
export type AnthropicStreamEvent =
  | { type: 'message_start'; message: AnthropicMessage }
  | {
      type: 'content_block_start';
      index: number;
      content_block: AnthropicContentBlock;
    }
  | {
      type: 'content_block_delta';
      index: number;
      delta:
        | { type: 'text_delta'; text: string }
        | { type: 'input_json_delta'; partial_json: string }
        | { type: 'thinking_delta'; thinking: string }
        | { type: 'signature_delta'; signature: string };
    }
  | { type: 'content_block_stop'; index: number }
  | {
      type: 'message_delta';
      delta: { stop_reason: AnthropicStopReason; stop_sequence: string | null };
      usage: Partial<AnthropicUsage> & { output_tokens: number };
    }
  | { type: 'message_stop' }
  | { type: 'ping' }
  | { type: 'error'; error: { type: string; message: string } };
