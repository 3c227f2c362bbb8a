// Reads the request body (bounded by the exchange), checks UTF-8 and JSON, and validates it against the
// endpoint's schema. Every failure is a 4xx naming the offending field.
import { isUtf8 } from 'node:buffer';
import type { z } from 'zod';
import { chatRequestSchema } from '../../api/openai-chat.js';
import { messagesRequestSchema } from '../../api/anthropic-messages.js';
import { embeddingsRequestSchema } from '../../api/embeddings.js';
import { GatewayError } from '../../errors/gateway-error.js';
import type { Stage } from '../compose.js';
import type { RequestInput } from '../context.js';
import { applyBodyUser } from './auth.js';

/**
 * Deepest nesting of arrays and objects accepted. JSON.parse copes with thousands of levels, but structured
 * clone (the hand-off to the analysis worker) and recursive code after it overflow the stack at a few
 * thousand: a 10 KB body of brackets must be a 400, not a 500. Real bodies, tool schemas included, stay
 * far below 100.
 */
export const MAX_JSON_DEPTH = 100;

/** Whether arrays and objects nest deeper than `levels` below (and including) `value`. */
export function nestedDeeperThan(value: unknown, levels: number): boolean {
  if (typeof value !== 'object' || value === null) return false;
  if (levels === 0) return true;
  if (Array.isArray(value)) {
    for (const item of value) if (nestedDeeperThan(item, levels - 1)) return true;
    return false;
  }
  for (const key in value) {
    if (nestedDeeperThan((value as Record<string, unknown>)[key], levels - 1)) return true;
  }
  return false;
}

const schemas = {
  chat: chatRequestSchema,
  messages: messagesRequestSchema,
  embeddings: embeddingsRequestSchema,
} as const;

export function parseStage(): Stage {
  return {
    name: 'parse',
    async run(ctx, next) {
      const endpoint = ctx.endpoint;
      if (
        endpoint !== 'chat' &&
        endpoint !== 'messages' &&
        endpoint !== 'embeddings' &&
        endpoint !== 'analyze'
      ) {
        return next();
      }
      const raw = await ctx.exchange.body();
      // Read whole first, so that the connection stays usable after the refusal.
      const encoding = ctx.headers['content-encoding']?.trim().toLowerCase();
      if (encoding !== undefined && encoding !== '' && encoding !== 'identity') {
        throw new GatewayError(
          'unsupported_encoding',
          `Content-Encoding '${encoding.slice(0, 40)}' is not accepted; send the JSON body uncompressed.`,
          { headers: { 'accept-encoding': 'identity' } },
        );
      }
      if (raw.length === 0)
        throw new GatewayError('invalid_request', 'The request body is empty; send a JSON object.');
      if (!isUtf8(raw)) throw new GatewayError('invalid_utf8');
      let document: unknown;
      try {
        document = JSON.parse(raw.toString('utf8'));
      } catch (error) {
        throw new GatewayError('invalid_json', `Request body is not valid JSON: ${(error as Error).message}`);
      }
      if (document === null || typeof document !== 'object' || Array.isArray(document)) {
        throw new GatewayError('invalid_request', 'The request body must be a JSON object.');
      }
      if (nestedDeeperThan(document, MAX_JSON_DEPTH)) {
        throw new GatewayError(
          'invalid_request',
          `The request body nests arrays and objects more than ${MAX_JSON_DEPTH} levels deep.`,
        );
      }
      // /v1/analyze takes either dialect: Anthropic's when asked (?format=anthropic or an anthropic-version
      // header) or when the body has Anthropic's top-level `system`.
      const dialect =
        endpoint !== 'analyze'
          ? endpoint
          : ctx.path.includes('format=anthropic') ||
              ctx.headers['anthropic-version'] !== undefined ||
              'system' in document
            ? 'messages'
            : 'chat';
      const result = schemas[dialect].safeParse(document);
      if (!result.success) throw validationError(result.error.issues, document);
      ctx.input = { endpoint: dialect, body: result.data } as RequestInput;
      applyBodyUser(ctx);
      return next();
    },
  };
}

/** OpenAI's parameter notation: messages[0].content */
export function paramPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const key of path)
    out += typeof key === 'number' ? `[${key}]` : out === '' ? String(key) : `.${String(key)}`;
  return out;
}

function valueAt(document: unknown, path: readonly PropertyKey[]): unknown {
  let value = document;
  for (const key of path) {
    if (value === null || typeof value !== 'object') return undefined;
    value = (value as Record<PropertyKey, unknown>)[key];
  }
  return value;
}

function validationError(issues: readonly z.core.$ZodIssue[], document: unknown): GatewayError {
  const issue = issues[0]!;
  // The most specific issue inside a union is the useful one ("expected string" rather than "invalid input").
  let deepest: z.core.$ZodIssue = issue;
  if (issue.code === 'invalid_union') {
    for (const branch of issue.errors) {
      for (const inner of branch)
        if (inner.path.length + issue.path.length > deepest.path.length) {
          deepest = { ...inner, path: [...issue.path, ...inner.path] };
        }
    }
  }
  const param = paramPath(deepest.path);
  let message: string;
  if (issue.code === 'unrecognized_keys') message = `Unrecognized parameter: '${issue.keys.join("', '")}'.`;
  else if (
    (deepest.code === 'invalid_type' && /received undefined/.test(deepest.message)) ||
    // A union (embeddings' input) reports a missing value as "invalid input" of the whole union.
    (issue.code === 'invalid_union' && valueAt(document, issue.path) === undefined)
  ) {
    message = `Missing required parameter: '${param}'.`;
  } else message = `Invalid value for '${param || 'body'}': ${deepest.message}.`;
  return new GatewayError('invalid_request', message, { param: param || null });
}
