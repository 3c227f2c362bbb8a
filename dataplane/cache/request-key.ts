// What identifies a request for the cache. The exact key hashes the canonical request: every field that can
// change the answer, with object keys sorted so that field order does not matter. The semantic split keeps
// the last user turn apart (the text that is embedded) and hashes everything else that conditions the answer
// (system prompt, earlier turns, tools, parameters, model) into a fingerprint: two requests can only match
// semantically when their fingerprints are equal.
import { createHash } from 'node:crypto';
import type { CacheableEndpoint } from './answer.js';

/**
 * Fields that change how the answer is delivered or attributed, never what it says. `stream` is among them:
 * streamed and plain requests share entries (replay.ts turns one into the other).
 */
const DELIVERY_FIELDS: Readonly<Record<CacheableEndpoint, ReadonlySet<string>>> = {
  chat: new Set([
    'model',
    'stream',
    'stream_options',
    'user',
    'metadata',
    'store',
    'service_tier',
    'safety_identifier',
    'prompt_cache_key',
    'prompt_cache_retention',
  ]),
  messages: new Set(['model', 'stream', 'metadata', 'service_tier']),
};

export interface RequestKeys {
  /** Hash of the canonical request (hex). */
  readonly exact: string;
  /** The last user turn's text and the hash of everything else; absent when the request has no such turn. */
  readonly semantic?: { readonly text: string; readonly fingerprint: string };
}

type Body = Readonly<Record<string, unknown>>;

/** `modelId` is the routed model (aliases of one model share entries), not the raw body field. */
export function requestKeys(endpoint: CacheableEndpoint, modelId: string, body: Body): RequestKeys {
  const skip = DELIVERY_FIELDS[endpoint];
  const kept: Record<string, unknown> = {};
  for (const key of Object.keys(body)) if (!skip.has(key) && body[key] !== undefined) kept[key] = body[key];
  // n = 1 (or null) is what an absent n means, and the only n the policy caches: one entry for all three.
  if (kept.n === 1 || kept.n === null) delete kept.n;
  const exact = hash(endpoint, modelId, canonicalJson(kept));
  const last = lastUserTurn(body);
  if (last === undefined) return { exact };
  const { messages, turn, text } = last;
  // The fingerprint is the request with the last turn's text taken out: its role, position and every other
  // field (the OpenAI `name` of who is speaking changes the answer) stay.
  const context = { ...kept, messages: [...messages.slice(0, -1), { ...turn, content: null }] };
  return { exact, semantic: { text, fingerprint: hash(endpoint, modelId, canonicalJson(context)) } };
}

/** The text the semantic layer embeds for this body (its last turn's, if a user's text), without any hashing. */
export function semanticText(body: Body): string | undefined {
  return lastUserTurn(body)?.text;
}

function lastUserTurn(body: Body): { messages: unknown[]; turn: object; text: string } | undefined {
  const messages = body.messages;
  if (!Array.isArray(messages) || messages.length === 0) return undefined;
  const turn = messages[messages.length - 1] as { role?: unknown; content?: unknown } | null;
  if (turn === null || typeof turn !== 'object' || turn.role !== 'user') return undefined;
  const text = userText(turn.content);
  if (text === undefined || text.trim() === '') return undefined;
  return { messages, turn, text };
}

/**
 * The text of a user turn, or undefined when the turn carries anything but text (an image, a tool result,
 * a file): those change the answer in ways an embedding of the words cannot see.
 */
function userText(content: unknown): string | undefined {
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) return undefined;
  const parts: string[] = [];
  for (const part of content as unknown[]) {
    const p = part as { type?: unknown; text?: unknown } | null;
    if (p === null || typeof p !== 'object' || p.type !== 'text' || typeof p.text !== 'string')
      return undefined;
    // Anthropic's cache_control and similar annotations do not change the meaning; only the text counts.
    parts.push(p.text);
  }
  return parts.join('\n');
}

function hash(endpoint: string, modelId: string, json: string): string {
  return createHash('sha256')
    .update(endpoint)
    .update('\0')
    .update(modelId)
    .update('\0')
    .update(json)
    .digest('hex');
}

/** JSON with object keys sorted at every depth; arrays keep their order (message order is meaning). */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  if (Array.isArray(value))
    return `[${value.map((v) => canonicalJson(v === undefined ? null : v)).join(',')}]`;
  const record = value as Record<string, unknown>;
  const keys = Object.keys(record)
    .filter((k) => record[k] !== undefined)
    .sort();
  return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson(record[k])}`).join(',')}}`;
}
