// Direction check: "translate from English to French" and "from French to English" hold the same words, so
// their embeddings are nearly equal, but each asks for the other's opposite. Likewise "convert a list to a
// dict" / "a dict to a list", "migrate from MySQL to PostgreSQL", "is Python faster than Java". The words
// that say which way (from, to, into, than, towards…) are the same in both prompts; what moved is which
// word each one governs. Without a preposition the order of two names says it: "Did Brazil beat Germany?".
import { inflect } from './inflect.js';
import { listOrder } from './same-list.js';
import type { Analysis, Token } from './tokenize.js';

/** Prepositions whose object is a role (source, target, the thing compared against, the opponent). */
const MARKERS: ReadonlySet<string> = new Set([
  'from',
  'to',
  'into',
  'onto',
  'than',
  'towards',
  'toward',
  'against',
  'over',
  'with',
]);

function wordList(...lines: string[]): string[] {
  return lines.join(' ').split(' ');
}

// "to" is mostly an infinitive ("to install", "to get the next item"): it marks a target only after a verb or
// noun of moving or turning one thing into another, after "prefer", or after a "from" in the same sentence.
const TO_NOUNS: ReadonlySet<string> = new Set(
  wordList('translation translations translator conversion converter migration migrations'),
);
const TO_CUES: ReadonlySet<string> = new Set([
  ...wordList(
    'convert translate migrate switch move transfer port cast map send go travel fly drive redirect copy',
    'forward change rename rewrite compile transpile route pipe ship prefer',
  ).flatMap(inflect),
  ...wordList('went gone sent flew flown flies drove driven rewrote rewritten'),
  ...TO_NOUNS,
  'from',
]);

// "with" is mostly company ("Python with NumPy"): it names what comes in only after a verb of replacing.
const WITH_CUES: ReadonlySet<string> = new Set(wordList('replace substitute swap').flatMap(inflect));

// A "from" or "to" after these relates two things both ways: "how far is London from Paris", "the distance
// from A to B", "how is Python different from Java".
const TWO_WAY_CUES: ReadonlySet<string> = new Set(
  wordList(
    'far distance distances different differ differs differed difference differences apart distinct',
    'separate separated',
  ),
);

// Skipped between a marker and its object: determiners, possessives and quantifiers ("to a dict", "to my bank
// account", "from either a folder or …").
const SKIPPED: ReadonlySet<string> = new Set(
  wordList(
    'a an the my your his her its our their this that these those some any another each every either both all',
  ),
);

// Where a marker's phrase ends: another preposition or a conjunction ("from MySQL to …", "a list in Python").
const PHRASE_ENDS: ReadonlySet<string> = new Set(
  wordList('in on at with for of by via using and or but while when if then as'),
);

/** Words of a marker's phrase kept: "to a new empty list" holds new, empty, list. */
const PHRASE_WORDS = 3;

/** How far back from a marker the words that qualify it are looked for. */
const LOOKBACK = 6;

/** A plural and its singular are one role: "to lists" and "to a list". */
function stem(word: string): string {
  return word.length > 3 && word.endsWith('s') && !word.endsWith('ss') ? word.slice(0, -1) : word;
}

interface Roles {
  /** The first word each use of the marker governs. */
  readonly heads: Set<string>;
  /** Every word of its phrases. */
  readonly phrase: Set<string>;
}

/** Whether a word of `cues` comes at most LOOKBACK words before position `at`, in the same sentence. */
function cuedBefore(tokens: readonly Token[], at: number, cues: ReadonlySet<string>): boolean {
  for (let k = at - 1; k >= 0 && k >= at - LOOKBACK; k--) {
    const t = tokens[k]!;
    if (cues.has(t.norm)) return true;
    if (t.sentenceStart) break;
  }
  return false;
}

/** Whether this use of the marker names a role at all. */
function namesRole(tokens: readonly Token[], at: number, marker: string): boolean {
  if ((marker === 'from' || marker === 'to') && cuedBefore(tokens, at, TWO_WAY_CUES)) return false;
  if (marker === 'with') return cuedBefore(tokens, at, WITH_CUES);
  if (marker !== 'to') return true;
  // "English to Spanish: good morning": a "to" right after the first word of a sentence joins two names;
  // "the English to French translation": a noun of converting after the pair.
  return (
    tokens[at - 1]?.sentenceStart === true ||
    cuedBefore(tokens, at, TO_CUES) ||
    cuedAfter(tokens, at, TO_NOUNS)
  );
}

/** Whether a word of `cues` comes at most PHRASE_WORDS + 1 words after position `at`, in the same sentence. */
function cuedAfter(tokens: readonly Token[], at: number, cues: ReadonlySet<string>): boolean {
  for (let k = at + 1; k < tokens.length && k <= at + PHRASE_WORDS + 1; k++) {
    const t = tokens[k]!;
    if (t.sentenceStart) break;
    if (cues.has(t.norm)) return true;
  }
  return false;
}

/** Marker → the stems it governs in this prompt; `shown` keeps each stem's first spelling for the detail. */
function rolesOf(a: Analysis, shown: Map<string, string>): Map<string, Roles> {
  const roles = new Map<string, Roles>();
  const tokens: readonly Token[] = a.tokens;
  for (let i = 0; i < tokens.length; i++) {
    const marker = tokens[i]!.norm;
    if (!MARKERS.has(marker) || !namesRole(tokens, i, marker)) continue;
    let kept = 0;
    for (let j = i + 1; j < tokens.length && kept < PHRASE_WORDS; j++) {
      const t = tokens[j]!;
      if (t.sentenceStart) break;
      // "better to rent than to buy": the infinitive's "to" right after a marker is not a phrase of its own.
      if (t.norm === 'to' && j === i + 1) continue;
      // Another marker or a preposition ends the phrase.
      if (MARKERS.has(t.norm) || PHRASE_ENDS.has(t.norm)) break;
      // A capital "A" inside a sentence is a name ("from folder A to folder B"), not the article.
      if (SKIPPED.has(t.norm) && t.raw !== 'A') continue;
      let r = roles.get(marker);
      if (r === undefined) roles.set(marker, (r = { heads: new Set(), phrase: new Set() }));
      const w = stem(t.norm);
      if (!shown.has(w)) shown.set(w, t.norm);
      if (kept === 0) {
        r.heads.add(w);
        // The labelled head as well, not instead: a label that is no label ("… to Linux I think") changes
        // nothing the bare head decides.
        const label = labelOf(tokens[j + 1]);
        if (label !== undefined) {
          const head = `${w} ${label}`;
          if (!shown.has(head)) shown.set(head, `${t.norm} ${tokens[j + 1]!.raw}`);
          r.heads.add(head);
          r.phrase.add(head);
        }
      }
      r.phrase.add(w);
      kept++;
    }
  }
  return roles;
}

/**
 * A single capital letter or a number right after a word labels it: "folder A", "server 2", "step 3". A
 * labelled head is also read with its label ("from folder A to folder B" and back swap "folder a" and
 * "folder b", where the heads alone are "folder" both times).
 */
function labelOf(t: Token | undefined): string | undefined {
  if (t === undefined || t.sentenceStart) return undefined;
  if (t.kind === 'number') return t.norm;
  const c = t.raw.length === 1 ? t.raw.charCodeAt(0) : 0;
  return c >= 0x41 && c <= 0x5a ? t.norm : undefined;
}

function stems(a: Analysis): Set<string> {
  const out = new Set<string>();
  const tokens = a.tokens;
  for (let i = 0; i < tokens.length; i++) {
    const w = stem(tokens[i]!.norm);
    out.add(w);
    const label = labelOf(tokens[i + 1]);
    if (label !== undefined) out.add(`${w} ${label}`);
  }
  return out;
}

/** A word this marker governs here that the other prompt has, but not under this marker. */
function moved(heads: Set<string>, otherPhrase: Set<string>, otherWords: Set<string>): string | undefined {
  for (const w of heads) if (!otherPhrase.has(w) && otherWords.has(w)) return w;
  return undefined;
}

/**
 * Rejects when a marker both prompts use governs a word in one prompt that the other prompt also contains but
 * not in that role, and the same holds the other way round: the roles were swapped. Needing both sides keeps
 * a rewording that adds a role a match ("migrate my blog from WordPress to Hugo" / "migrate my WordPress blog
 * to Hugo from a shared host"). Symmetric by construction.
 */
export function directionDetail(a: Analysis, b: Analysis): string | undefined {
  const shown = new Map<string, string>();
  const ra = rolesOf(a, shown);
  if (ra.size === 0) return undefined;
  const rb = rolesOf(b, shown);
  if (rb.size === 0) return undefined;
  let wordsA: Set<string> | undefined;
  let wordsB: Set<string> | undefined;
  for (const [marker, rolesA] of ra) {
    const rolesB = rb.get(marker);
    if (rolesB === undefined) continue;
    wordsA ??= stems(a);
    wordsB ??= stems(b);
    const fromA = moved(rolesA.heads, rolesB.phrase, wordsB);
    if (fromA === undefined) continue;
    const fromB = moved(rolesB.heads, rolesA.phrase, wordsA);
    if (fromB !== undefined) return `${marker} ${shown.get(fromA)} vs ${marker} ${shown.get(fromB)}`;
  }
  return undefined;
}

// Words that join two names without ordering them: "Python and Java", "tabs or spaces", "Python vs Java"; and
// the copula, which orders nothing by itself ("Datasets is a tool" / "a tool called Datasets").
const SYMMETRIC: ReadonlySet<string> = new Set(
  wordList(
    'and or nor vs vs. versus v between with both either plus the a an is are was were be been being am',
  ),
);

// Verbs of doing something together, which read the same both ways: "When did Brad Pitt marry Angelina
// Jolie?", "Did Federer play Nadal?", "How does Python compare with Java?".
const TWO_WAY_VERBS: ReadonlySet<string> = new Set([
  ...wordList('marry meet play date compare resemble fight face equal match').flatMap(inflect),
  ...wordList('married marries met fought'),
]);

const ARTICLES: ReadonlySet<string> = new Set(['the', 'a', 'an']);

/** How many words may stand between two names for their order to say who does what to whom. */
const NAME_GAP = 4;

/**
 * Names (capitalised words inside a sentence) by first position; none in title-case text. "I", "I've", "I'm"…
 * are not names. A sentence's first word is one only when it is in `known`: capitals say nothing there, but
 * "Brazil beat Germany?" / "Germany beat Brazil?" names each country mid-sentence in one of the two prompts.
 */
function namesOf(a: Analysis, known?: ReadonlySet<string>): Map<string, number> {
  const names = new Map<string, number>();
  let words = 0;
  let capitalised = 0;
  a.tokens.forEach((t, i) => {
    if (t.kind !== 'word') return;
    // A noun after an article is a participant too: "the cat chased the dog" / "the dog chased the cat".
    const prev = a.tokens[i - 1];
    if (!t.sentenceStart && prev !== undefined && ARTICLES.has(prev.norm) && !names.has(t.norm))
      names.set(t.norm, i);
    if (t.sentenceStart) {
      if (known?.has(t.norm) === true && !names.has(t.norm)) names.set(t.norm, i);
      return;
    }
    words++;
    const c = t.raw.charCodeAt(0);
    if (c < 0x41 || c > 0x5a) return;
    capitalised++;
    if (t.norm !== 'i' && !t.norm.startsWith("i'") && !names.has(t.norm)) names.set(t.norm, i);
  });
  // (Nearly) every word capitalised, a title or shouting: capitals say nothing about names.
  return words >= 4 && capitalised >= words * 0.8 ? new Map() : names;
}

/**
 * "Did Brazil beat Germany?" and "Did Germany beat Brazil?": two names both prompts hold, in the opposite order,
 * each time at most NAME_GAP words apart in one sentence with a word between them that orders them (see
 * `ordering`). Only names close together in `a` are paired, so long prompts cost no more than their length.
 */
export function nameOrderDetail(a: Analysis, b: Analysis): string | undefined {
  const midA = namesOf(a);
  const midB = namesOf(b);
  if (midA.size + midB.size < 2) return undefined;
  // Both prompts' names, so that either may vouch for a sentence-start word of the other (and the verdict
  // stays symmetric).
  const known = new Set([...midA.keys(), ...midB.keys()]);
  const na = namesOf(a, known);
  if (na.size < 2) return undefined;
  const nb = namesOf(b, known);
  if (nb.size < 2) return undefined;
  const shared = [...na].filter(([n]) => nb.has(n));
  // In order of position in `a` (a Map keeps first-appearance order): the inner loop stops at the gap.
  for (let i = 0; i < shared.length; i++) {
    const [x, ax] = shared[i]!;
    for (let j = i + 1; j < shared.length; j++) {
      const [y, ay] = shared[j]!;
      if (ay - ax - 1 > NAME_GAP) break;
      const [bx, by] = [nb.get(x)!, nb.get(y)!];
      if (bx < by) continue;
      if (ordering(a, na, ax, ay) && ordering(b, nb, by, bx)) return `${x} … ${y} vs ${y} … ${x}`;
    }
  }
  return undefined;
}

/** Longest participant `swapDetail` reads ("hair loss", "the New York Times" is four: not one). */
const SWAP_SPAN = 3;

/**
 * "Do cats chase dogs?" / "Do dogs chase cats?", "Does stress cause hair loss?" / "Does hair loss cause
 * stress?": the same tokens in the same places except two runs of words (≤ SWAP_SPAN each) that traded
 * places, with a word between them that orders them (`ordering`, the runs' words as the names). Catches
 * participants that neither capitals nor an article mark; a prompt that is otherwise reworded is left to the
 * other checks, so that a paraphrase which moves words around is never read as a swap.
 */
export function swapDetail(a: Analysis, b: Analysis): string | undefined {
  const n = a.tokens.length;
  if (n !== b.tokens.length) return undefined;
  const same = (i: number, j: number) => a.tokens[i]!.norm === b.tokens[j]!.norm;
  let start = 0;
  while (start < n && same(start, start)) start++;
  if (start === n) return undefined;
  let end = n;
  while (same(end - 1, end - 1)) end--;
  // a: X M Y, b: Y M X within [start, end).
  for (let lx = 1; lx <= SWAP_SPAN; lx++) {
    for (let ly = 1; ly <= SWAP_SPAN; ly++) {
      const middle = end - start - lx - ly;
      if (middle < 1) break;
      // Counted from each run's first word: "Alice emailed detailed quarterly budget reports Bob wanted" and
      // "Bob wanted detailed quarterly budget reports Alice emailed" say the same.
      if (end - ly - start - 1 > NAME_GAP || end - lx - start - 1 > NAME_GAP) continue;
      let swapped = true;
      for (let k = 0; swapped && k < ly; k++) swapped = same(end - ly + k, start + k);
      for (let k = 0; swapped && k < middle; k++) swapped = same(start + lx + k, start + ly + k);
      for (let k = 0; swapped && k < lx; k++) swapped = same(start + k, end - lx + k);
      if (!swapped) continue;
      const x = a.tokens.slice(start, start + lx);
      const y = a.tokens.slice(end - ly, end);
      if (![...x, ...y].every((t) => t.kind === 'word')) continue;
      const names = new Set([...x, ...y].map((t) => t.norm));
      // The words between are the same on both sides.
      const [p, q] = [start + lx - 1, end - ly];
      if (!ordering(a, names, p, q) || !ordering(b, names, start + ly - 1, end - lx)) continue;
      const [xs, ys] = [x.map((t) => t.norm).join(' '), y.map((t) => t.norm).join(' ')];
      return `${xs} … ${ys} vs ${ys} … ${xs}`;
    }
  }
  return undefined;
}

/**
 * Whether the words between positions p < q relate the two names one way: in one sentence, no preposition,
 * conjunction or marker among them (those are the direction check's, or make a passive or a setting: "Germany
 * was beaten by Brazil", "install Python on Windows"), no verb that reads both ways, and one word that is
 * neither a symmetric joiner nor part of a name ("Hillary Clinton or Donald Trump" does not order them).
 */
function ordering(a: Analysis, names: { has(word: string): boolean }, p: number, q: number): boolean {
  if (q - p - 1 > NAME_GAP || q - p < 2) return false;
  let relating = false;
  for (let k = p + 1; k < q; k++) {
    const t = a.tokens[k]!;
    if (t.sentenceStart || MARKERS.has(t.norm) || PHRASE_ENDS.has(t.norm) || TWO_WAY_VERBS.has(t.norm))
      return false;
    if (!SYMMETRIC.has(t.norm) && !names.has(t.norm)) relating = true;
  }
  return relating;
}

const LIST_JOINERS: ReadonlySet<string> = new Set(wordList('and or nor vs vs. versus &'));

/** Runs of adjacent name tokens ("new york") with the skeleton around them: each run a "§" slot. */
function slots(a: Analysis, names: ReadonlyMap<string, number>): { skeleton: string[]; units: Unit[] } {
  const skeleton: string[] = [];
  const units: Unit[] = [];
  const tokens = a.tokens;
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i]!;
    if (t.kind !== 'word' || !names.has(t.norm)) {
      // "a Windows laptop" and "an Apple laptop" are the same frame.
      skeleton.push(t.norm === 'an' ? 'a' : t.norm);
      continue;
    }
    const from = i;
    while (i + 1 < tokens.length && tokens[i + 1]!.kind === 'word' && names.has(tokens[i + 1]!.norm)) i++;
    units.push({
      name: tokens
        .slice(from, i + 1)
        .map((x) => x.norm)
        .join(' '),
      from,
      to: i,
    });
    skeleton.push('§');
  }
  return { skeleton, units };
}

interface Unit {
  readonly name: string;
  readonly from: number;
  readonly to: number;
}

/** The names in order, except that names joined only by "and"/"or"/"vs" ("China or India") have none. */
function nameSequence(a: Analysis, units: readonly Unit[]): string[] {
  return listOrder(
    units.map((u) => u.name),
    (k) => {
      for (let i = units[k - 1]!.to + 1; i < units[k]!.from; i++)
        if (!LIST_JOINERS.has(a.tokens[i]!.norm)) return false;
      return true;
    },
  );
}

/**
 * "What time is it in New York when it's noon in Tokyo?" / the cities swapped, "Does a Windows laptop work
 * with an Apple monitor?" / "an Apple laptop … a Windows monitor": every word the same and in place except
 * the names, which traded places however far apart. Only prompts with the same frame around the names (a
 * reworded prompt is left to the other checks, so a paraphrase that moves words is never read as a swap),
 * and not names in a plain list ("Which is bigger, China or India?") nor a relation that holds both ways.
 */
export function slotSwapDetail(a: Analysis, b: Analysis): string | undefined {
  const midA = namesOf(a);
  const midB = namesOf(b);
  if (midA.size < 2 || midB.size < 2) return undefined;
  const known = new Set([...midA.keys(), ...midB.keys()]);
  const sa = slots(a, namesOf(a, known));
  const sb = slots(b, namesOf(b, known));
  if (sa.units.length < 2 || sa.units.length !== sb.units.length) return undefined;
  if (!sa.skeleton.every((w, i) => w === sb.skeleton[i]) || sa.skeleton.length !== sb.skeleton.length)
    return undefined;
  // A relation that holds both ways: "How far is London from Paris?", "How is Python different from Java?".
  for (const w of a.words) if (TWO_WAY_CUES.has(w) || TWO_WAY_VERBS.has(w)) return undefined;
  const na = sa.units.map((u) => u.name);
  const nb = sb.units.map((u) => u.name);
  if (na.every((n, i) => n === nb[i])) return undefined;
  if ([...na].sort().join('\n') !== [...nb].sort().join('\n')) return undefined;
  const oa = nameSequence(a, sa.units);
  const ob = nameSequence(b, sb.units);
  if (oa.every((n, i) => n === ob[i])) return undefined;
  return `${na.join(' … ')} vs ${nb.join(' … ')}`;
}
