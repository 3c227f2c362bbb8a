// Reads the request body (bounded by the exchange), checks UTF-8 and JSON, and validates it against the
// endpoint's schema. Every failure is a 4xx naming the offending field.
import { isUtf8 } from 'node:buffer';
import type { z } from 'zod';
import { chatRequestSchema } from '../../api/openai-chat.js';
import { countTokensRequestSchema, messagesRequestSchema } from '../../api/anthropic-messages.js';
import { embeddingsRequestSchema } from '../../api/embeddings.js';
import { chatToolChoiceMisfit, messagesToolChoiceMisfit } from '../../api/tool-choice.js';
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
  count_tokens: countTokensRequestSchema,
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
        endpoint !== 'count_tokens' &&
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
      const { model, stream } = document as { model?: unknown; stream?: unknown };
      ctx.claimed = {
        model: typeof model === 'string' ? model : undefined,
        stream: stream === true && (endpoint === 'chat' || endpoint === 'messages'),
      };
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
      const input = { endpoint: dialect, body: result.data } as RequestInput;
      const misfit = toolChoiceMisfit(input);
      if (misfit !== undefined) throw misfit;
      ctx.input = input;
      applyBodyUser(ctx);
      return next();
    },
  };
}

function toolChoiceMisfit(input: RequestInput): GatewayError | undefined {
  switch (input.endpoint) {
    case 'chat':
      return chatToolChoiceMisfit(input.body);
    case 'messages':
    case 'count_tokens':
      return messagesToolChoiceMisfit(input.body);
    case 'embeddings':
      return undefined;
  }
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

type Issue = z.core.$ZodIssue;

const prefixed = (issue: Issue, path: readonly PropertyKey[]): Issue =>
  ({ ...issue, path: [...path, ...issue.path] }) as Issue;

/**
 * Whether an alternative's issue says the value is not that alternative at all, rather than a flawed one:
 * another type, another enum value, or another tag (`type`) of a tagged object.
 */
function misfit(issue: Issue): boolean {
  if (issue.path.length === 0) {
    if (issue.code === 'invalid_type' || issue.code === 'invalid_value') return true;
    return issue.code === 'invalid_union' && !issue.errors.some(fits);
  }
  return (
    issue.path.length === 1 &&
    issue.path[0] === 'type' &&
    (issue.code === 'invalid_value' || issue.code === 'invalid_type' || issue.code === 'custom')
  );
}

const fits = (alternative: readonly Issue[]): boolean => !alternative.some(misfit);

/** What a union's value may be, when it is none of its alternatives: `string or array`, `"none", "auto" or object`. */
function expectedOf(union: Extract<Issue, { code: 'invalid_union' }>): string {
  const options: string[] = [];
  const tags: string[] = [];
  const add = (list: string[], value: string) => {
    if (!list.includes(value)) list.push(value);
  };
  // A union among the alternatives (`z.union([z.union([...]), ...])`) offers its own alternatives.
  const alternatives = (u: Extract<Issue, { code: 'invalid_union' }>): Issue[][] =>
    u.errors.flatMap((a) => {
      const nested =
        a.length === 1 && a[0]!.path.length === 0 && a[0]!.code === 'invalid_union' ? a[0] : undefined;
      return nested === undefined ? [a] : alternatives(nested);
    });
  for (const alternative of alternatives(union)) {
    for (const issue of alternative) {
      if (issue.path.length === 0 && issue.code === 'invalid_type') add(options, issue.expected);
      else if (issue.path.length === 0 && issue.code === 'invalid_value')
        for (const value of issue.values) add(options, JSON.stringify(value));
      else if (issue.path.length === 1 && issue.path[0] === 'type' && issue.code === 'invalid_value')
        for (const value of issue.values) add(tags, JSON.stringify(value));
    }
  }
  if (tags.length > 0) add(options, `an object whose type is ${orList(tags)}`);
  return options.length === 0 ? 'Invalid input' : `expected ${orList(options)}`;
}

const orList = (items: readonly string[]): string =>
  items.length <= 1 ? (items[0] ?? '') : `${items.slice(0, -1).join(', ')} or ${items.at(-1)!}`;

/**
 * The issue to report. Inside a union, the most specific issue of the alternative the value was meant to be
 * (a text part without its text is a missing `text`, not a wrong `type`); when it is none of them, what it
 * may be.
 */
function explain(issue: Issue): Issue {
  // A discriminated union whose tag matched no option reports no alternatives: zod's own message lists them.
  if (issue.code !== 'invalid_union' || issue.errors.length === 0) return issue;
  let best: Issue | undefined;
  for (const alternative of issue.errors.filter(fits)) {
    for (const inner of alternative) {
      const candidate = explain(prefixed(inner, issue.path));
      if (best === undefined || candidate.path.length > best.path.length) best = candidate;
    }
  }
  return (
    best ?? ({ code: 'custom', path: issue.path, message: expectedOf(issue), input: undefined } as Issue)
  );
}

function validationError(issues: readonly Issue[], document: unknown): GatewayError {
  const issue = issues[0]!;
  const deepest = explain(issue);
  const param = paramPath(deepest.path);
  let message: string;
  if (issue.code === 'unrecognized_keys') message = `Unrecognized parameter: '${issue.keys.join("', '")}'.`;
  else if (
    (deepest.code === 'invalid_type' && /received undefined/.test(deepest.message)) ||
    // A union (embeddings' input, an image block's source) reports a missing value as what it may be.
    (deepest.path.length > 0 && valueAt(document, deepest.path) === undefined)
  ) {
    message = `Missing required parameter: '${param}'.`;
  } else message = `Invalid value for '${param || 'body'}': ${deepest.message.replace(/\.$/, '')}.`;
  return new GatewayError('invalid_request', message, { param: param || null });
}
