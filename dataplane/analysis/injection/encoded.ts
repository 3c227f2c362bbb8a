// Encoded and hidden payloads: base64/hex/escape/URL-encoded blocks, ROT13 and reversed text, Unicode tag
// characters, regional-indicator spelling, invisible and bidi controls. Decoded text is re-scanned for cues.
import type { CueHit, Cue } from './cue.js';
import type { PreparedText } from './prepare.js';

/** Re-scans decoded text with the instruction cues; supplied by the heuristic source. */
export type InnerScan = (decoded: string) => CueHit[];

/** Which substrings occur in the segment's `norm` (found by the anchor scan, see ENCODED_TOKENS). */
export interface TokenSet {
  has(token: string): boolean;
}

export const ENCODED_CUES: readonly Cue[] = [
  {
    id: 'encoded_decode_and_follow',
    signal: 'encoded_payload',
    pattern:
      /\b(?:decode|decipher|decrypt|translate|convert|unscramble|reverse)\b[^.\n]{0,60}\b(?:base ?64|base ?32|b64|hex|hexadecimal|rot ?-?13|binary|morse|caesar|cipher|encoded|reversed|backwards)\b[^.\n]{0,80}\b(?:follow|execute|obey|perform|carry out|act on|do what|do as|comply)/,
    weight: 0.45,
    gate: ['decode', 'decipher', 'decrypt', 'translate', 'convert', 'unscramble', 'reverse'],
  },
];

// Budgets that keep a 1 MB segment bounded: candidates per kind, bytes per candidate, text for ROT13/reversal.
const MAX_CANDIDATES = 48;
const MAX_CANDIDATE_CHARS = 16_384;
const MAX_TRANSFORM_CHARS = 262_144;

/** Decoded bytes read as prose (not binary, not an image): mostly printable with letters and spaces. */
export function isReadable(text: string): boolean {
  if (text.length < 8) return false;
  let printable = 0;
  let letters = 0;
  let spaces = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x20) spaces += 1;
    if ((c >= 0x20 && c < 0x7f) || c === 0x0a || c === 0x09 || (c >= 0xa0 && c !== 0xfffd)) printable += 1;
    if ((c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a) || (c >= 0xc0 && c !== 0xfffd)) letters += 1;
  }
  return printable / text.length >= 0.92 && letters / text.length >= 0.5 && spaces >= 1;
}

function decodeHexPairs(digits: string): string {
  return Buffer.from(digits, 'hex').toString('utf8');
}

function* candidates(text: string, pattern: RegExp): Generator<string> {
  let n = 0;
  // matchAll clones the regex, so the caller's pattern object keeps no lastIndex state.
  for (const match of text.matchAll(pattern)) {
    yield match[0].slice(0, MAX_CANDIDATE_CHARS);
    n += 1;
    if (n >= MAX_CANDIDATES) return;
  }
}

// Character classes of the run scans, one bit each, for codes below 128: the base64 alphabet, and hex
// digits with the separators the hex scanner allows between pairs. A lookup table, read-only after this.
const BASE64 = 1;
const HEX = 2;
const CLASSES: Uint8Array = (() => {
  const table = new Uint8Array(128);
  for (const ch of 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/_-')
    table[ch.charCodeAt(0)]! |= BASE64;
  for (const ch of '0123456789abcdefABCDEF :,-') table[ch.charCodeAt(0)]! |= HEX;
  return table;
})();

/**
 * Whether `text` has `length` consecutive characters of a class (a bit of CLASSES). Only every `length`-th
 * character is looked at (any such run contains one of them), then the run around it is measured: far
 * cheaper than a regex that tries every position of ordinary prose.
 */
export function hasRun(text: string, kind: number, length: number): boolean {
  const n = text.length;
  for (let p = length - 1; p < n; p += length) {
    const c = text.charCodeAt(p);
    if (c >= 128 || (CLASSES[c]! & kind) === 0) continue;
    let start = p;
    for (let d = text.charCodeAt(start - 1); start > 0 && d < 128 && (CLASSES[d]! & kind) !== 0;) {
      start--;
      d = text.charCodeAt(start - 1);
    }
    let end = p;
    for (let d = text.charCodeAt(end + 1); end + 1 < n && d < 128 && (CLASSES[d]! & kind) !== 0;) {
      end++;
      d = text.charCodeAt(end + 1);
    }
    if (end - start + 1 >= length) return true;
    // The next run of `length` must start after `end + 1`, so it contains `end + length`.
    p = end;
  }
  return false;
}

// The block kinds below, one test each; together they decide whether any block is worth decoding. Each is
// only run when a cheap necessary condition holds: a long enough run, or a token the anchor scan found. The
// tokens are looked for in `norm`; they hold no letters, so they occur in `clean` exactly when in `norm`.
const HEX_PAIRS = /(?:[0-9a-fA-F]{2}[ :,-]?){12}/;
const ESCAPE_X = /\\x[0-9a-fA-F]{2}/;
const ESCAPE_U = /\\u[0-9a-fA-F]{4}/;
const PERCENT = /%[0-9a-fA-F]{2}/;
const ENTITY = /&#x?[0-9a-fA-F]/;
const MORSE_TRIPLE = /[.-]{1,6} [.-]{1,6} [.-]{1,6} /;
// `[.-] [.-]`, necessary for three Morse letters in a row.
const MORSE_PAIRS = ['. .', '. -', '- .', '- -'];
// '%' and a hex digit (lower case: tokens are looked for in `norm`).
const PERCENT_HEX = [...'0123456789abcdef'].map((digit) => `%${digit}`);

function decodedBlocks(clean: string, present: TokenSet): string[] {
  const out: string[] = [];
  const base64Run = hasRun(clean, BASE64, 24);
  const hexRun = hasRun(clean, HEX, 24);
  const escapeX = present.has('\\x');
  const escapeU = present.has('\\u');
  const percent = PERCENT_HEX.some((token) => present.has(token));
  const entity = present.has('&#');
  const anyBlock =
    base64Run ||
    (hexRun && HEX_PAIRS.test(clean)) ||
    (escapeX && ESCAPE_X.test(clean)) ||
    (escapeU && ESCAPE_U.test(clean)) ||
    (percent && PERCENT.test(clean)) ||
    (entity && ENTITY.test(clean)) ||
    (MORSE_PAIRS.some((pair) => present.has(pair)) && MORSE_TRIPLE.test(clean));
  if (!anyBlock) return out;
  // Each candidate scanner needs what its flag checked, so a false flag means it would find nothing.
  if (base64Run) {
    for (const block of candidates(clean, /[A-Za-z0-9+/_-]{24,}={0,2}/g)) {
      // base64 needs case variety; long lower-case runs are identifiers or hex, handled below.
      if (!/[A-Z]/.test(block) || !/[a-z]/.test(block)) continue;
      out.push(Buffer.from(block, 'base64').toString('utf8'));
    }
  }
  if (hexRun) {
    for (const block of candidates(clean, /(?:[0-9a-fA-F]{2}[ :,-]?){12,}/g)) {
      out.push(decodeHexPairs(block.replace(/[^0-9a-fA-F]/g, '')));
    }
  }
  if (escapeX) {
    for (const block of candidates(clean, /(?:\\x[0-9a-fA-F]{2}){8,}/g)) {
      out.push(decodeHexPairs(block.replace(/\\x/g, '')));
    }
  }
  if (escapeU) {
    for (const block of candidates(clean, /(?:\\u[0-9a-fA-F]{4}){6,}/g)) {
      out.push(
        block.replace(/\\u([0-9a-fA-F]{4})/g, (_m, hex: string) => String.fromCharCode(parseInt(hex, 16))),
      );
    }
  }
  if (percent) {
    for (const block of candidates(clean, /(?:%[0-9a-fA-F]{2}){6,}/g)) {
      out.push(decodeHexPairs(block.replace(/%/g, '')));
    }
  }
  if (entity) {
    for (const block of candidates(clean, /(?:&#(?:x[0-9a-fA-F]{1,6}|\d{1,7});){6,}/g)) {
      out.push(
        block.replace(/&#(x[0-9a-fA-F]{1,6}|\d{1,7});/g, (_m, num: string) => {
          const code = num.startsWith('x') ? parseInt(num.slice(1), 16) : parseInt(num, 10);
          return code <= 0x10ffff ? String.fromCodePoint(code) : '';
        }),
      );
    }
  }
  // The slash separator is tried first: a regex stops at its first success, not its longest one.
  if (/[.-](?: ?\/ ?| {1,3})[.-]/.test(clean)) {
    for (const block of candidates(clean, /(?:[.-]{1,6}(?: ?\/ ?| {1,3})){12,}[.-]{0,6}/g)) {
      out.push(decodeMorse(block));
    }
  }
  return out;
}

const MORSE: Readonly<Record<string, string>> = {
  '.-': 'a',
  '-...': 'b',
  '-.-.': 'c',
  '-..': 'd',
  '.': 'e',
  '..-.': 'f',
  '--.': 'g',
  '....': 'h',
  '..': 'i',
  '.---': 'j',
  '-.-': 'k',
  '.-..': 'l',
  '--': 'm',
  '-.': 'n',
  '---': 'o',
  '.--.': 'p',
  '--.-': 'q',
  '.-.': 'r',
  '...': 's',
  '-': 't',
  '..-': 'u',
  '...-': 'v',
  '.--': 'w',
  '-..-': 'x',
  '-.--': 'y',
  '--..': 'z',
  '-----': '0',
  '.----': '1',
  '..---': '2',
  '...--': '3',
  '....-': '4',
  '.....': '5',
  '-....': '6',
  '--...': '7',
  '---..': '8',
  '----.': '9',
  '.-.-.-': '.',
  '--..--': ',',
  '..--..': '?',
};

/** Morse with single spaces between letters and two or more (or a slash) between words. */
function decodeMorse(block: string): string {
  return block
    .trim()
    .split(/\s{2,}|\s*\/\s*/)
    .map((word) =>
      word
        .split(/\s/)
        .map((letter) => MORSE[letter] ?? '')
        .join(''),
    )
    .join(' ');
}

function rot13(text: string): string {
  let out = '';
  const chunk: number[] = [];
  for (let i = 0; i < text.length; i++) {
    let c = text.charCodeAt(i);
    if (c >= 0x61 && c <= 0x7a) c = ((c - 0x61 + 13) % 26) + 0x61;
    chunk.push(c);
    if (chunk.length === 8192) {
      out += String.fromCharCode(...chunk);
      chunk.length = 0;
    }
  }
  return out + String.fromCharCode(...chunk);
}

function reversed(text: string): string {
  return Array.from(text).reverse().join('');
}

// "ignore", "instruction", "prompt", "previous", "disregard", "forget", "system", "rules" under each transform.
const KEY_WORDS: readonly string[] = [
  'ignore',
  'instruction',
  'prompt',
  'previous',
  'disregard',
  'forget',
  'system',
  'rules',
];
const ROT13_KEYS: readonly string[] = KEY_WORDS.map(rot13);
const REVERSED_KEYS: readonly string[] = KEY_WORDS.map(reversed);

/** Substrings scanEncoded asks its TokenSet about: the anchor scan must look for all of them. */
export const ENCODED_TOKENS: readonly string[] = [
  '\\x',
  '\\u',
  '&#',
  ...PERCENT_HEX,
  ...MORSE_PAIRS,
  ...ROT13_KEYS,
  ...REVERSED_KEYS,
];

function strongest(hits: readonly CueHit[]): number {
  let best = 0;
  for (const hit of hits) best = Math.max(best, hit.weight);
  return best;
}

function relabel(hits: readonly CueHit[], via: string): CueHit[] {
  return hits.map((hit) => ({ id: `${via}:${hit.id}`, signal: hit.signal, weight: hit.weight * 0.9 }));
}

/** Hits for hidden or encoded content, plus the instruction cues found inside what it decodes to. */
export function scanEncoded(text: PreparedText, scanInner: InnerScan, present: TokenSet): CueHit[] {
  const hits: CueHit[] = [];
  const add = (id: string, weight: number): void => {
    hits.push({ id, signal: 'encoded_payload', weight });
  };

  if (text.zeroWidth >= 20) add('encoded_zero_width', 0.45);
  else if (text.zeroWidth >= 5) add('encoded_zero_width', 0.25);
  if (text.bidiControls >= 3) add('encoded_bidi_controls', 0.45);
  else if (text.bidiControls >= 1) add('encoded_bidi_controls', 0.25);
  if (text.mixedScriptWords >= 3) add('encoded_mixed_script', 0.4);
  else if (text.mixedScriptWords >= 1) add('encoded_mixed_script', 0.2);

  if (text.tagText.length >= 4) {
    add('encoded_tag_characters', 0.7);
    hits.push(...relabel(scanInner(text.tagText), 'tags'));
  }
  if (text.regionalWords >= 2) {
    add('encoded_regional_letters', 0.3);
    hits.push(...relabel(scanInner(text.regionalText), 'regional'));
  }

  let hiddenProse = false;
  for (const decoded of decodedBlocks(text.clean, present)) {
    if (!isReadable(decoded)) continue;
    hiddenProse = true;
    const inner = scanInner(decoded);
    if (strongest(inner) >= 0.3) {
      add('encoded_block_instructions', 0.8);
      hits.push(...relabel(inner, 'decoded'));
    }
  }
  if (hiddenProse) add('encoded_block_prose', 0.2);

  // ROT13 and reversal produce no tell-tale alphabet. A transformed copy is only scanned when a transformed
  // key word is present (cheap substring checks), and then only strong cues in it count.
  if (text.norm.length <= MAX_TRANSFORM_CHARS) {
    for (const [via, keys, transform] of [
      ['rot13', ROT13_KEYS, rot13],
      ['reversed', REVERSED_KEYS, reversed],
    ] as const) {
      if (!keys.some((key) => present.has(key))) continue;
      const inner = scanInner(transform(text.norm)).filter((hit) => hit.weight >= 0.6);
      if (inner.length > 0) {
        add(`encoded_${via}`, 0.75);
        hits.push(...relabel(inner, via));
      }
    }
  }
  return hits;
}
