// Which words a regex cannot match without: derived from the pattern source once, at start-up, so a cheap
// one-pass word scan can skip every pattern whose words are absent from a text. The derivation only ever
// claims what holds for every possible match, so skipping never changes a result (see AnchorGroup).
import {
  after,
  hasAssertion,
  isWord,
  leadsAtWordStart,
  nodeWordOnly,
  parseRegex,
  prefixes,
  seqStrings,
  startsNonAscii,
  topLevel,
  type Seq,
} from './regex-structure.js';

/**
 * A necessary condition of a pattern: every match contains, at a word start (a position where `\b` holds
 * before a word character), a word beginning with one of `words`, or contains one of `subs` anywhere.
 * Words are lower-case runs of [a-z0-9_], ready to look up in the lower-cased text the pattern runs on.
 */
export interface AnchorGroup {
  readonly words: readonly string[];
  readonly subs: readonly string[];
  /** Rough share of ordinary prompts that satisfy the group (see frequency()): lower is more selective. */
  readonly pass: number;
}

export interface PatternAnchors {
  /** All must hold for a match (conjunction). Empty: nothing is known, the pattern must always run. */
  readonly groups: readonly AnchorGroup[];
  /**
   * Some alternative can only start with a non-ASCII character (Chinese, Cyrillic...): `groups` then say
   * nothing about text containing non-ASCII characters.
   */
  readonly nonAscii: boolean;
  /** Literal strings (original case) that every match starts with; null when unknown. */
  readonly leads: readonly string[] | null;
  /** Every match consists of word characters only, so it lies inside one word of the text. */
  readonly singleWord: boolean;
  /** Every match starts at a word start (after \b or ^): no match can begin inside another one's word. */
  readonly wordStart: boolean;
  /**
   * Where matches can start: every match (in the branches not starting with a non-ASCII character) has one
   * of these words at a word start, `offset` characters after its own start. Null when that is not known or
   * the words are too common to be worth it. A test of the pattern can then be replaced by sticky tests at
   * (word position − offset).
   */
  readonly starts: readonly StartAnchor[] | null;
}

export interface StartAnchor {
  readonly word: string;
  readonly offset: number;
}

const MAX_SUB_CHARS = 4;
const MAX_PHRASE_CHARS = 24;
// Substrings in one group at most: each is a token the scan looks for (a union of branches may need more).
const MAX_SUBS = 8;
const MAX_UNION_SUBS = 32;
// Words so common that a group made of them filters little; they are used only when nothing better exists.
const COMMON = new Set(
  (
    'a an the and or of to in on at as is are was were be been it its this that these those you your i me my ' +
    'we us our he she they them his her their do does did not no nor so if for from with by all any can will ' +
    'would should must may might have has had new now just only also then than what who how why when don'
  ).split(' '),
);
// Frequent in ordinary prompts (measured on benign prompts: each starts a word in more than about 1% of
// them), so a poor filter, though better than the words above.
const FREQUENT = new Set(
  (
    'about above act add after answer ask avoid before begin best block book break build call change code ' +
    'content create data date day design down each email end even every example explain first follow ' +
    'following give go good help here human imagine include inform input keep know language learn line list ' +
    'make message mode model name need note number open order output part pass people persona place play ' +
    'point program project provide question questions read real remember reply report request research ' +
    'response result return role rule run safe say section see set share show start state step story ' +
    'summar system take task tell text thing think time type understand use used user using value version ' +
    'want way ways while word work world write'
  ).split(' '),
);

// How selective an anchor is, roughly: longer words are rarer, two-letter prefixes and common words match
// nearly every text. A substring costs a search of its own, so it ranks in the middle.
// Rare in prose: a substring holding such a character ('<|', '![', '{{') or a doubled punctuation mark
// ('"""', '--') is a good filter by itself.
const RARE_CHAR = /[<>[\]{}|!@#$%^&*`~\\/=+_]|[\u0080-\uffff]|(["'.,:;-])\1/;

/**
 * Rough share of prompts in which an anchor occurs: common words nearly always, longer words rarely. Only
 * used to choose among necessary groups, so a poor guess costs speed, never correctness.
 */
function frequency(anchor: string, sub: boolean): number {
  if (sub) return RARE_CHAR.test(anchor) ? 0.005 : 0.2;
  // A phrase is rarer than its rarest word, and rarer still the more words it holds.
  const words = anchor.split(/[^a-z0-9_]+/).filter((w) => w !== '');
  let rarest = 1;
  for (const word of words) rarest = Math.min(rarest, wordFrequency(word));
  return rarest * 0.2 ** Math.max(0, words.length - 1);
}

function wordFrequency(word: string): number {
  if (word.length <= 2 || COMMON.has(word)) return 0.3;
  if (FREQUENT.has(word)) return 0.03;
  return [0.02, 0.005, 0.002][word.length - 3] ?? 0.001;
}

/** A group is worth checking on its own when it passes for at most this share of prompts. */
const SELECTIVE = 0.15;

interface Candidate {
  readonly group: AnchorGroup;
  /** Estimated share of prompts that satisfy the group (sum of its anchors' frequencies). */
  readonly pass: number;
}

function candidate(words: readonly string[], subs: readonly string[]): Candidate {
  let pass = 0;
  for (const w of words) pass += frequency(w, false);
  for (const s of subs) pass += frequency(s, true);
  return { group: { words, subs, pass: Math.min(1, pass) }, pass: Math.min(1, pass) };
}

/** The best anchor of one literal prefix: its rarest word at a word start, else the string itself. */
function anchorOf(text: string, wordStart: boolean): { anchor: string; sub: boolean } | null {
  const best = phraseOf(text, wordStart);
  if (best !== null) return { anchor: best.phrase, sub: false };
  const sub = tokenOf(text);
  return sub === null ? null : { anchor: sub, sub: true };
}

/**
 * The most selective word-start anchor in a literal: the rest of the literal from one of its word starts,
 * lower-cased and cut to MAX_PHRASE_CHARS ('do not follow', 'system prompt', 'ignore'). A phrase is a
 * stronger requirement than any of its words, and still one that every match meets.
 */
function phraseOf(text: string, wordStart: boolean): { phrase: string; offset: number } | null {
  let best: { phrase: string; offset: number } | null = null;
  for (let k = 0; k < text.length; k++) {
    if (!isWord(text[k]!) || (k === 0 ? !wordStart : isWord(text[k - 1]!))) continue;
    const phrase = text
      .slice(k, k + MAX_PHRASE_CHARS)
      .toLowerCase()
      .trimEnd();
    if (phrase.length >= 2 && (best === null || frequency(phrase, false) < frequency(best.phrase, false))) {
      best = { phrase, offset: k };
    }
  }
  return best;
}

/**
 * A substring to search for when a literal has no usable word: from its first non-word character on, 2 to
 * MAX_SUB_CHARS characters ('<|im', '[/in', '.a.n' of 'd.a.n'); a leading space would match nearly
 * everywhere and is not used. A literal that is all letters but not at a word start ('beweise' in
 * `|beweise|`) is its own token when long enough to be rare (the first 6 letters).
 */
function tokenOf(text: string): string | null {
  let at = 0;
  while (at < text.length && isWord(text[at]!)) at++;
  if (at >= 5 && at === text.length) return text.slice(0, 6).toLowerCase();
  const sub = text.slice(at, at + MAX_SUB_CHARS).toLowerCase();
  return sub.length >= 2 && !/^\s/.test(sub) ? sub : null;
}

function candidateOf(texts: readonly string[], wordStart: boolean): Candidate | null {
  const words = new Set<string>();
  const subs = new Set<string>();
  for (const text of texts) {
    const found = anchorOf(text, wordStart);
    if (found === null) return null;
    (found.sub ? subs : words).add(found.anchor);
  }
  if (subs.size > MAX_SUBS) return null;
  // An anchor that starts with another one in the group adds nothing: the shorter one is found anyway.
  const kept = [...words].filter((w) => ![...words].some((o) => o !== w && w.startsWith(o)));
  return candidate(kept, [...subs]);
}

/**
 * The literal prefixes themselves as substrings, when each holds punctuation ('<|im', '![', 'c++'): such a
 * substring is rare in prose and one search finds it. Shortened to 4 characters; a substring that another
 * one begins with is redundant.
 */
function substringsOf(texts: readonly string[]): Candidate | null {
  const tokens = texts.map(tokenOf);
  if (tokens.some((t) => t === null || !RARE_CHAR.test(t))) return null;
  const subs = [...new Set(tokens as string[])].sort();
  const kept = subs.filter((sub) => !subs.some((other) => other !== sub && sub.startsWith(other)));
  return kept.length <= MAX_SUBS ? candidate([], kept) : null;
}

/** Every group that each match of `seq` must satisfy, best first. */
function candidates(seq: Seq, start: boolean): Candidate[] {
  const out: Candidate[] = [];
  let state = start;
  for (let i = 0; i < seq.length; i++) {
    const term = seq[i]!;
    // Within a run of literal characters only the run's start is a useful place to look: the phrases found
    // there already cover every word start in the run (a later one would only be implied by them).
    const previous = seq[i - 1];
    const inRun =
      previous !== undefined &&
      previous.min === 1 &&
      previous.max === 1 &&
      (previous.node.kind === 'char' || (previous.node.kind === 'set' && previous.node.chars !== null));
    if (term.min >= 1 && term.node.kind !== 'zero' && !inRun) {
      const texts = prefixes(seq, i);
      const literal = texts === null ? null : candidateOf(texts, state);
      if (literal !== null) out.push(literal);
      const subs = texts === null ? null : substringsOf(texts);
      if (subs !== null) out.push(subs);
      // Inside a group each branch may assert its own word start (`(?:\bfoo|\bbar)`): look there too.
      if (term.node.kind === 'group') {
        const inner = union(term.node.alts.map((alt) => candidates(alt, state)[0] ?? null));
        if (inner !== null) out.push(inner);
      }
    }
    state = after(term, state);
  }
  return out.sort((a, b) => a.pass - b.pass);
}

function union(parts: readonly (Candidate | null)[]): Candidate | null {
  if (parts.length === 0 || parts.some((p) => p === null)) return null;
  const words = new Set<string>();
  const subs = new Set<string>();
  for (const part of parts as Candidate[]) {
    part.group.words.forEach((w) => words.add(w));
    part.group.subs.forEach((s) => subs.add(s));
  }
  if (subs.size > MAX_UNION_SUBS) return null;
  return candidate([...words], [...subs]);
}

/** For each literal prefix of every branch, its rarest word and that word's offset (PatternAnchors.starts). */
function startAnchors(alts: readonly Seq[]): StartAnchor[] | null {
  const out = new Map<string, StartAnchor>();
  for (const alt of alts) {
    // Positions of non-ASCII literals are not scanned for: such a branch leaves its starts unknown.
    if (startsNonAscii(alt)) return null;
    const heads = prefixes(alt, 0);
    if (heads === null) return null;
    const leading = leadsAtWordStart(alt, 0, false);
    for (const head of heads) {
      const best = phraseOf(head, leading);
      // A start anchor is scanned for on every text: a common word or two would cost more than it saves.
      if (best === null || frequency(best.phrase, false) > 0.03) return null;
      out.set(`${best.phrase}@${best.offset}`, { word: best.phrase, offset: best.offset });
    }
  }
  return out.size > 0 ? [...out.values()] : null;
}

/** One branch of a word pattern: `\b` + a literal word, with `\b` after it when `whole`. */
export interface WordForm {
  readonly word: string;
  readonly whole: boolean;
}

/**
 * The branches of a pattern that is nothing but words at word starts (`\bplan\b|\bconcurren`,
 * `\b(?:write|analy[sz]e)\b`), spelled out; null for any other pattern. Such a pattern matches exactly
 * where one of its words starts a word (and, when `whole`, ends one), so word positions answer it.
 */
export function wordForms(pattern: RegExp): readonly WordForm[] | null {
  if (pattern.flags !== '') return null;
  let alts: readonly Seq[];
  try {
    alts = parseRegex(pattern.source, false);
  } catch {
    return null;
  }
  // `\b(?:a|b)\b` reads as one branch holding a group: spell it out as branches `\ba\b`, `\bb\b`.
  const out: WordForm[] = [];
  for (const alt of alts) {
    const first = alt[0];
    const last = alt[alt.length - 1];
    if (first === undefined || first.node.kind !== 'zero' || first.node.effect !== 'start' || first.max !== 1)
      return null;
    const whole = alt.length > 1 && last!.node.kind === 'zero' && last!.node.effect === 'start';
    const body = alt.slice(1, whole ? -1 : undefined);
    // Any other assertion (a lookahead such as `(?! belt)`) asks more than word positions can tell.
    if (body.some((term) => hasAssertion(term.node))) return null;
    const words = seqStrings(body);
    if (words === null || words.some((w) => !/^[a-z0-9_]+$/.test(w))) return null;
    for (const word of words) out.push({ word, whole });
  }
  return out;
}

/**
 * Every string the pattern can match, when it is a finite set of literals (`\bvector space`,
 * `\bstate[- ]space`); null otherwise. Assertions are ignored (they only restrict where a string matches).
 */
export function literalStrings(pattern: RegExp): readonly string[] | null {
  if (pattern.flags !== '') return null;
  let alts: readonly Seq[];
  try {
    alts = parseRegex(pattern.source, false);
  } catch {
    return null;
  }
  const out: string[] = [];
  for (const alt of alts) {
    const strings = seqStrings(alt);
    if (strings === null) return null;
    out.push(...strings);
  }
  return out;
}

/**
 * Necessary word and substring anchors of a pattern (see AnchorGroup). Groups found in a single-branch
 * pattern are all kept when selective (see SELECTIVE), else the best two; a pattern with several branches gets
 * the union of each branch's best (and of the runners-up).
 */
export function analyzePattern(pattern: RegExp): PatternAnchors {
  // Flags that change what the syntax means (unicode sets, multiline anchors, dotAll) are not modelled; nor
  // are back-references. Such a pattern gets no anchors: it always runs.
  const unknown: PatternAnchors = {
    groups: [],
    nonAscii: true,
    leads: null,
    singleWord: false,
    wordStart: false,
    starts: null,
  };
  if (/[^gi]/.test(pattern.flags)) return unknown;
  let parsed: Seq[];
  try {
    parsed = parseRegex(pattern.source, pattern.flags.includes('i'));
  } catch {
    return unknown;
  }
  const alts = topLevel(parsed);
  const leads: string[] = [];
  let leadsKnown = true;
  for (const alt of alts) {
    const heads = prefixes(alt, 0);
    if (heads === null) leadsKnown = false;
    else leads.push(...heads);
  }
  const singleWord = alts.every((alt) => alt.every((t) => nodeWordOnly(t.node)));
  const wordStart = alts.every((alt) => leadsAtWordStart(alt, 0, false));
  let nonAscii = false;
  const branches: Candidate[][] = [];
  for (const alt of alts) {
    const found = candidates(alt, false);
    // A branch that needs a non-ASCII character cannot match ASCII text, whatever its anchors: without
    // any, it only keeps the groups from describing other text.
    if (found.length === 0 && startsNonAscii(alt)) {
      nonAscii = true;
      continue;
    }
    if (found.length === 0) {
      return { groups: [], nonAscii, leads: leadsKnown ? leads : null, singleWord, wordStart, starts: null };
    }
    branches.push(found);
  }
  let groups: AnchorGroup[];
  // Every branch starts with a non-ASCII character: an empty group, never satisfied by ASCII text.
  if (branches.length === 0) groups = [{ words: [], subs: [], pass: 0 }];
  else if (branches.length === 1) {
    const found = branches[0]!;
    const good = found.filter((c) => c.pass <= SELECTIVE);
    groups = (good.length > 0 ? good : found.slice(0, 2)).map((c) => c.group);
  } else {
    // One group from each branch's best anchors; a second from the runners-up when every branch has one.
    groups = [0, 1].flatMap((rank) => {
      const merged = union(branches.map((found) => found[rank] ?? null));
      return merged === null ? [] : [merged.group];
    });
  }
  const unique = new Map(groups.map((g) => [JSON.stringify([g.words, g.subs]), g]));
  return {
    groups: [...unique.values()],
    nonAscii,
    leads: leadsKnown ? leads : null,
    singleWord,
    wordStart,
    starts: startAnchors(alts),
  };
}
