// PII and secrets detection over a request's text segments, and redaction of what it finds.
// Pure synchronous CPU with no shared mutable state: safe to run in worker threads.
import type { PiiFinding, TextSegment } from '../types.js';
import { createCardDetector } from './detect-card.js';
import { createCredentialDetector } from './detect-credentials.js';
import { createEmailDetector } from './detect-email.js';
import { createGenericSecretDetector } from './detect-generic-secrets.js';
import { createIbanDetector } from './detect-iban.js';
import { createIpDetector } from './detect-ip.js';
import { createJwtDetector } from './detect-jwt.js';
import { createPhoneDetector } from './detect-phone.js';
import { createPrivateKeyDetector } from './detect-private-key.js';
import { createProviderSecretDetector } from './detect-provider-secrets.js';
import { createSsnDetector } from './detect-ssn.js';
import type { Detector, RawFinding } from './finding.js';
import { resolveOverlaps } from './overlap.js';
import { createTextIndexer } from './text-index.js';

export { PII_TYPES, type RawFinding } from './finding.js';
export {
  createRedactionState,
  redact,
  reserveLiterals,
  restore,
  type RedactableFinding,
  type RedactionState,
  type RedactionStyle,
} from './redact.js';

export interface PiiScanner {
  /** Findings of every segment, located by message/part and UTF-16 offsets into the segment's text. */
  scan(segments: readonly TextSegment[]): PiiFinding[];
  /** Findings of one text, without overlaps, ordered by position. */
  scanText(text: string): RawFinding[];
}

/**
 * A scanner owns compiled regexes whose lastIndex it moves during a scan: use one per thread (scans are
 * synchronous, so one scanner serves any number of requests on its thread).
 */
export function createPiiScanner(): PiiScanner {
  // The order matters only for ties between identical spans in resolveOverlaps (its sort is stable).
  const detectors: readonly Detector[] = [
    createPrivateKeyDetector(),
    createJwtDetector(),
    createProviderSecretDetector(),
    createCredentialDetector(),
    createGenericSecretDetector(),
    createCardDetector(),
    createIbanDetector(),
    createSsnDetector(),
    createEmailDetector(),
    createIpDetector(),
    createPhoneDetector(),
  ];
  const indexText = createTextIndexer();
  const scanText = (original: string): RawFinding[] => {
    if (original.length === 0) return [];
    const text = foldLookalikes(original);
    const index = indexText(text);
    const found: RawFinding[] = [];
    for (const detect of detectors) for (const f of detect(text, index)) found.push(f);
    return resolveOverlaps(found);
  };
  const scanSegment = (segment: TextSegment): RawFinding[] => {
    if (segment.json !== true) return scanText(segment.text);
    const decoded = readJsonEscapes(segment.text);
    const found = scanText(decoded.text);
    const raw = decoded.rawOffsets;
    if (raw === undefined) return found;
    // Spans found in the decoded text, moved back onto the JSON: an escaped character's span is its escape.
    return found.map((f) => ({ ...f, start: raw[f.start]!, end: raw[f.end]! }));
  };
  const scan = (segments: readonly TextSegment[]): PiiFinding[] =>
    segments.flatMap((segment) =>
      scanSegment(segment).map((f) => ({
        type: f.type,
        ...(f.subtype === undefined ? {} : { subtype: f.subtype }),
        message: segment.message,
        part: segment.part,
        path: segment.path,
        start: f.start,
        end: f.end,
        confidence: f.confidence,
      })),
    );
  return { scan, scanText };
}

// No-break and thin spaces (French and Swiss number groups, anything pasted from a web page, Word or Outlook),
// the ideographic space, Unicode hyphens and dashes, and full-width digits, signs and parentheses (Japanese and
// Chinese text): each one UTF-16 unit, as is what it folds to.
const LOOKALIKE_CLASS =
  '[\\u00a0\\u2007\\u2009\\u202f\\u3000\\u2010-\\u2013\\uff08\\uff09\\uff0b\\uff0d\\uff10-\\uff19]';
// Non-global for the test (no lastIndex to carry between calls); replace() resets a global one itself.
const HAS_LOOKALIKE = new RegExp(LOOKALIKE_CLASS);
const LOOKALIKES = new RegExp(LOOKALIKE_CLASS, 'g');
const FOLDED: Readonly<Record<string, string>> = {
  '\u00a0': ' ',
  '\u2007': ' ',
  '\u2009': ' ',
  '\u202f': ' ',
  '\u3000': ' ',
  '\u2010': '-',
  '\u2011': '-',
  '\u2012': '-',
  '\u2013': '-',
  '\uff08': '(',
  '\uff09': ')',
  '\uff0b': '+',
  '\uff0d': '-',
};

/**
 * The text with those characters replaced by their ASCII forms, so that "4111\u00a01111…" or "０９０－１２３４"
 * is scanned as the number it is. The same length, so findings' offsets point into the original text.
 */
export function foldLookalikes(text: string): string {
  if (!HAS_LOOKALIKE.test(text)) return text;
  return text.replace(LOOKALIKES, (c) => {
    const code = c.charCodeAt(0);
    return code >= 0xff10 && code <= 0xff19 ? String.fromCharCode(code - 0xff10 + 48) : FOLDED[c]!;
  });
}

/**
 * JSON text as the detectors read it: two-character escapes as two spaces (maskJsonEscapes), and `\uXXXX`
 * escapes decoded (Python's json.dumps writes every non-ASCII character so: "J\u00fcrgen.M\u00fcller@…" was
 * found from "u00fcller@", and "jane\u0040example.org" not at all). With any of those, the decoded text is
 * shorter than the JSON, and `rawOffsets[i]` is where its i-th UTF-16 unit starts in the JSON (one entry
 * more, for the end); without, the text keeps the JSON's offsets and there is no table.
 */
export function readJsonEscapes(json: string): { text: string; rawOffsets?: Int32Array } {
  if (!/\\u[0-9a-fA-F]{4}/.test(json)) return { text: maskJsonEscapes(json) };
  const offsets = new Int32Array(json.length + 1);
  const parts: string[] = [];
  let n = 0;
  let from = 0;
  const plain = (to: number): void => {
    parts.push(json.slice(from, to));
    for (let k = from; k < to; k++) offsets[n++] = k;
  };
  for (let i = json.indexOf('\\'); i !== -1 && i < json.length - 1; i = json.indexOf('\\', from)) {
    plain(i);
    const hex = json.charCodeAt(i + 1) === 117 ? json.slice(i + 2, i + 6) : '';
    if (/^[0-9a-fA-F]{4}$/.test(hex)) {
      const unit = Number.parseInt(hex, 16);
      // Control characters stand for whitespace, as the two-character escapes do.
      parts.push(unit < 32 ? ' ' : String.fromCharCode(unit));
      offsets[n++] = i;
      from = i + 6;
    } else {
      parts.push('  ');
      offsets[n++] = i;
      offsets[n++] = i + 1;
      from = i + 2;
    }
  }
  plain(json.length);
  offsets[n] = json.length;
  return { text: parts.join(''), rawOffsets: offsets.subarray(0, n + 1) };
}

/**
 * JSON text with its two-character escapes (`\n`, `\t`, `\"`, `\\`…) turned into two spaces: the same length,
 * so offsets still point into the JSON, but a value after a newline escape starts a word, as it does in the
 * decoded text (otherwise `\n4111…` reads as one word and the detectors' boundaries refuse it).
 */
export function maskJsonEscapes(text: string): string {
  if (!text.includes('\\')) return text;
  let out = '';
  let from = 0;
  for (let i = text.indexOf('\\'); i >= 0 && i < text.length - 1; i = text.indexOf('\\', i)) {
    const next = text[i + 1]!;
    if (next === 'u') {
      i += 2; // \uXXXX stays as it is
      continue;
    }
    out += text.slice(from, i) + '  ';
    from = i + 2;
    i += 2;
  }
  return out + text.slice(from);
}
