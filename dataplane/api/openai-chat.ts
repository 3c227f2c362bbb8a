// OpenAI Chat Completions: the request schema (validated at the edge) and the response and chunk shapes.
// Objects are loose: fields we do not know are forwarded untouched, as OpenAI adds parameters often.
import { z } from 'zod';

const textPart = z.looseObject({ type: z.literal('text'), text: z.string() });
const imagePart = z.looseObject({
  type: z.literal('image_url'),
  image_url: z.looseObject({ url: z.string().min(1), detail: z.enum(['auto', 'low', 'high']).optional() }),
});
const otherPart = z.looseObject({
  type: z
    .string()
    .refine((t) => t !== 'text' && t !== 'image_url', { message: 'malformed content part', abort: true }),
});
export const contentPartSchema = z.union([textPart, imagePart, otherPart]);

const toolCallSchema = z.looseObject({
  id: z.string(),
  type: z.literal('function'),
  function: z.looseObject({ name: z.string(), arguments: z.string() }),
});
// A call of a custom (free-form) tool in the history: the turn after a custom tool was used carries it.
const customToolCallSchema = z.looseObject({
  id: z.string(),
  type: z.literal('custom'),
  custom: z.looseObject({ name: z.string(), input: z.string() }),
});

const textContent = z.union([z.string(), z.array(textPart)]);

export const chatMessageSchema = z.discriminatedUnion('role', [
  z.looseObject({ role: z.literal('system'), content: textContent, name: z.string().optional() }),
  z.looseObject({ role: z.literal('developer'), content: textContent, name: z.string().optional() }),
  z.looseObject({
    role: z.literal('user'),
    content: z.union([z.string(), z.array(contentPartSchema)]),
    name: z.string().optional(),
  }),
  z.looseObject({
    role: z.literal('assistant'),
    content: z.union([z.string(), z.array(z.looseObject({ type: z.string() }))]).nullish(),
    name: z.string().optional(),
    tool_calls: z.array(z.union([toolCallSchema, customToolCallSchema])).optional(),
    refusal: z.string().nullish(),
  }),
  z.looseObject({ role: z.literal('tool'), content: textContent, tool_call_id: z.string() }),
  z.looseObject({ role: z.literal('function'), content: z.string().nullable(), name: z.string() }),
]);

export const toolSchema = z.looseObject({
  type: z.literal('function'),
  function: z.looseObject({
    name: z.string().min(1),
    description: z.string().optional(),
    parameters: z.record(z.string(), z.unknown()).optional(),
    strict: z.boolean().nullish(),
  }),
});

// A free-form tool (input is plain text, optionally constrained by a grammar); OpenAI-type upstreams take it.
const customToolSchema = z.looseObject({
  type: z.literal('custom'),
  custom: z.looseObject({ name: z.string().min(1), description: z.string().optional() }),
});

export const toolChoiceSchema = z.union([
  z.enum(['none', 'auto', 'required']),
  z.looseObject({ type: z.literal('function'), function: z.looseObject({ name: z.string() }) }),
]);

// Choices only OpenAI-type upstreams understand: forcing a custom tool, or restricting the model to a subset
// of the tools while the full list stays in the (cacheable) prompt.
const extendedToolChoiceSchema = z.union([
  toolChoiceSchema,
  z.looseObject({ type: z.literal('custom'), custom: z.looseObject({ name: z.string() }) }),
  z.looseObject({
    type: z.literal('allowed_tools'),
    allowed_tools: z.looseObject({
      mode: z.enum(['auto', 'required']),
      tools: z.array(z.looseObject({ type: z.string() })),
    }),
  }),
]);

export const chatRequestSchema = z.looseObject({
  model: z.string().min(1),
  messages: z.array(chatMessageSchema).min(1),
  stream: z.boolean().nullish(),
  stream_options: z.looseObject({ include_usage: z.boolean().optional() }).nullish(),
  temperature: z.number().min(0).max(2).nullish(),
  top_p: z.number().min(0).max(1).nullish(),
  n: z.number().int().min(1).max(128).nullish(),
  max_tokens: z.number().int().positive().nullish(),
  max_completion_tokens: z.number().int().positive().nullish(),
  stop: z.union([z.string(), z.array(z.string()).max(4)]).nullish(),
  presence_penalty: z.number().min(-2).max(2).nullish(),
  frequency_penalty: z.number().min(-2).max(2).nullish(),
  seed: z.number().int().nullish(),
  user: z.string().optional(),
  tools: z.array(z.union([toolSchema, customToolSchema])).optional(),
  tool_choice: extendedToolChoiceSchema.optional(),
  parallel_tool_calls: z.boolean().optional(),
  response_format: z.looseObject({ type: z.string() }).optional(),
  logprobs: z.boolean().nullish(),
  top_logprobs: z.number().int().min(0).max(20).nullish(),
  metadata: z.record(z.string(), z.string()).nullish(),
});

/** A chat request as the edge accepts it: OpenAI-type upstreams take it whole. */
export type ChatRequestBody = z.infer<typeof chatRequestSchema>;
export type ChatMessage = z.infer<typeof chatMessageSchema>;
export type ContentPart = z.infer<typeof contentPartSchema>;
/** A function tool: the one kind every provider can offer its model. */
export type Tool = z.infer<typeof toolSchema>;
export type ToolChoice = z.infer<typeof toolChoiceSchema>;
/**
 * A chat request whose tools are all function tools: what providers that interpret tools (translation,
 * simulation) read. The dispatch stage refuses other tools for them (`nonFunctionToolParam`).
 */
export const functionToolsRequestSchema = chatRequestSchema.extend({
  tools: z.array(toolSchema).optional(),
  tool_choice: toolChoiceSchema.optional(),
});
export type ChatRequest = z.infer<typeof functionToolsRequestSchema>;

/**
 * The first field only OpenAI-type upstreams understand (a custom tool, a custom or allowed_tools
 * tool_choice), for the 400 of a provider that cannot express it; undefined when there is none.
 */
export function nonFunctionToolParam(req: ChatRequestBody): string | undefined {
  const i = req.tools?.findIndex((tool) => tool.type !== 'function') ?? -1;
  if (i >= 0) return `tools[${i}].type`;
  const choice = req.tool_choice;
  if (typeof choice === 'object' && choice.type !== 'function') return 'tool_choice.type';
  // A custom tool's call in the history: the turn after one was used.
  for (const [m, message] of req.messages.entries()) {
    if (message.role !== 'assistant' || message.tool_calls === undefined) continue;
    const c = message.tool_calls.findIndex((call) => call.type !== 'function');
    if (c >= 0) return `messages[${m}].tool_calls[${c}].type`;
  }
  return undefined;
}

export interface Usage {
  prompt_tokens: number;
  completion_tokens: number;
  total_tokens: number;
  prompt_tokens_details?: { cached_tokens?: number; [key: string]: unknown } | null;
  completion_tokens_details?: { reasoning_tokens?: number; [key: string]: unknown } | null;
  /**
   * Not OpenAI's: tokens an Anthropic model wrote to its prompt cache (part of prompt_tokens, priced higher).
   * Set on answers translated from Anthropic when non-zero, under the name LiteLLM uses for the same thing.
   */
  cache_creation_input_tokens?: number;
  [key: string]: unknown;
}

export interface ToolCall {
  id: string;
  type: 'function';
  function: { name: string; arguments: string };
}

export type FinishReason = 'stop' | 'length' | 'tool_calls' | 'content_filter' | 'function_call';

export interface ChatCompletion {
  id: string;
  object: 'chat.completion';
  created: number;
  model: string;
  choices: {
    index: number;
    message: {
      role: 'assistant';
      content: string | null;
      tool_calls?: ToolCall[];
      refusal?: string | null;
      [key: string]: unknown;
    };
    finish_reason: FinishReason | null;
    logprobs?: unknown;
    /** vLLM's: the stop string that ended the answer, or the id of the stop token (not OpenAI's field). */
    stop_reason?: string | number | null;
  }[];
  usage?: Usage;
  system_fingerprint?: string | null;
  [key: string]: unknown;
}

export interface ToolCallDelta {
  index: number;
  id?: string;
  type?: 'function';
  function?: { name?: string; arguments?: string };
}

export interface ChatChunk {
  id: string;
  object: 'chat.completion.chunk';
  created: number;
  model: string;
  choices: {
    index: number;
    delta: {
      role?: 'assistant';
      content?: string | null;
      tool_calls?: ToolCallDelta[];
      refusal?: string | null;
      /** Not OpenAI's: the reasoning of vLLM's (`--reasoning-parser`) and DeepSeek's models. */
      reasoning_content?: string | null;
      /** Not OpenAI's: the same under the name newer vLLM and OpenRouter use. */
      reasoning?: string | null;
    };
    finish_reason: FinishReason | null;
    logprobs?: unknown;
    /** vLLM's: the stop string that ended the answer, or the id of the stop token (not OpenAI's field). */
    stop_reason?: string | number | null;
  }[];
  usage?: Usage | null;
  system_fingerprint?: string | null;
  [key: string]: unknown;
}
