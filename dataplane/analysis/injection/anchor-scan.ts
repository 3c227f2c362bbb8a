// Two passes over a lower-cased text that find where anchor words start a word and which substring tokens
// occur, so that every pattern whose anchors are absent is skipped without running it (literal-anchors.ts
// says why that is safe), and a pattern that must start near an anchor is tried only there.
import type { PatternAnchors } from './literal-anchors.js';

/** An AnchorGroup registered with one scanner. */
export interface CompiledGroup {
  /** Index among the scanner's groups. */
  readonly index: number;
  /**
   * How the group applies to text that is not pure ASCII: `exact` as for any text; `skip` not at all (the
   * pattern has a branch without anchors that only non-ASCII text can match); `loose` as substrings (the
   * pattern runs on case-kept text: lower-casing and folding keep its ASCII literals, but not necessarily
   * their word starts).
   */
  readonly beyondAscii: 'exact' | 'skip' | 'loose';
}

/** What one scan found; answers questions about the text it was made from. */
export interface Probe {
  /** No character at or above U+0080. */
  readonly ascii: boolean;
  /** True when every group that applies to this text is satisfied. */
  passes(groups: readonly CompiledGroup[]): boolean;
  /**
   * True when every group that applies occurs at least `times` times (a substring token, not counted,
   * counts as often enough): necessary for that many non-overlapping matches of the pattern.
   */
  occurs(groups: readonly CompiledGroup[], times: number): boolean;
  /** How often a tracked word (id from `AnchorScanner.wordId`) starts a word of the text. */
  count(word: number): number;
  /**
   * A cursor over the positions where a tracked word starts a word (latest first), -1 when there are none;
   * read with `position`, advance with `next` (no callback, so no closure per question).
   */
  first(word: number): number;
  position(cursor: number): number;
  next(cursor: number): number;
  /** Whether a token given to the scanner occurs in the text (as `text.includes(token)` would say). */
  has(token: string): boolean;
}

export interface AnchorScanner {
  /** Registers a pattern's groups (`caseKept`: it runs on the case-kept text); only at start-up. */
  compile(anchors: PatternAnchors, caseKept?: boolean): CompiledGroup[];
  /** Id of a group word; -1 if unknown. */
  wordId(word: string): number;
  /** Whether the word's occurrences are counted and located (it was given as `tracked`). */
  tracks(word: number): boolean;
  /** `lower` must be lower case; `ascii` whether it is pure ASCII. */
  scan(lower: string, ascii: boolean): Probe;
}

const NON_ASCII = /[\u0080-\uffff]/;

export function isAscii(text: string): boolean {
  return !NON_ASCII.test(text);
}

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
}

/**
 * The alternation of `entries` as a character trie, `ab(?:c|d(?:e)?)`: V8 compiles a flat alternation of
 * a thousand phrases into slow code (or falls back to its interpreter), a trie into a few character
 * dispatches per position. Greedy optional tails make a match the longest entry starting there.
 */
function trieSource(entries: readonly string[]): string {
  interface Node {
    end: boolean;
    next: Map<string, Node>;
  }
  const root: Node = { end: false, next: new Map() };
  for (const entry of entries) {
    let node = root;
    for (const ch of entry) {
      let child = node.next.get(ch);
      if (child === undefined) {
        child = { end: false, next: new Map() };
        node.next.set(ch, child);
      }
      node = child;
    }
    node.end = true;
  }
  const emit = (node: Node): string => {
    if (node.next.size === 0) return '';
    const parts = [...node.next.entries()]
      .sort(([a], [b]) => (a < b ? -1 : 1))
      .map(([ch, child]) => escape(ch) + emit(child));
    const body = parts.length === 1 ? parts[0]! : `(?:${parts.join('|')})`;
    return node.end ? `(?:${body})?` : body;
  };
  return emit(root);
}

/** Per entry: ids of the entries that are its prefixes (itself included). */
function prefixTable(entries: readonly string[], ids: ReadonlyMap<string, number>): Int32Array[] {
  return entries.map((entry) => {
    const out: number[] = [];
    for (let k = 1; k <= entry.length; k++) {
      const id = ids.get(entry.slice(0, k));
      if (id !== undefined) out.push(id);
    }
    return Int32Array.from(out);
  });
}

/**
 * Where a matched entry sits in a `HashIndex` table: a few characters read straight from the text, cheaper
 * than hashing the matched substring for a Map lookup (done once per hit).
 */
function slot(text: string, start: number, length: number, mask: number): number {
  return (
    (length * 0x9e3 +
      text.charCodeAt(start) * 0x1f1 +
      text.charCodeAt(start + (length >> 1)) * 0x3b +
      text.charCodeAt(start + length - 1)) &
    mask
  );
}

/** Entry ids by `slot`, with collisions chained; `find` verifies the entry against the text. */
class HashIndex {
  private readonly heads: Int32Array;
  private readonly chain: Int32Array;
  private readonly mask: number;
  constructor(private readonly entries: readonly string[]) {
    let size = 16;
    while (size < entries.length * 4) size *= 2;
    this.mask = size - 1;
    this.heads = new Int32Array(size).fill(-1);
    this.chain = new Int32Array(entries.length).fill(-1);
    entries.forEach((entry, id) => {
      const s = slot(entry, 0, entry.length, this.mask);
      this.chain[id] = this.heads[s]!;
      this.heads[s] = id;
    });
  }

  /** Id of the entry equal to `match` (found at `start` of `text`). */
  find(text: string, start: number, match: string): number {
    for (let id = this.heads[slot(text, start, match.length, this.mask)]!; id >= 0; id = this.chain[id]!) {
      if (this.entries[id] === match) return id;
    }
    throw new Error(`not an anchor: ${match}`);
  }
}

interface Vocabulary {
  readonly words: readonly string[];
  readonly wordIds: ReadonlyMap<string, number>;
  readonly wordIndex: HashIndex;
  readonly tokenIndex: HashIndex;
  readonly wordPrefixes: readonly Int32Array[];
  /** Per word: its index among the tracked words (counted, positions kept), or -1. */
  readonly trackIds: Int32Array;
  /** Per word: indices of the registered groups it satisfies. */
  readonly wordGroups: readonly number[][];
  readonly groupWords: readonly Int32Array[];
  readonly tokens: readonly string[];
  readonly tokenIds: ReadonlyMap<string, number>;
  readonly tokenPrefixes: readonly Int32Array[];
  readonly tokenGroups: readonly number[][];
  readonly groupTokens: readonly Int32Array[];
}

class ScanProbe implements Probe {
  // Words searched for as substrings (loose groups on non-ASCII text), on first use.
  private readonly substrings = new Map<string, boolean>();
  constructor(
    private readonly text: string,
    readonly ascii: boolean,
    private readonly vocabulary: Vocabulary,
    // Sparse (holey) arrays indexed by tracked word, token or group id, unset meaning zero: a scan touches
    // few ids, and zero-filled arrays of every id would cost more to allocate than the scan itself. (The id
    // spaces are kept small: V8 turns an array written far past its end into a slow dictionary.)
    private readonly counts: number[],
    private readonly tokens: number[],
    private readonly satisfied: number[],
    /** Per tracked word: 1 + index into `positions` of its last occurrence, chained through `previous`. */
    private readonly last: number[],
    private readonly positions: readonly number[],
    private readonly previous: readonly number[],
  ) {}

  passes(groups: readonly CompiledGroup[]): boolean {
    for (const group of groups) {
      if (this.satisfied[group.index] === 1) continue;
      if (this.ascii || group.beyondAscii === 'exact') return false;
      if (group.beyondAscii === 'loose' && !this.loosely(group)) return false;
    }
    return true;
  }

  occurs(groups: readonly CompiledGroup[], times: number): boolean {
    for (const group of groups) {
      if (!this.ascii && group.beyondAscii !== 'exact') {
        // Occurrences as substrings are not counted: any at all counts as often enough.
        if (group.beyondAscii === 'loose' && !this.loosely(group)) return false;
        continue;
      }
      const tokens = this.vocabulary.groupTokens[group.index]!;
      let n = 0;
      for (let i = 0; i < tokens.length; i++) if (this.tokens[tokens[i]!] === 1) n = times;
      const words = this.vocabulary.groupWords[group.index]!;
      for (let i = 0; i < words.length && n < times; i++) n += this.count(words[i]!);
      if (n < times) return false;
    }
    return true;
  }

  count(word: number): number {
    const tracked = this.vocabulary.trackIds[word]!;
    if (tracked < 0) throw new Error(`word not tracked: ${this.vocabulary.words[word]}`);
    return this.counts[tracked] ?? 0;
  }

  first(word: number): number {
    const tracked = this.vocabulary.trackIds[word]!;
    if (tracked < 0) throw new Error(`word not tracked: ${this.vocabulary.words[word]}`);
    return (this.last[tracked] ?? 0) - 1;
  }

  position(cursor: number): number {
    return this.positions[cursor]!;
  }

  next(cursor: number): number {
    return this.previous[cursor]!;
  }

  /** Some word of the group occurs anywhere in the text (not necessarily at a word start), or a token. */
  private loosely(group: CompiledGroup): boolean {
    const tokens = this.vocabulary.groupTokens[group.index]!;
    for (let i = 0; i < tokens.length; i++) if (this.tokens[tokens[i]!] === 1) return true;
    const words = this.vocabulary.groupWords[group.index]!;
    for (let i = 0; i < words.length; i++) {
      const word = this.vocabulary.words[words[i]!]!;
      let found = this.substrings.get(word);
      if (found === undefined) {
        found = this.text.includes(word);
        this.substrings.set(word, found);
      }
      if (found) return true;
    }
    return false;
  }

  has(token: string): boolean {
    const id = this.vocabulary.tokenIds.get(token);
    if (id === undefined) throw new Error(`token not scanned: ${token}`);
    return this.tokens[id] === 1;
  }
}

/**
 * A scanner for the anchors of the given patterns, plus `extraTokens` to report through `Probe.has`.
 * `tracked`: word-start anchors whose occurrences are counted and located (Probe.count, Probe.first,
 * Probe.occurs); they are scanned for even when no group needs them.
 * Word-start anchors (words and phrases) are found by `\b(?:a1|a2|...)`, substring tokens by plain
 * alternations (tries); each search resumes one character after a hit, so overlapping anchors are all seen.
 * Where several start at one position the longest is reported, and the ones it starts with are credited
 * from a table.
 */
export function createAnchorScanner(
  patterns: readonly PatternAnchors[],
  extraTokens: readonly string[] = [],
  tracked: readonly string[] = [],
): AnchorScanner {
  const words = [...new Set([...patterns.flatMap((p) => p.groups.flatMap((g) => g.words)), ...tracked])];
  const tokens = [...new Set([...patterns.flatMap((p) => p.groups.flatMap((g) => g.subs)), ...extraTokens])];
  const wordIds = new Map(words.map((word, id) => [word, id]));
  const tokenIds = new Map(tokens.map((token, id) => [token, id]));
  const trackedSet = [...new Set(tracked)];
  const trackIds = new Int32Array(words.length).fill(-1);
  trackedSet.forEach((word, i) => {
    trackIds[wordIds.get(word)!] = i;
  });
  const vocabulary: Vocabulary = {
    words,
    wordIds,
    wordIndex: new HashIndex(words),
    tokenIndex: new HashIndex(tokens),
    wordPrefixes: prefixTable(words, wordIds),
    trackIds,
    wordGroups: words.map(() => []),
    groupWords: [],
    tokens,
    tokenIds,
    tokenPrefixes: prefixTable(tokens, tokenIds),
    tokenGroups: tokens.map(() => []),
    groupTokens: [],
  };
  const groupWords = vocabulary.groupWords as Int32Array[];
  const groupTokens = vocabulary.groupTokens as Int32Array[];
  // Global regexes shared between calls: scan() sets lastIndex before every use and runs synchronously.
  const wordRe = words.length === 0 ? null : new RegExp(`\\b${trieSource(words)}`, 'g');
  // Short flat alternations (longest first), which V8 scans with a skip table. Its speed depends on how
  // often the first characters occur: tokens starting with a letter, with punctuation common in prose, and
  // with rarer characters are kept in separate passes, each several times cheaper than one merged pass.
  // Tokens starting beyond ASCII (Chinese, Cyrillic...) are a trie, and only looked for in text that has
  // such characters at all.
  const flat = (list: readonly string[]): RegExp | null =>
    list.length === 0
      ? null
      : new RegExp(
          [...list]
            .sort((a, b) => (a < b ? 1 : a > b ? -1 : 0))
            .map(escape)
            .join('|'),
          'g',
        );
  const asciiTokenRes = [/^\w/, /^[.,\-'":;()]/, /^[^\w.,\-'":;()\u0080-\uffff]/].flatMap((kind) => {
    const re = flat(tokens.filter((t) => kind.test(t)));
    return re === null ? [] : [re];
  });
  const wide = tokens.filter((t) => t.charCodeAt(0) >= 0x80);
  const wideTokenRe = wide.length === 0 ? null : new RegExp(trieSource(wide), 'g');
  // The characters wide tokens start with: most non-ASCII text (a curly quote, an emoji) has none of them,
  // and then the (slow, on such text) wide pass is skipped. Looked for from the first non-ASCII character.
  const wideFirst = new RegExp(`[${escape([...new Set(wide.map((t) => t[0]!))].join(''))}]`, 'g');

  return {
    compile(anchors: PatternAnchors, caseKept = false): CompiledGroup[] {
      return anchors.groups.map((group) => {
        const index = groupWords.length;
        const wordIds = group.words.map((w) => vocabulary.wordIds.get(w)!);
        const tokenIds = group.subs.map((s) => vocabulary.tokenIds.get(s)!);
        groupWords.push(Int32Array.from(wordIds));
        groupTokens.push(Int32Array.from(tokenIds));
        for (const id of wordIds) vocabulary.wordGroups[id]!.push(index);
        for (const id of tokenIds) vocabulary.tokenGroups[id]!.push(index);
        const beyondAscii = anchors.nonAscii ? 'skip' : caseKept ? 'loose' : 'exact';
        return { index, beyondAscii };
      });
    },
    wordId(word: string): number {
      return vocabulary.wordIds.get(word) ?? -1;
    },
    tracks(word: number): boolean {
      return trackIds[word] !== undefined && trackIds[word]! >= 0;
    },
    scan(lower: string, ascii: boolean): Probe {
      const counts: number[] = [];
      const found: number[] = [];
      const satisfied: number[] = [];
      const last: number[] = [];
      const positions: number[] = [];
      const previous: number[] = [];
      if (wordRe !== null) {
        wordRe.lastIndex = 0;
        for (let m = wordRe.exec(lower); m !== null; m = wordRe.exec(lower)) {
          const start = m.index;
          const prefixes = vocabulary.wordPrefixes[vocabulary.wordIndex.find(lower, start, m[0])]!;
          for (let i = 0; i < prefixes.length; i++) {
            const p = prefixes[i]!;
            const groups = vocabulary.wordGroups[p]!;
            for (let g = 0; g < groups.length; g++) satisfied[groups[g]!] = 1;
            const t = trackIds[p]!;
            if (t < 0) continue;
            counts[t] = (counts[t] ?? 0) + 1;
            previous.push((last[t] ?? 0) - 1);
            positions.push(start);
            last[t] = positions.length;
          }
          // Phrases span word starts: resume right after this one so that none is skipped.
          wordRe.lastIndex = start + 1;
        }
      }
      let wideToo = false;
      if (!ascii && wideTokenRe !== null) {
        wideFirst.lastIndex = Math.max(0, lower.search(NON_ASCII));
        wideToo = wideFirst.test(lower);
      }
      for (const tokenRe of wideToo ? [...asciiTokenRes, wideTokenRe!] : asciiTokenRes) {
        tokenRe.lastIndex = 0;
        for (let m = tokenRe.exec(lower); m !== null; m = tokenRe.exec(lower)) {
          const prefixes = vocabulary.tokenPrefixes[vocabulary.tokenIndex.find(lower, m.index, m[0])]!;
          for (let i = 0; i < prefixes.length; i++) {
            const p = prefixes[i]!;
            if (found[p] === 1) continue;
            found[p] = 1;
            const groups = vocabulary.tokenGroups[p]!;
            for (let g = 0; g < groups.length; g++) satisfied[groups[g]!] = 1;
          }
          tokenRe.lastIndex = m.index + 1;
        }
      }
      return new ScanProbe(lower, ascii, vocabulary, counts, found, satisfied, last, positions, previous);
    },
  };
}
