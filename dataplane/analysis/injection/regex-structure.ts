// The structure of a regular expression, read from its source: enough of JavaScript's syntax for the
// patterns of the analysis modules, and the few facts about it that literal-anchors.ts builds on (which
// literal strings a match must start with, where a word must start). Used at start-up only.

export type Node =
  | { readonly kind: 'char'; readonly ch: string }
  | {
      readonly kind: 'set';
      /** Members when few and known; null otherwise. */
      readonly chars: readonly string[] | null;
      /** Can match a word character ([A-Za-z0-9_]). */
      readonly word: boolean;
      /** Can match a non-word character. */
      readonly nonWord: boolean;
    }
  | { readonly kind: 'group'; readonly alts: readonly Seq[] }
  /** Zero-width: `start` for ^ and \b (a word character after it starts a word), `clear` for \B. */
  | { readonly kind: 'zero'; readonly effect: 'start' | 'keep' | 'clear' };

export interface Term {
  readonly node: Node;
  readonly min: number;
  readonly max: number;
}
export type Seq = readonly Term[];

const WORD_CHAR = /^[A-Za-z0-9_]$/;
// Expansion limits: past them a prefix simply stops growing, which keeps it necessary, just less selective.
const MAX_STRINGS = 256;
const MAX_SET_CHARS = 8;

/** A word character for `\b` and `\w` (JavaScript without the u flag: ASCII letters, digits, '_'). */
export const isWord = (ch: string): boolean => WORD_CHAR.test(ch);

/** Parses a pattern source into its top-level alternatives; throws on syntax it does not model. */
export function parseRegex(source: string, ignoreCase: boolean): Seq[] {
  return new Parser(source, ignoreCase).parse();
}

class Parser {
  private pos = 0;
  constructor(
    private readonly src: string,
    private readonly ignoreCase: boolean,
  ) {}

  parse(): Seq[] {
    const alts = this.alternation();
    if (this.pos !== this.src.length) throw new Error(`unexpected ')' at ${this.pos}`);
    return alts;
  }

  private alternation(): Seq[] {
    const alts: Seq[] = [this.sequence()];
    while (this.src[this.pos] === '|') {
      this.pos += 1;
      alts.push(this.sequence());
    }
    return alts;
  }

  private sequence(): Seq {
    const terms: Term[] = [];
    while (this.pos < this.src.length && this.src[this.pos] !== '|' && this.src[this.pos] !== ')') {
      const node = this.atom();
      const [min, max] = this.quantifier();
      terms.push({ node, min, max });
    }
    return terms;
  }

  private quantifier(): [number, number] {
    const c = this.src[this.pos];
    let range: [number, number] | null = null;
    if (c === '*') range = [0, Infinity];
    else if (c === '+') range = [1, Infinity];
    else if (c === '?') range = [0, 1];
    if (range !== null) this.pos += 1;
    else if (c === '{') {
      const m = /^\{(\d+)(?:(,)(\d*))?\}/.exec(this.src.slice(this.pos));
      if (m === null) return [1, 1]; // a literal '{' (not a quantifier in non-unicode mode)
      const lo = Number(m[1]);
      range = [lo, m[2] === undefined ? lo : m[3] === '' ? Infinity : Number(m[3])];
      this.pos += m[0].length;
    } else return [1, 1];
    if (this.src[this.pos] === '?') this.pos += 1; // lazy: same language
    return range;
  }

  private atom(): Node {
    const c = this.src[this.pos]!;
    if (c === '(') return this.group();
    if (c === '[') return this.charClass();
    if (c === '\\') return this.escape();
    this.pos += 1;
    if (c === '.') return { kind: 'set', chars: null, word: true, nonWord: true };
    if (c === '^' || c === '$') return { kind: 'zero', effect: c === '^' ? 'start' : 'keep' };
    return this.char(c);
  }

  private char(ch: string): Node {
    if (!this.ignoreCase || ch.toLowerCase() === ch.toUpperCase()) return { kind: 'char', ch };
    return {
      kind: 'set',
      chars: [ch.toLowerCase(), ch.toUpperCase()],
      word: isWord(ch),
      nonWord: !isWord(ch),
    };
  }

  private group(): Node {
    const rest = this.src.slice(this.pos);
    const look = /^\(\?<?[=!]/.exec(rest);
    if (look !== null) {
      this.pos += look[0].length;
      this.alternation();
      this.expect(')');
      return { kind: 'zero', effect: 'keep' };
    }
    const head = /^\((?:\?:|\?<[A-Za-z_$][\w$]*>)?/.exec(rest)!;
    this.pos += head[0].length;
    const alts = this.alternation();
    this.expect(')');
    return { kind: 'group', alts };
  }

  private expect(ch: string): void {
    if (this.src[this.pos] !== ch) throw new Error(`expected '${ch}' at ${this.pos}`);
    this.pos += 1;
  }

  private escape(): Node {
    const next = this.src[this.pos + 1]!;
    if (next === 'b' || next === 'B') {
      this.pos += 2;
      return { kind: 'zero', effect: next === 'b' ? 'start' : 'clear' };
    }
    if ('dDwWsS'.includes(next)) {
      this.pos += 2;
      return classNode(`[\\${next}]`, null, false, !'dw'.includes(next));
    }
    if (/[1-9k]/.test(next)) throw new Error('back-references are not supported');
    const [ch, length] = escapedChar(this.src, this.pos);
    this.pos += length;
    return this.char(ch);
  }

  private charClass(): Node {
    const start = this.pos;
    let i = this.pos + 1;
    const negated = this.src[i] === '^';
    if (negated) i += 1;
    const members: string[] = [];
    let enumerable = !negated;
    // Exact for what the class admits: a negated class admits some non-word character in practice.
    let nonWord = negated;
    while (this.src[i] !== ']') {
      if (i >= this.src.length) throw new Error('unterminated class');
      let ch: string;
      if (this.src[i] === '\\') {
        if ('dDwWsS'.includes(this.src[i + 1]!)) {
          if (!'dw'.includes(this.src[i + 1]!)) nonWord = true;
          enumerable = false;
          i += 2;
          continue;
        }
        const [esc, length] = escapedChar(this.src, i);
        ch = esc;
        i += length;
      } else {
        ch = this.src[i]!;
        i += 1;
      }
      if (this.src[i] === '-' && this.src[i + 1] !== ']' && i + 1 < this.src.length) {
        const [hi, length] = this.src[i + 1] === '\\' ? escapedChar(this.src, i + 1) : [this.src[i + 1]!, 1];
        i += 1 + length;
        const from = ch.charCodeAt(0);
        const to = hi.charCodeAt(0);
        if (!wordRange(from, to)) nonWord = true;
        if (to - from + 1 + members.length > MAX_SET_CHARS) enumerable = false;
        else for (let code = from; code <= to; code++) members.push(String.fromCharCode(code));
        continue;
      }
      if (!isWord(ch)) nonWord = true;
      members.push(ch);
    }
    this.pos = i + 1;
    const source = this.src.slice(start, this.pos);
    const chars = enumerable && members.length <= MAX_SET_CHARS ? members : null;
    return classNode(source, chars, this.ignoreCase, nonWord);
  }
}

function escapedChar(src: string, at: number): [string, number] {
  const c = src[at + 1]!;
  const simple: Record<string, string> = { n: '\n', t: '\t', r: '\r', f: '\f', v: '\v', '0': '\0' };
  if (c in simple) return [simple[c]!, 2];
  if (c === 'x') return [String.fromCharCode(parseInt(src.slice(at + 2, at + 4), 16)), 4];
  if (c === 'u') return [String.fromCharCode(parseInt(src.slice(at + 2, at + 6), 16)), 6];
  if (c === 'c') return [String.fromCharCode(src.charCodeAt(at + 2) % 32), 3];
  return [c, 2];
}

/** Whether every code in [from, to] is a word character (the word ranges are disjoint and not adjacent). */
function wordRange(from: number, to: number): boolean {
  return (
    (from >= 0x30 && to <= 0x39) ||
    (from >= 0x41 && to <= 0x5a) ||
    (from >= 0x61 && to <= 0x7a) ||
    (from === 0x5f && to === 0x5f)
  );
}

const WORD_SAMPLE = [...'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_'];

function classNode(
  source: string,
  chars: readonly string[] | null,
  ignoreCase: boolean,
  nonWord: boolean,
): Node {
  // Whether it admits a word character, asked of the real engine: exact, there being only 63 of them.
  const re = new RegExp(`^${source}$`, ignoreCase ? 'i' : '');
  const word = WORD_SAMPLE.some((ch) => re.test(ch));
  const members =
    chars === null || !ignoreCase
      ? chars
      : [...new Set(chars.flatMap((ch) => [ch.toLowerCase(), ch.toUpperCase()]))];
  return {
    kind: 'set',
    chars: members !== null && members.length <= MAX_SET_CHARS ? members : null,
    word,
    nonWord,
  };
}

function product(prefixes: readonly string[], parts: readonly string[]): string[] {
  const out: string[] = [];
  for (const p of prefixes) for (const s of parts) out.push(p + s);
  return [...new Set(out)];
}

/** Every string one iteration of `node` can match, when that set is finite and small; else null. */
export function strings(node: Node): readonly string[] | null {
  switch (node.kind) {
    case 'char':
      return [node.ch];
    case 'set':
      return node.chars;
    case 'zero':
      return [''];
    case 'group': {
      const out: string[] = [];
      for (const alt of node.alts) {
        const s = seqStrings(alt);
        if (s === null || out.length + s.length > MAX_STRINGS) return null;
        out.push(...s);
      }
      return out;
    }
  }
}

export function seqStrings(seq: Seq): readonly string[] | null {
  let acc: readonly string[] = [''];
  for (const term of seq) {
    const s = strings(term.node);
    if (s === null) return null;
    let parts: readonly string[];
    if (term.min === 1 && term.max === 1) parts = s;
    else if (term.min === 0 && term.max === 1) parts = ['', ...s];
    else if (term.node.kind === 'zero') parts = [''];
    else return null;
    if (acc.length * parts.length > MAX_STRINGS) return null;
    acc = product(acc, parts);
  }
  return acc;
}

/**
 * Literal strings that every match of `seq` from term `from` on starts with (each non-empty), or null. Stops
 * at the first term that is not a small literal set; an optional literal branches into both possibilities.
 */
export function prefixes(seq: Seq, from: number): readonly string[] | null {
  let acc: readonly string[] = [''];
  for (let i = from; i < seq.length; i++) {
    const term = seq[i]!;
    if (term.node.kind === 'zero') continue;
    const s = strings(term.node);
    if (s === null) {
      if (term.node.kind !== 'group' || term.min < 1) break;
      const heads: string[] = [];
      for (const alt of term.node.alts) {
        const p = prefixes(alt, 0);
        if (p === null) return acc.includes('') ? null : acc;
        heads.push(...p);
      }
      if (acc.length * heads.length <= MAX_STRINGS) acc = product(acc, heads);
      break;
    }
    const parts = term.min === 0 && term.max === 1 ? ['', ...s] : s;
    if (term.min === 0 && term.max !== 1) break;
    if (acc.length * parts.length > MAX_STRINGS) break;
    acc = product(acc, parts);
    if (term.max !== 1) break; // one copy is certain, what follows it is not
  }
  return acc.includes('') ? null : acc;
}

/** Whether, after `term`, a word character would start a new word, given the same fact before it. */
export function after(term: Term, before: boolean): boolean {
  const once = (start: boolean): boolean => {
    const node = term.node;
    switch (node.kind) {
      case 'char':
        return !isWord(node.ch);
      case 'set':
        return !node.word;
      case 'zero':
        return start;
      case 'group':
        return node.alts.every((alt) => seqAfter(alt, start));
    }
  };
  if (term.node.kind === 'zero') {
    const effect = term.node.effect;
    return effect === 'start' ? true : effect === 'clear' ? false : before;
  }
  if (term.max === 0) return before;
  // The last of several iterations may follow an earlier one: assume the weaker start for it.
  const last = term.max === 1 ? once(before) : once(false);
  return term.min === 0 ? before && last : last;
}

export function seqAfter(seq: Seq, start: boolean): boolean {
  let state = start;
  for (const term of seq) state = after(term, state);
  return state;
}

/** Top-level alternatives, looking through a pattern that is one big group. */
export function topLevel(alts: readonly Seq[]): readonly Seq[] {
  if (alts.length === 1 && alts[0]!.length === 1) {
    const only = alts[0]![0]!;
    if (only.node.kind === 'group' && only.min === 1 && only.max === 1) return topLevel(only.node.alts);
  }
  return alts;
}

export function nodeWordOnly(node: Node): boolean {
  switch (node.kind) {
    case 'char':
      return isWord(node.ch);
    case 'set':
      return !node.nonWord;
    case 'zero':
      return true;
    case 'group':
      return node.alts.every((alt) => alt.every((t) => nodeWordOnly(t.node)));
  }
}

/** Whether the first character every match of `seq[from..]` consumes follows a \b or ^. */
export function leadsAtWordStart(seq: Seq, from: number, state: boolean): boolean {
  for (let i = from; i < seq.length; i++) {
    const term = seq[i]!;
    if (term.node.kind === 'zero') {
      state = after(term, state);
      continue;
    }
    const taken =
      term.node.kind === 'group' ? term.node.alts.every((alt) => leadsAtWordStart(alt, 0, state)) : state;
    // An optional term may also be skipped, and then the next one leads.
    return term.min === 0 ? taken && leadsAtWordStart(seq, i + 1, state) : taken;
  }
  return false;
}

export function startsNonAscii(seq: Seq): boolean {
  const heads = prefixes(seq, 0);
  return heads !== null && heads.every((h) => h.charCodeAt(0) >= 0x80);
}

export function hasAssertion(node: Node): boolean {
  if (node.kind === 'zero') return true;
  return node.kind === 'group' && node.alts.some((alt) => alt.some((t) => hasAssertion(t.node)));
}
