// The prompt texts of a request, with their locations, in one pass over OpenAI chat or Anthropic Messages.
// PII and injection scanning read these; token counting reads the structured body itself.
import type { AnalysisEndpoint, TextSegment } from './types.js';

type Json = Record<string, unknown>;

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function pushContent(out: TextSegment[], message: number, role: string, content: unknown): void {
  if (typeof content === 'string') {
    if (content !== '') out.push({ message, part: null, role, text: content });
    return;
  }
  if (!Array.isArray(content)) return;
  content.forEach((part: unknown, index) => {
    if (!isObject(part)) return;
    if (typeof part.text === 'string' && part.text !== '')
      out.push({ message, part: index, role, text: part.text });
    // Anthropic tool results nest their own content blocks.
    else if (part.type === 'tool_result') pushContent(out, message, 'tool', part.content);
    // Anthropic tool calls carry their arguments as an object: scanned as OpenAI's argument strings are.
    else if (part.type === 'tool_use' && part.input !== undefined) {
      const text = JSON.stringify(part.input);
      if (text !== '{}') out.push({ message, part: index, role: 'tool_call', text });
    }
    // Anthropic documents: plain text, or content blocks of their own (base64 PDFs are not read). Like tool
    // results, a document is third-party text: its instructions are indirect injection.
    else if (part.type === 'document' && isObject(part.source)) {
      const source = part.source;
      if (source.type === 'text' && typeof source.data === 'string' && source.data !== '')
        out.push({ message, part: index, role: 'document', text: source.data });
      else if (source.type === 'content') pushContent(out, message, 'document', source.content);
    }
  });
}

export function extractSegments(endpoint: AnalysisEndpoint, body: unknown): TextSegment[] {
  const out: TextSegment[] = [];
  if (!isObject(body)) return out;
  if (endpoint === 'messages') pushContent(out, -1, 'system', body.system);
  const messages = Array.isArray(body.messages) ? body.messages : [];
  messages.forEach((message: unknown, index) => {
    if (!isObject(message)) return;
    const role = typeof message.role === 'string' ? message.role : 'user';
    pushContent(out, index, role, message.content);
    if (Array.isArray(message.tool_calls)) {
      for (const call of message.tool_calls as unknown[]) {
        const fn = isObject(call) && isObject(call.function) ? call.function : undefined;
        if (fn !== undefined && typeof fn.arguments === 'string' && fn.arguments !== '') {
          out.push({ message: index, part: null, role: 'tool_call', text: fn.arguments });
        }
      }
    }
  });
  return out;
}
