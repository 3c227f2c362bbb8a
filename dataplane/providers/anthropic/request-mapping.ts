// Request translation between OpenAI chat and Anthropic Messages. Anthropic rejects unknown fields, so the body
// sent to it is built field by field rather than spread from the client's request.
import type { ChatMessage, ChatRequest, ContentPart, Tool, ToolChoice } from '../../api/openai-chat.js';
import type {
  AnthropicContentBlockParam,
  AnthropicMessageParam,
  AnthropicTool,
  MessagesRequest,
} from '../../api/anthropic-messages.js';
import { GatewayError } from '../../errors/gateway-error.js';
import { requireSingleChoice } from '../single-choice.js';

type Block = Record<string, unknown>;
interface Turn {
  role: 'user' | 'assistant';
  content: Block[];
}
type TextContent = string | { type: 'text'; text: string; [key: string]: unknown }[];
type ToolResultParam = Extract<AnthropicContentBlockParam, { type: 'tool_result' }>;
type ImageParam = Extract<AnthropicContentBlockParam, { type: 'image' }>;
type ToolUseParam = Extract<AnthropicContentBlockParam, { type: 'tool_use' }>;
type TextParam = Extract<AnthropicContentBlockParam, { type: 'text' }>;

// A fresh object each time: callers may mutate the request they get back.
const emptySchema = (): Record<string, unknown> => ({ type: 'object', properties: {} });

// ---- OpenAI chat → Anthropic Messages ----

export function chatToMessagesRequest(
  req: ChatRequest,
  upstreamModel: string,
  defaultMaxTokens: number,
): Record<string, unknown> {
  requireSingleChoice(req, 'Anthropic models');
  const system: Block[] = [];
  const turns: Turn[] = [];
  req.messages.forEach((message, i) => {
    switch (message.role) {
      case 'system':
      case 'developer':
        system.push(...textBlocks(message.content));
        break;
      case 'user':
        pushTurn(turns, 'user', userBlocks(message.content, i));
        break;
      case 'assistant':
        pushTurn(turns, 'assistant', assistantBlocks(message, i));
        break;
      case 'tool':
        pushTurn(turns, 'user', [
          {
            type: 'tool_result',
            tool_use_id: message.tool_call_id,
            content: toolResultContent(message.content),
          },
        ]);
        break;
      case 'function':
        throw new GatewayError(
          'unsupported_operation',
          'The deprecated "function" role is not supported; use tools.',
          {
            param: `messages[${i}].role`,
          },
        );
    }
  });
  // Anthropic wants a user turn's tool_result blocks before any other content of that turn.
  for (const turn of turns) {
    if (turn.role === 'user') {
      turn.content = [
        ...turn.content.filter((b) => b.type === 'tool_result'),
        ...turn.content.filter((b) => b.type !== 'tool_result'),
      ];
    }
  }

  const body: Record<string, unknown> = {
    model: upstreamModel,
    max_tokens: req.max_completion_tokens ?? req.max_tokens ?? defaultMaxTokens,
    messages: turns,
  };
  if (system.length > 0) body.system = system;
  // Anthropic refuses empty and whitespace-only stop sequences (a 400 for the whole request); OpenAI clients
  // often send "\n". They are dropped: the answer may then run past where the client would have stopped it.
  const stop = (typeof req.stop === 'string' ? [req.stop] : (req.stop ?? [])).filter((s) => s.trim() !== '');
  if (stop.length > 0) body.stop_sequences = stop;
  // OpenAI's range is 0–2, Anthropic's 0–1: clamping keeps "deterministic" requests exact and caps the rest.
  if (req.temperature !== undefined && req.temperature !== null)
    body.temperature = Math.min(req.temperature, 1);
  // Recent Claude models reject temperature and top_p together, and OpenAI clients often send top_p: 1 by
  // default: temperature wins.
  if (req.top_p !== undefined && req.top_p !== null && body.temperature === undefined) body.top_p = req.top_p;
  if (req.tools !== undefined && req.tools.length > 0) {
    body.tools = req.tools.map(anthropicTool);
    const choice = anthropicToolChoice(req.tool_choice, req.parallel_tool_calls);
    if (choice !== undefined) body.tool_choice = choice;
  }
  if (req.user !== undefined) body.metadata = { user_id: req.user };
  if (req.stream === true) body.stream = true;
  // response_format, seed, penalties and logprobs have no Anthropic equivalent: left out rather than refused.
  return body;
}

function pushTurn(turns: Turn[], role: Turn['role'], content: Block[]): void {
  if (content.length === 0) return;
  const last = turns.at(-1);
  // Anthropic requires alternating roles, while OpenAI allows runs of the same role.
  if (last !== undefined && last.role === role) last.content.push(...content);
  else turns.push({ role, content });
}

function textBlock(part: { text: string; [key: string]: unknown }): Block {
  // cache_control is Anthropic's own field; OpenAI-shaped clients that target Claude put it on text parts.
  return part.cache_control === undefined || part.cache_control === null
    ? { type: 'text', text: part.text }
    : { type: 'text', text: part.text, cache_control: part.cache_control };
}

function textBlocks(content: TextContent): Block[] {
  // Anthropic rejects empty text blocks.
  if (typeof content === 'string') return content === '' ? [] : [{ type: 'text', text: content }];
  return content.filter((part) => part.text !== '').map(textBlock);
}

function isText(part: { type: string; [key: string]: unknown }): part is { type: 'text'; text: string } {
  return part.type === 'text' && typeof part.text === 'string';
}

function userBlocks(content: string | ContentPart[], i: number): Block[] {
  if (typeof content === 'string') return textBlocks(content);
  const blocks: Block[] = [];
  content.forEach((part, j) => {
    if (isText(part)) {
      if (part.text !== '') blocks.push(textBlock(part));
    } else if (part.type === 'image_url') {
      const url = (part as Extract<ContentPart, { type: 'image_url' }>).image_url.url;
      blocks.push({ type: 'image', source: imageSource(url, `messages[${i}].content[${j}].image_url.url`) });
    } else {
      throw new GatewayError(
        'unsupported_operation',
        `Content parts of type "${part.type}" are not supported.`,
        {
          param: `messages[${i}].content[${j}].type`,
        },
      );
    }
  });
  return blocks;
}

function imageSource(url: string, param: string): Block {
  if (url.startsWith('data:')) {
    const match = /^data:([^;,]+)(?:;[^;,]+)*;base64,(.*)$/s.exec(url);
    if (match === null) {
      throw new GatewayError(
        'invalid_request',
        'Image data URLs must be base64-encoded (data:<type>;base64,...).',
        {
          param,
        },
      );
    }
    // OpenAI accepts the common misspelling image/jpg; Anthropic knows only image/jpeg.
    const mediaType = match[1]!.toLowerCase() === 'image/jpg' ? 'image/jpeg' : match[1]!;
    return { type: 'base64', media_type: mediaType, data: match[2]! };
  }
  if (/^https?:\/\//i.test(url)) return { type: 'url', url };
  throw new GatewayError('invalid_request', 'Image URLs must be http(s) or base64 data URLs.', { param });
}

function assistantBlocks(message: Extract<ChatMessage, { role: 'assistant' }>, i: number): Block[] {
  const blocks: Block[] = [];
  if (typeof message.content === 'string') {
    blocks.push(...textBlocks(message.content));
  } else if (Array.isArray(message.content)) {
    message.content.forEach((part, j) => {
      if (isText(part)) {
        if (part.text !== '') blocks.push(textBlock(part));
      } else if (part.type !== 'refusal') {
        throw new GatewayError(
          'unsupported_operation',
          `Content parts of type "${part.type}" are not supported.`,
          {
            param: `messages[${i}].content[${j}].type`,
          },
        );
      }
    });
  }
  message.tool_calls?.forEach((call, j) => {
    // The dispatch stage refuses custom tool calls for this provider first; this keeps the types honest.
    if (call.type !== 'function') {
      throw new GatewayError('unsupported_operation', 'Claude models take function tool calls only.', {
        param: `messages[${i}].tool_calls[${j}].type`,
      });
    }
    const param = `messages[${i}].tool_calls[${j}].function.arguments`;
    blocks.push({
      type: 'tool_use',
      id: call.id,
      name: call.function.name,
      input: parseArguments(call.function.arguments, param),
    });
  });
  return blocks;
}

function parseArguments(text: string, param: string): Record<string, unknown> {
  // Some clients send "" for a call without arguments; Anthropic wants an object either way.
  if (text.trim() === '') return {};
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new GatewayError('invalid_request', `${param} is not valid JSON.`, { param, cause: error });
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new GatewayError('invalid_request', `${param} must be a JSON object.`, { param });
  }
  return value as Record<string, unknown>;
}

function toolResultContent(content: TextContent): string | Block[] {
  return typeof content === 'string' ? content : textBlocks(content);
}

function anthropicTool(tool: Tool): Block {
  const parameters = tool.function.parameters;
  // OpenAI takes `parameters: {}` for a tool without arguments; Anthropic requires `type: "object"`.
  const schema =
    parameters === undefined
      ? emptySchema()
      : parameters.type === undefined
        ? { ...emptySchema(), ...parameters, type: 'object' }
        : parameters;
  const out: Block = { name: tool.function.name, input_schema: schema };
  if (tool.function.description !== undefined) out.description = tool.function.description;
  return out;
}

function anthropicToolChoice(
  choice: ToolChoice | undefined,
  parallel: boolean | undefined,
): Block | undefined {
  let out: Block;
  if (choice === undefined) {
    if (parallel !== false) return undefined;
    out = { type: 'auto' };
  } else if (choice === 'auto') out = { type: 'auto' };
  else if (choice === 'required') out = { type: 'any' };
  else if (choice === 'none') return { type: 'none' };
  else out = { type: 'tool', name: choice.function.name };
  if (parallel === false) out.disable_parallel_tool_use = true;
  return out;
}

// ---- Anthropic Messages → OpenAI chat ----

/**
 * `completionField`: OpenAI's own API wants `max_completion_tokens` (its reasoning models refuse `max_tokens`);
 * Azure deployments on older API versions and self-hosted servers know `max_tokens`. `topK`: whether the
 * upstream takes `top_k` (self-hosted servers such as vLLM do; OpenAI and Azure refuse parameters they do not
 * know).
 */
export function messagesToChatRequest(
  req: MessagesRequest,
  upstreamModel: string,
  completionField: 'max_tokens' | 'max_completion_tokens' = 'max_tokens',
  topK = false,
): ChatRequest {
  const messages: ChatMessage[] = [];
  if (typeof req.system === 'string') {
    if (req.system !== '') messages.push({ role: 'system', content: req.system });
  } else if (req.system !== undefined && req.system.length > 0) {
    messages.push({
      role: 'system',
      content: req.system.map((b) => ({ type: 'text' as const, text: b.text })),
    });
  }
  req.messages.forEach((message, i) => {
    if (message.role === 'user') messages.push(...userMessages(message.content, i));
    else messages.push(assistantMessage(message.content, i));
  });

  const out: ChatRequest = { model: upstreamModel, messages, [completionField]: req.max_tokens };
  if (req.stop_sequences !== undefined && req.stop_sequences.length > 0) out.stop = req.stop_sequences;
  if (req.temperature !== undefined) out.temperature = req.temperature;
  if (req.top_p !== undefined) out.top_p = req.top_p;
  if (topK && req.top_k !== undefined) out.top_k = req.top_k;
  if (req.tools !== undefined && req.tools.length > 0) {
    out.tools = req.tools.map(openAITool);
    if (req.tool_choice !== undefined) {
      out.tool_choice = openAIToolChoice(req.tool_choice);
      if (req.tool_choice.disable_parallel_tool_use === true) out.parallel_tool_calls = false;
    }
  }
  const userId = req.metadata?.user_id;
  if (typeof userId === 'string') out.user = userId;
  if (req.stream !== undefined) out.stream = req.stream;
  // Usage is always asked for: it is what gets recorded and reported in message_delta.
  if (req.stream === true) out.stream_options = { include_usage: true };
  return out;
}

function userMessages(content: AnthropicMessageParam['content'], i: number): ChatMessage[] {
  if (typeof content === 'string') return [{ role: 'user', content }];
  const out: ChatMessage[] = [];
  const parts: ContentPart[] = [];
  content.forEach((block, j) => {
    switch (block.type) {
      case 'text':
        parts.push({ type: 'text', text: (block as TextParam).text });
        break;
      case 'image':
        parts.push(imagePart(block as ImageParam, `messages[${i}].content[${j}]`));
        break;
      case 'tool_result':
        // OpenAI tool messages carry text only: a result's images follow as user content instead.
        out.push(toolMessage(block as ToolResultParam, parts, `messages[${i}].content[${j}]`));
        break;
      default:
        throw new GatewayError(
          'unsupported_operation',
          `User content blocks of type "${block.type}" are not supported.`,
          {
            param: `messages[${i}].content[${j}].type`,
          },
        );
    }
  });
  if (parts.length === 1 && parts[0]!.type === 'text') {
    out.push({ role: 'user', content: (parts[0] as { text: string }).text });
  } else if (parts.length > 0) {
    out.push({ role: 'user', content: parts });
  }
  return out;
}

/** `param`: the image block's path. */
function imagePart(block: ImageParam, param: string): ContentPart {
  const source = block.source as { type: string; media_type?: unknown; data?: unknown; url?: unknown };
  if (source.type === 'base64') {
    return {
      type: 'image_url',
      image_url: { url: `data:${String(source.media_type)};base64,${String(source.data)}` },
    };
  }
  if (source.type === 'url') return { type: 'image_url', image_url: { url: String(source.url) } };
  // A Files API upload lives at Anthropic: another upstream cannot read it.
  throw new GatewayError(
    'unsupported_operation',
    `Image sources of type "${source.type}" are not supported for this model; send base64 data or a URL.`,
    { param: `${param}.source.type` },
  );
}

/** `param`: the tool_result block's path. */
function toolMessage(block: ToolResultParam, images: ContentPart[], param: string): ChatMessage {
  const texts: { type: 'text'; text: string }[] = [];
  if (typeof block.content === 'string') texts.push({ type: 'text', text: block.content });
  const items = Array.isArray(block.content) ? block.content : [];
  items.forEach((item, k) => {
    if (item.type === 'text') texts.push({ type: 'text', text: (item as TextParam).text });
    else if (item.type === 'image') images.push(imagePart(item as ImageParam, `${param}.content[${k}]`));
    else {
      throw new GatewayError(
        'unsupported_operation',
        `Tool result blocks of type "${item.type}" are not supported for this model.`,
        { param: `${param}.content[${k}].type` },
      );
    }
  });
  // OpenAI's tool messages have no error flag: a failed call says so in its text, or the model reads the
  // error message as the tool's answer.
  if ((block as { is_error?: boolean }).is_error === true) {
    if (texts.length === 0) texts.push({ type: 'text', text: 'Error' });
    else texts[0] = { type: 'text', text: `Error: ${texts[0]!.text}` };
  }
  const content = texts.length === 0 ? '' : texts.length === 1 ? texts[0]!.text : texts;
  return { role: 'tool', tool_call_id: block.tool_use_id, content };
}

function assistantMessage(content: AnthropicMessageParam['content'], i: number): ChatMessage {
  if (typeof content === 'string') return { role: 'assistant', content };
  let text = '';
  const toolCalls: { id: string; type: 'function'; function: { name: string; arguments: string } }[] = [];
  content.forEach((block, j) => {
    switch (block.type) {
      case 'text':
        text += (block as TextParam).text;
        break;
      case 'tool_use': {
        const use = block as ToolUseParam;
        toolCalls.push({
          id: use.id,
          type: 'function',
          function: { name: use.name, arguments: JSON.stringify(use.input ?? {}) },
        });
        break;
      }
      case 'thinking':
      case 'redacted_thinking':
        // Reasoning of another vendor's model means nothing to an OpenAI-shaped upstream.
        break;
      default:
        throw new GatewayError(
          'unsupported_operation',
          `Assistant content blocks of type "${block.type}" are not supported.`,
          { param: `messages[${i}].content[${j}].type` },
        );
    }
  });
  if (toolCalls.length === 0) return { role: 'assistant', content: text };
  return { role: 'assistant', content: text === '' ? null : text, tool_calls: toolCalls };
}

function openAITool(tool: AnthropicTool, i: number): Tool {
  // Typed tools (web_search_…, bash_…, toolsets) run on Anthropic's side and cannot be offered to another
  // upstream. (A client tool always has a name: the schema requires one when the type is not a server's.)
  const name = tool.name;
  if ((tool.type !== undefined && tool.type !== 'custom') || name === undefined) {
    throw new GatewayError(
      'unsupported_operation',
      `Tools of type "${tool.type}" are not supported for this model.`,
      {
        param: `tools[${i}].type`,
      },
    );
  }
  const fn: Tool['function'] = { name, parameters: tool.input_schema ?? emptySchema() };
  if (tool.description !== undefined) fn.description = tool.description;
  return { type: 'function', function: fn };
}

function openAIToolChoice(choice: NonNullable<MessagesRequest['tool_choice']>): ToolChoice {
  switch (choice.type) {
    case 'auto':
      return 'auto';
    case 'any':
      return 'required';
    case 'none':
      return 'none';
    case 'tool':
      if (choice.name === undefined) {
        throw new GatewayError('invalid_request', 'tool_choice of type "tool" needs a name.', {
          param: 'tool_choice.name',
        });
      }
      return { type: 'function', function: { name: choice.name } };
  }
}
