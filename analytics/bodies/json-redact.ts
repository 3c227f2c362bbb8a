// Redaction of a JSON body in its own text. Each string (member names included) is scanned decoded, so an
// escape such as `\u0040` hides nothing, and after the name of its member ("password: …", also for the items
// of an array under that name), so detectors that need a nearby key word still see one; numbers are scanned
// as written (a card or phone number sent as a JSON number). Only tokens with a finding are rewritten, as a
// JSON string holding the redacted text; everything else stays byte for byte (number spellings, duplicate
// names, `__proto__`, whitespace). A single left-to-right pass without recursion, so nesting depth does not
// matter, and a body cut short (no longer valid JSON) is handled up to where it ends.
import type { RawFinding } from '../../dataplane/analysis/pii/finding.js';

/** Redacts one value's text given its findings; returns the text with placeholders. */
export type RedactText = (text: string, findings: readonly RawFinding[]) => string;

interface Container {
  readonly array: boolean;
  /** Objects: the name of the member being read. Arrays: the name the array itself is the value of. */
  key: string | undefined;
}

const NUMBER = /-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?/y;
/** Characters of a member name kept as the context of its values. */
const MAX_CONTEXT = 48;

/** The end (exclusive) of the string token opening at `start` (a quote), or the text's end if unterminated. */
function stringEnd(text: string, start: number): number {
  for (let i = start + 1; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 92)
      i++; // backslash: skip the escaped character
    else if (c === 34) return i + 1;
  }
  return text.length;
}

/** The decoded value of a string token; a token cut short is decoded as far as its escapes go. */
function decodeString(raw: string): string {
  if (raw.length >= 2 && raw.endsWith('"')) {
    try {
      return JSON.parse(raw) as string;
    } catch {
      // An invalid escape: decoded by hand below.
    }
  }
  const body = raw.endsWith('"') && raw.length >= 2 ? raw.slice(1, -1) : raw.slice(1);
  return body.replace(/\\(u[0-9a-fA-F]{4}|.)/g, (_, e: string) => {
    if (e.length === 5) return String.fromCharCode(parseInt(e.slice(1), 16));
    return ({ n: '\n', t: '\t', r: '\r', b: '\b', f: '\f' } as Record<string, string>)[e] ?? e;
  });
}

function nextNonSpace(text: string, from: number): number {
  let i = from;
  while (i < text.length && /\s/.test(text[i]!)) i++;
  return i;
}

/**
 * The JSON text with every string, member name and number that has a finding replaced by a JSON string of its
 * redacted text (the input itself when nothing was found).
 */
export function redactJsonText(
  text: string,
  scan: (text: string) => readonly RawFinding[],
  redactText: RedactText,
): string {
  const stack: Container[] = [];
  const parts: string[] = [];
  let copied = 0;
  const context = (): string | undefined => stack.at(-1)?.key;
  const consider = (start: number, end: number, value: string, key: string | undefined) => {
    // The name's last characters are context enough ("…password: "); a whole long name before every item of
    // an array under it would make the scan quadratic in the body's size.
    const prefix = key === undefined ? '' : `${key.slice(-MAX_CONTEXT)}: `;
    const findings = scan(prefix + value)
      .filter((f) => f.start >= prefix.length)
      .map((f) => ({ ...f, start: f.start - prefix.length, end: f.end - prefix.length }));
    if (findings.length === 0) return;
    parts.push(text.slice(copied, start), JSON.stringify(redactText(value, findings)));
    copied = end;
  };
  let i = 0;
  while (i < text.length) {
    const c = text[i]!;
    if (c === '{' || c === '[') {
      stack.push({ array: c === '[', key: c === '[' ? context() : undefined });
      i++;
    } else if (c === '}' || c === ']') {
      stack.pop();
      i++;
    } else if (c === '"') {
      const end = stringEnd(text, i);
      const value = decodeString(text.slice(i, end));
      const top = stack.at(-1);
      const isName = top !== undefined && !top.array && text[nextNonSpace(text, end)] === ':';
      if (isName) {
        consider(i, end, value, undefined);
        top.key = value;
      } else {
        consider(i, end, value, context());
      }
      i = end;
    } else if (c === '-' || (c >= '0' && c <= '9')) {
      NUMBER.lastIndex = i;
      const m = NUMBER.exec(text);
      const end = m === null ? i + 1 : i + m[0].length;
      // Scanned without its sign: -4155552671 is still a phone number.
      if (m !== null) consider(i, end, m[0].replace(/^-/, ''), context());
      i = end;
    } else {
      i++;
    }
  }
  if (copied === 0) return text;
  parts.push(text.slice(copied));
  return parts.join('');
}
