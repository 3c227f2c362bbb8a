// Splits a prompt once into the typed tokens every verification check reads, so each check stays a lookup.
export type TokenKind = 'word' | 'number' | 'date' | 'code';

export interface Token {
  readonly kind: TokenKind;
  /** Text as written (case kept: entity detection needs it). */
  readonly raw: string;
  /** Lowercased, curly apostrophes straightened; numbers canonicalised (1,000 → 1000, 05 → 5). */
  readonly norm: string;
  /** First token of the text or of a sentence, where capitals say nothing about proper nouns. */
  readonly sentenceStart: boolean;
}

export interface Analysis {
  readonly tokens: readonly Token[];
  /** Lowercased words joined by single spaces: substring tests for multi-word code and phrases. */
  readonly flat: string;
  readonly words: ReadonlySet<string>;
  /** Backticked spans, lowercased with whitespace collapsed. */
  readonly quoted: readonly string[];
  /** Short spans in quotation marks ("the word 'impediment'"), lowercased: literals to match exactly. */
  readonly literals: readonly string[];
}

const BACKTICK_RE = /`([^`\n]+)`/g;
// Straight or curly quotes around up to 40 characters; a quote inside a word ("don't") opens nothing.
const LITERAL_RE =
  /(?<![\p{L}\d])(?:'([^'\n]{1,40})'|"([^"\n]{1,40})"|‘([^’\n]{1,40})’|“([^”\n]{1,40})”)(?![\p{L}\d])/gu;
// One alternation, tried left to right (commonest first): words (with the dotted, C++/C# and call() forms
// code uses), dates and times, numbers, punctuation that ends a sentence (and the comma, for "No,"), CLI
// flags, and currency and degree signs. Everything else separates. No capture groups: String#match then
// returns plain strings, and the first character tells the alternatives apart.
const TOKEN_RE = new RegExp(
  [
    String.raw`[\p{L}_][\p{L}\p{M}\d_$'’]*(?:\+\+|#)?(?:\.[\p{L}_$][\p{L}\p{M}\d_$]*)*(?:\(\))?`,
    String.raw`\d{4}-\d{1,2}-\d{1,2}|\d{1,2}[/.]\d{1,2}[/.]\d{2,4}|\d{1,2}:\d{2}(?::\d{2})?`,
    // A minus sign directly before a number that does not follow a word or a number ("to -5", not "10-20").
    String.raw`(?<![\p{L}\d.,])[-−]?(?:\d{1,3}(?:,\d{3})+(?![\d,])(?:\.\d+)?|\d+(?:\.\d+)*)`,
    String.raw`[.!?:\n,]`,
    String.raw`(?<![\w-])(?:--[A-Za-z][\w-]*|-[a-z][\w-]*|-[A-Z][a-z]?(?!\w))`,
    String.raw`°[CFcf]?|[$€£¥₹%]`,
  ].join('|'),
  'gu',
);
const DATE_RE = /[-/:]|^\d{1,2}\.\d{1,2}\.\d{2,4}$/;
// A name joined to its number by a hyphen ("GPT-4", "COVID-19") is the same identifier written without it
// ("GPT4", "COVID19"): one token either way, so neither the number check nor the entity check tells them
// apart. Only letters directly before, and a whole number directly after (not "GPT-4.1" vs "GPT4": the
// decimal stays a number, read as a version).
const JOINED_NUMBER_RE = /(?<=\p{L})-(?=\d+(?![\d.,:/-]))/gu;
const CAMEL_RE = /^[a-z]+[A-Z]/;

/** 1,000 → 1000, 05 → 5 and −5 → -5; decimals keep their digits ("3.10" is a version, not 3.1). */
function canonicalNumber(raw: string): string {
  const c = raw.charCodeAt(0);
  if (c === 0x2d || c === 0x2212) return `-${canonicalNumber(raw.slice(1))}`;
  const s = raw.includes(',') ? raw.replaceAll(',', '') : raw;
  const dot = s.indexOf('.');
  const int = (dot < 0 ? s : s.slice(0, dot)).replace(/^0+(?=\d)/, '');
  return dot < 0 ? int : `${int}${s.slice(dot)}`;
}

/** True for words that only code uses: snake_case, camelCase, dotted.names, call(). */
export function isCodeWord(raw: string): boolean {
  if (raw.length < 3) return false;
  const first = raw.charCodeAt(0);
  // camelCase: a lowercase start with a capital later ("getUserById", "iPhone").
  if (first >= 0x61 && first <= 0x7a && CAMEL_RE.test(raw)) return true;
  if (raw.endsWith('()') || raw.includes('_')) return true;
  const dot = raw.indexOf('.');
  if (dot < 0) return false;
  // "e.g", "i.e", "U.S": every part one letter is an abbreviation, not a name.
  return raw.split('.').some((part) => part.length > 1);
}

export function analyse(text: string): Analysis {
  const quoted: string[] = [];
  if (text.includes('`'))
    for (const m of text.matchAll(BACKTICK_RE)) quoted.push(m[1]!.trim().toLowerCase().replace(/\s+/g, ' '));
  const literals: string[] = [];
  if (/['"‘“]/.test(text))
    for (const m of text.matchAll(LITERAL_RE))
      literals.push((m[1] ?? m[2] ?? m[3] ?? m[4]!).trim().toLowerCase().replace(/\s+/g, ' '));
  const tokens: Token[] = [];
  let sentenceStart = true;
  const joined = text.includes('-') ? text.replace(JOINED_NUMBER_RE, '') : text;
  for (const match of joined.match(TOKEN_RE) ?? []) {
    // A closing quote is not part of the word: 'good morning' gives "morning", not "morning'".
    const raw = /['’]$/.test(match) ? match.replace(/['’]+$/, '') : match;
    const c = raw.charCodeAt(0);
    if (
      raw.length === 1 &&
      (c === 0x2e || c === 0x21 || c === 0x3f || c === 0x3a || c === 0x0a || c === 0x2c)
    ) {
      // An answer-style "No," or "Yes!" is an interjection, not a negation: dropped.
      const last = tokens.at(-1);
      if ((c === 0x2c || c === 0x21) && (last?.norm === 'no' || last?.norm === 'yes')) tokens.pop();
      // A colon introduces rather than ends ("Python: how do I…"), and a comma continues the sentence.
      if (c !== 0x2c) sentenceStart = c !== 0x3a;
      continue;
    }
    let kind: TokenKind = 'word';
    let norm: string;
    const d = raw.charCodeAt(1);
    if ((c === 0x2d || c === 0x2212) && d >= 0x30 && d <= 0x39) {
      kind = 'number';
      norm = canonicalNumber(raw);
    } else if (c >= 0x30 && c <= 0x39) {
      if (DATE_RE.test(raw)) {
        kind = 'date';
        norm = raw.replace(/\b0+(?=\d)/g, '');
      } else {
        kind = 'number';
        norm = canonicalNumber(raw);
      }
    } else {
      norm = raw.toLowerCase();
      if (c === 0x2d || isCodeWord(raw)) kind = 'code';
      else if (norm.includes('’')) norm = norm.replaceAll('’', "'");
    }
    tokens.push({ kind, raw, norm, sentenceStart });
    sentenceStart = false;
  }
  return assemble(tokens, quoted, literals);
}

function assemble(tokens: Token[], quoted: string[], literals: string[]): Analysis {
  const words = new Set<string>();
  const flat: string[] = [];
  for (const t of tokens) {
    words.add(t.norm);
    flat.push(t.norm);
  }
  return { tokens, flat: ` ${flat.join(' ')} `, words, quoted, literals };
}

const WHOLE_NUMBER_RE = /^\d{1,4}$/;

/**
 * `a` with each name and the whole number after it ("GPT 4", "iPhone 15", "Python 3") read as one word when
 * `other` writes them as one ("GPT4", "iPhone15"): the same model or version, which the number check would
 * otherwise count as a number on one side only. Only what the other prompt joins is joined, so "GPT 4" vs
 * "GPT 5" still differs in its digits. Returns `a` itself when nothing joins.
 */
export function joinedAs(a: Analysis, other: Analysis): Analysis {
  const tokens = a.tokens;
  const joinsAt = (i: number): string | undefined => {
    const name = tokens[i]!;
    const number = tokens[i + 1];
    if (name.kind === 'number' || name.kind === 'date') return undefined;
    if (number?.kind !== 'number' || !WHOLE_NUMBER_RE.test(number.norm)) return undefined;
    const norm = `${name.norm}${number.norm}`;
    return other.words.has(norm) ? norm : undefined;
  };
  let first = -1;
  for (let i = 0; i + 1 < tokens.length && first < 0; i++) if (joinsAt(i) !== undefined) first = i;
  if (first < 0) return a;
  const joined = tokens.slice(0, first);
  for (let i = first; i < tokens.length; i++) {
    const t = tokens[i]!;
    const norm = i + 1 < tokens.length ? joinsAt(i) : undefined;
    if (norm === undefined) {
      joined.push(t);
      continue;
    }
    const raw = `${t.raw}${tokens[i + 1]!.raw}`;
    // Typed as the other prompt's tokenizer typed it: "iPhone15" is camelCase, hence code.
    joined.push({ kind: isCodeWord(raw) ? 'code' : 'word', raw, norm, sentenceStart: t.sentenceStart });
    i++;
  }
  return assemble(joined, [...a.quoted], [...a.literals]);
}
