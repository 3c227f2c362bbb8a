// Request-level features: which text is the task (the latest user message) and which is context, tool
// definitions and results, conversation depth, and structured-output demands.
import type { AnalysisRequest, TextSegment } from '../types.js';

export interface RequestFeatures {
  /** The latest user message: what is being asked now. */
  readonly focus: string;
  /** Everything else the model must take into account: system prompt, earlier turns, tool results. */
  readonly context: string;
  readonly tools: number;
  readonly toolResults: number;
  readonly turns: number;
  readonly userTurns: number;
  readonly structuredOutput: boolean;
}

// Text beyond this is not read for features: counts saturate long before, and time must stay bounded.
const MAX_FOCUS_CHARS = 262_144;
const MAX_CONTEXT_CHARS = 262_144;

type Json = Record<string, unknown>;

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function join(parts: readonly string[], max: number): string {
  let out = '';
  for (const part of parts) {
    if (out.length >= max) break;
    out += (out === '' ? '' : '\n\n') + part.slice(0, max - out.length);
  }
  return out;
}

export function requestFeatures(request: AnalysisRequest, segments: readonly TextSegment[]): RequestFeatures {
  const body = isObject(request.body) ? request.body : {};
  const messages = Array.isArray(body.messages) ? (body.messages as unknown[]) : [];
  let focusMessage = -2;
  for (const segment of segments)
    if (segment.role === 'user') focusMessage = Math.max(focusMessage, segment.message);
  const focus: string[] = [];
  const context: string[] = [];
  let toolResults = 0;
  for (const segment of segments) {
    if (segment.role === 'tool' || segment.role === 'function') toolResults += 1;
    // Tool-call arguments are the model's own output, not part of the task.
    if (segment.role === 'tool_call') continue;
    if (segment.role === 'user' && segment.message === focusMessage) focus.push(segment.text);
    else context.push(segment.text);
  }
  const format = isObject(body.response_format) ? body.response_format.type : undefined;
  return {
    focus: join(focus, MAX_FOCUS_CHARS),
    context: join(context, MAX_CONTEXT_CHARS),
    tools: Array.isArray(body.tools) ? body.tools.length : 0,
    toolResults,
    turns: messages.length,
    userTurns: messages.filter((m) => isObject(m) && m.role === 'user').length,
    structuredOutput: format === 'json_schema' || format === 'json_object',
  };
}
