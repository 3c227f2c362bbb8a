// Encoded and hidden payloads: base64/hex/escape/URL-encoded blocks, ROT13 and reversed text, Unicode tag
// characters, regional-indicator spelling, invisible and bidi controls. Decoded text is re-scanned for cues.
import type { CueHit, Cue } from './cue.js';
import type { PreparedText } from './prepare.js';

/** Re-scans decoded text with the instruction cues; supplied by the heuristic source. */
export type InnerScan = (decoded: string) => CueHit[];

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

// One pass that says whether any encoded-block scanner below could match, so ordinary text pays for one regex.
const ANY_BLOCK =
  /[A-Za-z0-9+/_-]{24}|(?:[0-9a-fA-F]{2}[ :,-]?){12}|\\x[0-9a-fA-F]{2}|\\u[0-9a-fA-F]{4}|%[0-9a-fA-F]{2}|&#x?[0-9a-fA-F]|[.-]{1,6} [.-]{1,6} [.-]{1,6} /;

function decodedBlocks(clean: string): string[] {
  const out: string[] = [];
  if (!ANY_BLOCK.test(clean)) return out;
  for (const block of candidates(clean, /[A-Za-z0-9+/_-]{24,}={0,2}/g)) {
    // base64 needs case variety; long lower-case runs are identifiers or hex, handled below.
    if (!/[A-Z]/.test(block) || !/[a-z]/.test(block)) continue;
    out.push(Buffer.from(block, 'base64').toString('utf8'));
  }
  for (const block of candidates(clean, /(?:[0-9a-fA-F]{2}[ :,-]?){12,}/g)) {
    out.push(decodeHexPairs(block.replace(/[^0-9a-fA-F]/g, '')));
  }
  for (const block of candidates(clean, /(?:\\x[0-9a-fA-F]{2}){8,}/g)) {
    out.push(decodeHexPairs(block.replace(/\\x/g, '')));
  }
  for (const block of candidates(clean, /(?:\\u[0-9a-fA-F]{4}){6,}/g)) {
    out.push(
      block.replace(/\\u([0-9a-fA-F]{4})/g, (_m, hex: string) => String.fromCharCode(parseInt(hex, 16))),
    );
  }
  for (const block of candidates(clean, /(?:%[0-9a-fA-F]{2}){6,}/g)) {
    out.push(decodeHexPairs(block.replace(/%/g, '')));
  }
  for (const block of candidates(clean, /(?:&#(?:x[0-9a-fA-F]{1,6}|\d{1,7});){6,}/g)) {
    out.push(
      block.replace(/&#(x[0-9a-fA-F]{1,6}|\d{1,7});/g, (_m, num: string) => {
        const code = num.startsWith('x') ? parseInt(num.slice(1), 16) : parseInt(num, 10);
        return code <= 0x10ffff ? String.fromCodePoint(code) : '';
      }),
    );
  }
  // The slash separator is tried first: a regex stops at its first success, not its longest one.
  for (const block of candidates(clean, /(?:[.-]{1,6}(?: ?\/ ?| {1,3})){12,}[.-]{0,6}/g)) {
    out.push(decodeMorse(block));
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

function strongest(hits: readonly CueHit[]): number {
  let best = 0;
  for (const hit of hits) best = Math.max(best, hit.weight);
  return best;
}

function relabel(hits: readonly CueHit[], via: string): CueHit[] {
  return hits.map((hit) => ({ id: `${via}:${hit.id}`, signal: hit.signal, weight: hit.weight * 0.9 }));
}

/** Hits for hidden or encoded content, plus the instruction cues found inside what it decodes to. */
export function scanEncoded(text: PreparedText, scanInner: InnerScan): CueHit[] {
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
  for (const decoded of decodedBlocks(text.clean)) {
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
      if (!keys.some((key) => text.norm.includes(key))) continue;
      const inner = scanInner(transform(text.norm)).filter((hit) => hit.weight >= 0.6);
      if (inner.length > 0) {
        add(`encoded_${via}`, 0.75);
        hits.push(...relabel(inner, via));
      }
    }
  }
  return hits;
}
