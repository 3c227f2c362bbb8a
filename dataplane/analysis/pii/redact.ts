// Redaction of findings in a text and the way back. Placeholders (`[EMAIL_1]`) and hashes (`[EMAIL_3F9A…]`)
// are consistent within a request: the state carries value→placeholder and placeholder→value maps, kept
// only in memory, so every segment of one request maps a value the same way and `restore` can put the
// values back into the model's answer. Mask style (`***-**-1234`) is one-way and records nothing.
import { createHmac, randomBytes } from 'node:crypto';

export type RedactionStyle = 'placeholder' | 'mask' | 'hash';

export interface RedactableFinding {
  readonly type: string;
  readonly subtype?: string;
  readonly start: number;
  readonly end: number;
}

export interface RedactionState {
  /** `${label}\u0000${value}` → placeholder. */
  readonly placeholders: ReadonlyMap<string, string>;
  /** placeholder → original value, for `restore`. */
  readonly values: ReadonlyMap<string, string>;
  /** Last number handed out per label. */
  readonly counters: ReadonlyMap<string, number>;
  /**
   * Placeholder-shaped text the request itself contains (a user who writes `[EMAIL_1]`): never handed out, so
   * a redacted value and the user's literal cannot share a placeholder, and restore() leaves the literal as
   * written.
   */
  readonly literals: ReadonlySet<string>;
  /** Per-request HMAC key for hash style: equal values hash alike within the request, not across requests. */
  readonly salt: string;
}

const LABELS: Readonly<Record<string, string>> = {
  EMAIL_ADDRESS: 'EMAIL',
  PHONE_NUMBER: 'PHONE',
  CREDIT_CARD: 'CREDIT_CARD',
  IBAN_CODE: 'IBAN',
  US_SSN: 'US_SSN',
  IP_ADDRESS: 'IP_ADDRESS',
  SECRET: 'SECRET',
};

/** Hash placeholders carry 10 hex digits (40 bits): collisions within one request are negligible. */
const HASH_HEX = 10;

export function createRedactionState(): RedactionState {
  return {
    placeholders: new Map(),
    values: new Map(),
    counters: new Map(),
    literals: new Set(),
    salt: randomBytes(16).toString('hex'),
  };
}

/** What restore() reads as a placeholder, and what a text must not already contain to be handed out as one. */
const PLACEHOLDER_SHAPE = /\[[A-Z][A-Z0-9_]{0,80}\]/g;

function addLiterals(into: Set<string>, text: string): void {
  if (!text.includes('[')) return;
  for (const m of text.matchAll(PLACEHOLDER_SHAPE)) into.add(m[0]);
}

/**
 * Registers the placeholder-shaped text of every part of a request (both bodies, all messages) before any of
 * it is redacted. redact() also registers its own text, but a literal in a later segment would come too late
 * for a placeholder an earlier one already handed out.
 */
export function reserveLiterals(state: RedactionState, ...texts: readonly string[]): RedactionState {
  const literals = new Set(state.literals);
  for (const text of texts) addLiterals(literals, text);
  if (literals.size === state.literals.size) return state;
  return { ...state, literals };
}

function labelOf(type: string): string {
  return (
    LABELS[type] ??
    (type
      .toUpperCase()
      .replace(/[^A-Z0-9]+/g, '_')
      .replace(/^_+|_+$/g, '') ||
      'PII')
  );
}

function mask(value: string, type: string): string {
  // A secret's length and shape would help guess it, so it becomes a fixed-width mask.
  if (type === 'SECRET') return '********';
  const chars = Array.from(value);
  // Cards and IBANs keep their last four characters, as on receipts, so users can tell accounts apart.
  let keep = type === 'CREDIT_CARD' || type === 'IBAN_CODE' ? 4 : 0;
  for (let i = chars.length - 1; i >= 0; i--) {
    if (!/[\p{L}\p{N}]/u.test(chars[i]!)) continue;
    if (keep > 0) keep--;
    else chars[i] = '*';
  }
  return chars.join('');
}

interface MutableState {
  placeholders: Map<string, string>;
  values: Map<string, string>;
  counters: Map<string, number>;
  literals: Set<string>;
  salt: string;
}

/**
 * What makes two spellings the same value, so they share a placeholder: case for e-mail addresses, IPs and
 * IBANs; spaces, dashes, dots and brackets for numbers (4111 1111… and 4111-1111… are one card). restore()
 * gives back the first spelling seen.
 */
function identityOf(label: string, value: string): string {
  switch (label) {
    case 'EMAIL':
    case 'IP_ADDRESS':
      return value.toLowerCase();
    case 'IBAN':
      return value.replace(/\s+/g, '').toUpperCase();
    case 'CREDIT_CARD':
    case 'PHONE':
    case 'US_SSN':
      return value.replace(/[\s().-]+/g, '');
    default:
      return value;
  }
}

function placeholderFor(
  state: MutableState,
  label: string,
  value: string,
  style: 'placeholder' | 'hash',
): string {
  const key = `${label}\u0000${identityOf(label, value)}`;
  const known = state.placeholders.get(key);
  if (known !== undefined) return known;
  let placeholder: string;
  if (style === 'hash') {
    const digest = createHmac('sha256', state.salt).update(key).digest('hex').toUpperCase();
    let length = HASH_HEX;
    placeholder = `[${label}_${digest.slice(0, length)}]`;
    // On the off chance two values share a prefix (or the text already holds it), lengthen this one's hash.
    while ((state.values.has(placeholder) || state.literals.has(placeholder)) && length < digest.length) {
      length += 4;
      placeholder = `[${label}_${digest.slice(0, length)}]`;
    }
  } else {
    let n = state.counters.get(label) ?? 0;
    do {
      n += 1;
      placeholder = `[${label}_${n}]`;
    } while (state.literals.has(placeholder));
    state.counters.set(label, n);
  }
  state.placeholders.set(key, placeholder);
  state.values.set(placeholder, value);
  return placeholder;
}

/**
 * Replaces each finding's span of `text`. Overlapping or out-of-range findings are skipped (the first by
 * position wins, then the longer). Returns the redacted text and the updated state; the state passed in
 * is not modified, so a failed step leaves the request's earlier state intact.
 */
export function redact(
  text: string,
  findings: readonly RedactableFinding[],
  style: RedactionStyle,
  state: RedactionState = createRedactionState(),
): { text: string; state: RedactionState } {
  const next: MutableState = {
    placeholders: new Map(state.placeholders),
    values: new Map(state.values),
    counters: new Map(state.counters),
    literals: new Set(state.literals),
    salt: state.salt,
  };
  if (style !== 'mask') addLiterals(next.literals, text);
  const spans = findings
    .filter((f) => Number.isInteger(f.start) && Number.isInteger(f.end) && f.start >= 0 && f.end > f.start)
    .filter((f) => f.end <= text.length)
    .sort((a, b) => a.start - b.start || b.end - a.end);
  const parts: string[] = [];
  let cursor = 0;
  for (const f of spans) {
    if (f.start < cursor) continue;
    const value = text.slice(f.start, f.end);
    parts.push(text.slice(cursor, f.start));
    parts.push(style === 'mask' ? mask(value, f.type) : placeholderFor(next, labelOf(f.type), value, style));
    cursor = f.end;
  }
  parts.push(text.slice(cursor));
  return { text: parts.join(''), state: next };
}

/** Puts the original values back wherever the model repeated a placeholder of this request. */
export function restore(text: string, state: RedactionState): string {
  if (state.values.size === 0) return text;
  return text.replace(PLACEHOLDER_SHAPE, (placeholder) => state.values.get(placeholder) ?? placeholder);
}
