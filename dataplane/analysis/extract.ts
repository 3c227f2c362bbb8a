// The prompt texts of a request, with their locations, in one pass over OpenAI chat or Anthropic Messages.
// PII and injection scanning read these; token counting reads the structured body itself. The other text a
// provider receives (tool definitions, structured-output schemas, participant names) is extracted apart: it is
// scanned for PII and secrets, but it is the application's own text, so injection scoring and complexity
// leave it out, as they leave out the system prompt.
import type { AnalysisEndpoint, TextSegment } from './types.js';

type Json = Record<string, unknown>;

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * `part` is the block's index in the message's own content (blocks nested in a tool result or a document
 * keep their outer block's index); `path` (a JSON pointer) names the exact string a span is an offset into.
 */
function pushContent(
  out: TextSegment[],
  message: number,
  role: string,
  content: unknown,
  path: string,
  outerPart?: number,
): void {
  if (typeof content === 'string') {
    if (content !== '') out.push({ message, part: outerPart ?? null, role, text: content, path });
    return;
  }
  if (!Array.isArray(content)) return;
  content.forEach((block: unknown, index) => {
    if (!isObject(block)) return;
    const part = outerPart ?? index;
    const at = `${path}/${index}`;
    if (typeof block.text === 'string' && block.text !== '')
      out.push({ message, part, role, text: block.text, path: `${at}/text` });
    // Anthropic tool results nest their own content blocks.
    else if (block.type === 'tool_result')
      pushContent(out, message, 'tool', block.content, `${at}/content`, part);
    // Anthropic tool calls carry their arguments as an object, scanned as OpenAI's argument strings are: the
    // spans of this segment are offsets into the input serialised as compact JSON (JSON.stringify).
    else if (block.type === 'tool_use' && block.input !== undefined) {
      const text = JSON.stringify(block.input);
      if (text !== '{}')
        out.push({ message, part, role: 'tool_call', text, path: `${at}/input`, json: true });
    }
    // Anthropic documents: plain text, or content blocks of their own (base64 PDFs are not read). Like tool
    // results, a document is third-party text: its instructions are indirect injection.
    else if (block.type === 'document' && isObject(block.source)) {
      const source = block.source;
      // The title and context are sent to the model with the document (an e-mail in a title is PII too).
      for (const field of ['title', 'context'] as const) {
        const value = block[field];
        if (typeof value === 'string' && value !== '')
          out.push({ message, part, role: 'document', text: value, path: `${at}/${field}` });
      }
      if (source.type === 'text' && typeof source.data === 'string' && source.data !== '')
        out.push({ message, part, role: 'document', text: source.data, path: `${at}/source/data` });
      else if (source.type === 'content')
        pushContent(out, message, 'document', source.content, `${at}/source/content`, part);
    }
  });
}

export function extractSegments(endpoint: AnalysisEndpoint, body: unknown): TextSegment[] {
  const out: TextSegment[] = [];
  if (!isObject(body)) return out;
  if (endpoint === 'messages') pushContent(out, -1, 'system', body.system, '/system');
  const messages = Array.isArray(body.messages) ? body.messages : [];
  messages.forEach((message: unknown, index) => {
    if (!isObject(message)) return;
    const role = typeof message.role === 'string' ? message.role : 'user';
    pushContent(out, index, role, message.content, `/messages/${index}/content`);
    if (Array.isArray(message.tool_calls)) {
      (message.tool_calls as unknown[]).forEach((call, c) => {
        // A custom tool's call carries free-form text, read like a function call's arguments (not as JSON).
        const custom = isObject(call) && isObject(call.custom) ? call.custom : undefined;
        if (custom !== undefined && typeof custom.input === 'string' && custom.input !== '') {
          out.push({
            message: index,
            part: null,
            role: 'tool_call',
            text: custom.input,
            path: `/messages/${index}/tool_calls/${c}/custom/input`,
          });
        }
        const fn = isObject(call) && isObject(call.function) ? call.function : undefined;
        if (fn !== undefined && typeof fn.arguments === 'string' && fn.arguments !== '') {
          out.push({
            message: index,
            part: null,
            role: 'tool_call',
            text: fn.arguments,
            path: `/messages/${index}/tool_calls/${c}/function/arguments`,
            json: true,
          });
        }
      });
    }
  });
  return out;
}

/**
 * The request's text outside message content, for the PII and secret scan only: tool and function definitions
 * and structured-output schemas (each as its compact JSON, like a tool use's input: a key pasted into a tool
 * description reaches the provider as surely as one in a prompt), and messages' `name` fields. Their findings
 * carry `message: -1` except names (their message's index); `path` says exactly where.
 */
export function extractDefinitionSegments(endpoint: AnalysisEndpoint, body: unknown): TextSegment[] {
  const out: TextSegment[] = [];
  if (!isObject(body)) return out;
  const pushJson = (value: unknown, path: string, role: string): void => {
    if (value === undefined || value === null) return;
    const text = JSON.stringify(value);
    if (text !== undefined && text !== '{}' && text !== '[]')
      out.push({ message: -1, part: null, role, text, path, json: true });
  };
  const each = (list: unknown, key: string): void => {
    if (Array.isArray(list)) list.forEach((item, i) => pushJson(item, `/${key}/${i}`, 'definition'));
  };
  each(body.tools, 'tools');
  if (endpoint === 'chat') {
    each(body.functions, 'functions');
    if (isObject(body.response_format)) pushJson(body.response_format, '/response_format', 'definition');
  } else if (isObject(body.output_format)) pushJson(body.output_format, '/output_format', 'definition');
  const messages = Array.isArray(body.messages) ? body.messages : [];
  messages.forEach((message: unknown, index) => {
    if (isObject(message) && typeof message.name === 'string' && message.name !== '')
      out.push({
        message: index,
        part: null,
        role: 'name',
        text: message.name,
        path: `/messages/${index}/name`,
      });
  });
  return out;
}

/**
 * Whether a finding's path is in the application's definitions (what extractDefinitionSegments reads besides
 * names): the same for every user of the app, unlike the conversation.
 */
export function isDefinitionPath(path: string): boolean {
  return DEFINITION_PATH.test(path);
}
const DEFINITION_PATH = /^\/(?:tools|functions|response_format|output_format)(?:\/|$)/;

/** An embeddings request's texts (token arrays have none to read), at `/input` or `/input/<index>`. */
export function extractEmbeddingSegments(body: unknown): TextSegment[] {
  const input = isObject(body) ? body.input : undefined;
  const segment = (text: string, path: string): TextSegment => ({
    message: -1,
    part: null,
    role: 'user',
    text,
    path,
  });
  if (typeof input === 'string') return input === '' ? [] : [segment(input, '/input')];
  if (!Array.isArray(input)) return [];
  const out: TextSegment[] = [];
  input.forEach((item, i) => {
    if (typeof item === 'string' && item !== '') out.push(segment(item, `/input/${i}`));
  });
  return out;
}
