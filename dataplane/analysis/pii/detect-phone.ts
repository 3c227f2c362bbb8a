// Phone numbers in international and national formats. A regex cuts digit groups joined by single
// separators (space, dot, dash, parentheses); rules on the groups then drop dates, IPs, decimals and
// year ranges, and words around the number ("phone", "call", "fax"... or "card", "order"...) decide the
// short and unseparated forms, which are too ambiguous alone.
import { confidence, PII_TYPES, type Detector, type RawFinding } from './finding.js';
import {
  matchAtCandidates,
  surroundings,
  wordDistance,
  wordDistanceIn,
  wordPattern,
  type WordPattern,
} from './match-loop.js';
import { isRegexSpace, isWordChar } from './text-index.js';

const PHONE_WORDS =
  /(?:\b(?:appelez|appeler|appelle|portable|phone|telephone|tel|mobile|mob|cell|cellphone|fax|call|calls|calling|called|dial|sms|text|whatsapp|contact|reach|desk|office|answering|answer|message|messages|hotline|landline|ph)\b|电话|手机|電話|携帯|телефон|тел\.?|téléphone|tél|teléfono|telefono|telefon|handy|móvil|celular)/;
/** "number" takes the meaning of the noun before it (phone number, licence number): alone it is weak. */
const WEAK_PHONE_WORDS = /\b(?:number|num|no)\b|号码/;
const OTHER_NUMBER_WORDS =
  /\b(?:card|credit|debit|visa|mastercard|amex|account|acct|iban|ssn|social security|order|invoice|isbn|issn|serial|tracking|passport|licen[cs]e|routing|zip|postal|postcode|ref|reference|version|balance|amount|total|price|id)\b/;

interface Shape {
  digits: string;
  groups: string[];
  separators: Set<string>;
  plus: boolean;
  parens: boolean;
}

/** Digit groups and separators in one walk (a leading '+' is not a separator; a space only between groups). */
function shape(raw: string): Shape {
  const groups: string[] = [];
  const separators = new Set<string>();
  let group = -1;
  for (let i = 0; i < raw.length; i++) {
    const c = raw.charCodeAt(i);
    if (c >= 48 && c <= 57) {
      if (group === -1) group = i;
      continue;
    }
    if (group !== -1) groups.push(raw.slice(group, i));
    group = -1;
    if (c !== 32 && !(i === 0 && c === 43)) separators.add(raw[i]!);
  }
  if (group !== -1) groups.push(raw.slice(group));
  if (/\d \d|\d \(|\) \d/.test(raw)) separators.add(' ');
  return {
    digits: groups.join(''),
    groups,
    separators,
    plus: raw.startsWith('+'),
    parens: raw.includes('('),
  };
}

function digitCount(value: string): number {
  let n = 0;
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if (c >= 48 && c <= 57) n++;
  }
  return n;
}

function isYear(group: string): boolean {
  return /^(?:19|20)\d\d$/.test(group);
}

function validDayMonth(a: number, b: number): boolean {
  return (a >= 1 && a <= 31 && b >= 1 && b <= 12) || (b >= 1 && b <= 31 && a >= 1 && a <= 12);
}

/** Shapes that are numbers of other kinds: IPs, decimals, dates, year ranges, digit lists. */
function otherNumberShape(s: Shape): boolean {
  const g = s.groups;
  const onlyDots = s.separators.size === 1 && s.separators.has('.');
  if (onlyDots && (g.length === 2 || (g.length === 4 && g.every((x) => x.length <= 3)))) return true;
  // Version numbers (Chrome 121.0.6167.85): dotted, with a one-digit part after the first; dotted phones group
  // by 2–4 digits after a country code that may be one digit (1.800.555.1234).
  if (onlyDots && !s.plus && g.length >= 3 && g.slice(1).some((x) => x.length === 1)) return true;
  if (g.length === 3 && !s.plus && !s.parens) {
    const [a, b, c] = g as [string, string, string];
    if (isYear(a) && b.length <= 2 && c.length <= 2 && validDayMonth(Number(b), Number(c))) return true;
    if (isYear(c) && a.length <= 2 && b.length <= 2 && validDayMonth(Number(a), Number(b))) return true;
  }
  if (g.length === 2 && isYear(g[0]!) && isYear(g[1]!)) return true;
  return g.filter((x) => x.length === 1).length > 2;
}

interface Cues {
  phone: WordPattern;
  weak: WordPattern;
  other: WordPattern;
}

// A quantity, not a number to dial: a plain run of digits with a unit or counted noun right after it ("took
// 1234567 ms", "1234567 characters", "12345678 times") or a measure word right before it ("count: 12345678").
// Phone context words ("call", "text", "message") are common in code and logs, where these follow them. Not a
// grouped number ("555-123-4567 Days Inn"), not one a phone word labels ("Phone: 0612345678 ms teams"), and the
// short units in lower case only ("555 1234567 US office").
const UNIT_AFTER =
  /^\s{0,2}(?:ms|ns|µs|us|s|sec|secs|seconds?|minutes?|mins?|hours?|hrs?|days?|bytes?|[kmgt]i?b|chars?|characters?|tokens?|times|words?|lines?|rows?|items?|requests?|records?|entries|px|%)(?![\w])/;
const MEASURE_BEFORE =
  /\b(?:count|counts|total|sum|size|length|len|duration|took|elapsed|latency|times|bytes|rows)\s{0,2}[:=]?\s{0,2}$/i;
const LABELLED =
  /\b(?:phone|tel|tél|téléphone|mobile|móvil|portable|cell|fax|call|dial|sms|whatsapp|text|appelez(?:-moi)?|appeler|appelle)\.?(?:\s+(?:me|us|le|au))?(?:\s+(?:at|on))?\s{0,2}[:#]?\s{0,2}$/i;

function quantity(text: string, start: number, end: number, s: Shape): boolean {
  if (s.plus || s.groups.length > 1) return false;
  const before = text.slice(Math.max(0, start - 24), start);
  if (LABELLED.test(before)) return false;
  return UNIT_AFTER.test(text.slice(end, end + 24)) || MEASURE_BEFORE.test(before);
}

/** Only two-digit groups, five or more, no country code: how numbers are listed, and how France writes phones. */
function inPairs(s: Shape): boolean {
  return !s.plus && !s.parens && s.groups.length >= 5 && s.groups.every((x) => x.length === 2);
}

/**
 * A list of numbers rather than a phone, when nothing says phone: the national formats that group by two
 * (France, Belgium, the Netherlands, Morocco) write ten digits from a leading 0 (not 00, the international
 * prefix) in five pairs. Five such pairs stay a phone even in rising order: "06 12 34 56 78" is the example
 * number of French documentation (so a five-number draw from 0 reads as one).
 */
function pairList(s: Shape): boolean {
  const g = s.groups;
  return g.length !== 5 || g[0]![0] !== '0' || g[0] === '00';
}

/** `listed`: the number was cut from a longer run of pairs, which only a phone word makes a phone. */
function score(text: string, start: number, end: number, s: Shape, cues: Cues, listed = false): number {
  const d = s.digits.length;
  if (d < 7 || d > 15 || otherNumberShape(s)) return 0;
  if (quantity(text, start, end, s)) return 0;
  const near = surroundings(text, start, end, 40, 20);
  const positive = wordDistanceIn(near, cues.phone);
  // Words for other numbers cancel phone words when they are closer: "card number 4111..." is not a phone.
  const otherWords = wordDistanceIn(near, cues.other);
  const weak = otherWords === Infinity && wordDistance(text, start, end, cues.weak, 24, 0) < Infinity;
  const context = positive < otherWords || weak;
  // A list of pairs (or a number cut from one): a phone only where a phone word labels it ("Tel 06 12 34 56 78
  // 42", "Mobile: 47 41 23 45 67 89"), not where one stands elsewhere in the sentence ("Text me the lottery
  // results: 14 15 23 42 08 16").
  if ((listed || (inPairs(s) && pairList(s))) && !LABELLED.test(text.slice(Math.max(0, start - 24), start)))
    return 0;
  const negative = otherWords < positive;
  const separated = s.groups.length > 1;
  if (!separated && !s.plus) return context ? 0.6 : 0;
  if (s.plus && d >= 8) return context ? 0.9 : negative ? 0.4 : 0.75;
  if (d >= 10 && separated) return context ? 0.85 : negative ? 0 : 0.55;
  return context ? 0.6 : 0;
}

/** Characters a match can contain besides digits: separators, parentheses, '+', and `x`/`ext.` with `\s`. */
function isPhoneFiller(c: number): boolean {
  return (
    c === 32 ||
    c === 46 ||
    c === 45 ||
    c === 40 ||
    c === 41 ||
    c === 43 ||
    c === 120 ||
    c === 101 ||
    c === 116 ||
    isRegexSpace(c)
  );
}

/** Whether only filler characters lie between `from` and `to`. */
function fillerOnly(text: string, from: number, to: number): boolean {
  for (let i = from; i < to; i++) if (!isPhoneFiller(text.charCodeAt(i))) return false;
  return true;
}

/** The pattern's look-behind `(?<![\w+.\-/@#$€£])`, checked before running it. */
function phoneMayFollow(c: number): boolean {
  if (isWordChar(c)) return false;
  return (
    c !== 43 &&
    c !== 46 &&
    c !== 45 &&
    c !== 47 &&
    c !== 64 &&
    c !== 35 &&
    c !== 36 &&
    c !== 0x20ac &&
    c !== 0xa3
  );
}

/** Fewest digits a number needs before it can score (see `score`). */
const MIN_DIGITS = 7;

export function createPhoneDetector(): Detector {
  // Groups are joined by exactly one separator (or a parenthesised area code), so no two adjacent
  // repetitions can share digits: backtracking stays linear in the candidate length, which is bounded.
  const re =
    /(?<![\w+.\-/@#$€£])(?:\+\d{1,3}[ .-]?)?(?:\(\d{1,5}\)[ .-]?\d{1,14}|\d{1,14})(?:(?:[ .-]|[ .-]?\(\d{1,5}\)[ .-]?)\d{1,14}){0,7}(?:\s?(?:x|ext\.?)\s?\d{1,6})?(?![\w@]|[.-]\d|:\d)/y;
  const cues: Cues = {
    phone: wordPattern(PHONE_WORDS),
    weak: wordPattern(WEAK_PHONE_WORDS),
    other: wordPattern(OTHER_NUMBER_WORDS),
  };
  return (text, { digitRuns: runs }) => {
    const out: RawFinding[] = [];
    const tryAt = matchAtCandidates(re, text, (m) => {
      // Most candidates are short numbers (years, counts); skip them before any string work.
      if (m[0].length < 7 || digitCount(m[0]) < 7) return;
      // An extension always contains an "x".
      const main = m[0].includes('x') ? m[0].replace(/\s?(?:x|ext\.?)\s?\d{1,6}$/, '') : m[0];
      // score() wants 7-15 digits before anything else; an IBAN's 18 digits never need their shape.
      const d = digitCount(main);
      if (d < 7 || d > 15) return;
      let found = shape(main);
      let end = m.index + m[0].length;
      let listed = false;
      // A French-style number with a number after it ("06 12 34 56 78 42", "… 24 heures sur 24"): its five
      // pairs from the leading 0 are the number.
      if (main === m[0] && inPairs(found) && found.groups.length > 5 && found.groups[0]![0] === '0') {
        const five = /^\d\d(?:[ .-]\d\d){4}/.exec(main)!;
        end = m.index + five[0].length;
        found = shape(five[0]);
        listed = true;
      }
      const value = score(text, m.index, end, found, cues, listed);
      if (value > 0) {
        out.push({ type: PII_TYPES.phone, start: m.index, end, confidence: confidence(value) });
      }
    });
    // A match never crosses a character outside digits and filler, so the text splits into independent
    // stretches; one whose digit runs hold fewer than 7 digits cannot hold a phone number and is skipped.
    // In the others a match starts at a digit run (no digit before it), or at a '+' or '(' right before one.
    for (let first = 0; first < runs.length;) {
      let last = first;
      let digits = runs[first + 1]! - runs[first]!;
      while (last + 2 < runs.length && fillerOnly(text, runs[last + 1]!, runs[last + 2]!)) {
        last += 2;
        digits += runs[last + 1]! - runs[last]!;
      }
      if (digits >= MIN_DIGITS) {
        for (let i = first; i <= last; i += 2) {
          const s = runs[i]!;
          const before = text.charCodeAt(s - 1);
          if ((before === 43 || before === 40) && phoneMayFollow(text.charCodeAt(s - 2))) tryAt(s - 1);
          if (phoneMayFollow(before)) tryAt(s);
        }
      }
      first = last + 2;
    }
    return out;
  };
}
