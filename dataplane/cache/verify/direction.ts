// Direction check: "translate from English to French" and "from French to English" hold the same words, so
// their embeddings are nearly equal, but each asks for the other's opposite. Likewise "convert a list to a
// dict" / "a dict to a list", "migrate from MySQL to PostgreSQL", "is Python faster than Java". The words
// that say which way (from, to, into, than, towards…) are the same in both prompts; what moved is which
// word each one governs. Without a preposition the order of two names says it: "Did Brazil beat Germany?".
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
]);

// "to" is mostly an infinitive ("to install", "to get the next item"): it marks a target only after a verb of
// moving or turning one thing into another, or after a "from" in the same sentence.
const TO_VERBS: ReadonlySet<string> = new Set(
  [
    'convert translate migrate switch move transfer port cast map send go travel fly drive redirect copy',
    'forward change rename rewrite compile transpile route pipe ship',
  ]
    .join(' ')
    .split(' ')
    .flatMap(inflections),
);

/** convert → converts, converted, converting; move → moves, moved, moving; map → maps, mapped, mapping. */
function inflections(verb: string): string[] {
  const forms = [verb, `${verb}s`, `${verb}ed`, `${verb}ing`];
  if (verb.endsWith('e')) forms.push(`${verb}d`, `${verb.slice(0, -1)}ing`);
  if (/[^aeiou][aeiou][bdgmnprt]$/.test(verb)) {
    const last = verb.at(-1)!;
    forms.push(`${verb}${last}ed`, `${verb}${last}ing`);
  }
  if (verb.endsWith('ch') || verb.endsWith('sh')) forms.push(`${verb}es`);
  if (verb === 'go') forms.push('goes', 'went', 'gone');
  if (verb === 'send') forms.push('sent');
  if (verb === 'fly') forms.push('flies', 'flew', 'flown');
  if (verb === 'drive') forms.push('drove', 'driven');
  if (verb === 'rewrite') forms.push('rewrote', 'rewritten');
  return forms;
}

// Skipped between a marker and its object: determiners, possessives and quantifiers ("to a dict", "to my bank
// account", "from either a folder or …").
const SKIPPED: ReadonlySet<string> = new Set(
  'a an the my your his her its our their this that these those some any another each every either both all'.split(
    ' ',
  ),
);

// Where a marker's phrase ends: another preposition or a conjunction ("from MySQL to …", "a list in Python").
const PHRASE_ENDS: ReadonlySet<string> = new Set(
  'in on at with for of by via using and or but while when if then as'.split(' '),
);

/** Words of a marker's phrase kept: "to a new empty list" holds new, empty, list. */
const PHRASE_WORDS = 3;

/** How far back from a "to" a verb of moving (or a "from") makes it a target. */
const TO_LOOKBACK = 6;

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

function marksTarget(tokens: readonly Token[], at: number): boolean {
  for (let k = at - 1; k >= 0 && k >= at - TO_LOOKBACK; k--) {
    const t = tokens[k]!;
    if (t.norm === 'from' || TO_VERBS.has(t.norm)) return true;
    if (t.sentenceStart) break;
  }
  return false;
}

/** Marker → the stems it governs in this prompt. */
function rolesOf(a: Analysis): Map<string, Roles> {
  const roles = new Map<string, Roles>();
  const tokens: readonly Token[] = a.tokens;
  for (let i = 0; i < tokens.length; i++) {
    const marker = tokens[i]!.norm;
    if (!MARKERS.has(marker) || (marker === 'to' && !marksTarget(tokens, i))) continue;
    let kept = 0;
    for (let j = i + 1; j < tokens.length && kept < PHRASE_WORDS; j++) {
      const t = tokens[j]!;
      // A new sentence, another marker or a preposition ends the phrase.
      if (t.sentenceStart || MARKERS.has(t.norm) || PHRASE_ENDS.has(t.norm)) break;
      if (SKIPPED.has(t.norm)) continue;
      let r = roles.get(marker);
      if (r === undefined) roles.set(marker, (r = { heads: new Set(), phrase: new Set() }));
      const w = stem(t.norm);
      if (kept === 0) r.heads.add(w);
      r.phrase.add(w);
      kept++;
    }
  }
  return roles;
}

function stems(a: Analysis): Set<string> {
  const out = new Set<string>();
  for (const t of a.tokens) out.add(stem(t.norm));
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
 * a rewording that drops or adds a role ("the best way to learn Python to get a job" / "… to get a job
 * learning Python") a match. Symmetric by construction.
 */
export function directionDetail(a: Analysis, b: Analysis): string | undefined {
  const ra = rolesOf(a);
  if (ra.size === 0) return undefined;
  const rb = rolesOf(b);
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
    if (fromB !== undefined) return `${marker} ${fromA} vs ${marker} ${fromB}`;
  }
  return undefined;
}

// Words that join two names without ordering them: "Python and Java", "tabs or spaces", "Python vs Java".
const SYMMETRIC: ReadonlySet<string> = new Set(
  'and or nor vs vs. versus v between with both either plus the a an'.split(' '),
);

/** How many words may stand between two names for their order to say who does what to whom. */
const NAME_GAP = 4;

/** Names (capitalised inside a sentence, or all caps) in order of first appearance; none in title-case text. */
function namesOf(a: Analysis): Map<string, number> {
  const names = new Map<string, number>();
  let words = 0;
  let capitalised = 0;
  a.tokens.forEach((t, i) => {
    if (t.kind !== 'word' || t.sentenceStart) return;
    words++;
    const c = t.raw.charCodeAt(0);
    if (c < 0x41 || c > 0x5a) return;
    capitalised++;
    if (t.raw !== 'I' && !names.has(t.norm)) names.set(t.norm, i);
  });
  // (Nearly) every word capitalised, a title or shouting: capitals say nothing about names.
  return words >= 4 && capitalised >= words * 0.8 ? new Map() : names;
}

/**
 * "Did Brazil beat Germany?" and "Did Germany beat Brazil?": two names both prompts hold, in the opposite order,
 * with a word between them that is not a symmetric joiner (and, or, vs, between…), at most NAME_GAP words apart.
 */
export function nameOrderDetail(a: Analysis, b: Analysis): string | undefined {
  const na = namesOf(a);
  if (na.size < 2) return undefined;
  const nb = namesOf(b);
  if (nb.size < 2) return undefined;
  const shared = [...na.keys()].filter((n) => nb.has(n));
  for (let i = 0; i < shared.length; i++) {
    for (let j = i + 1; j < shared.length; j++) {
      const [x, y] = [shared[i]!, shared[j]!];
      const [ax, ay, bx, by] = [na.get(x)!, na.get(y)!, nb.get(x)!, nb.get(y)!];
      if (ax < ay === bx < by) continue;
      if (ordering(a, na, ax, ay) && ordering(b, nb, bx, by)) return `${x} … ${y} vs ${y} … ${x}`;
    }
  }
  return undefined;
}

/**
 * Whether the words between positions p and q (either order), in one sentence and without a marker, relate the
 * two names one way: one of them is neither a symmetric joiner nor part of a name ("Hillary Clinton or Donald
 * Trump").
 */
function ordering(a: Analysis, names: ReadonlyMap<string, number>, p: number, q: number): boolean {
  const [from, to] = p < q ? [p, q] : [q, p];
  if (to - from - 1 > NAME_GAP || to - from < 2) return false;
  let relating = false;
  for (let k = from + 1; k < to; k++) {
    const t = a.tokens[k]!;
    // A marker between them ("from Paris to London") is the direction check's: reordered roles keep it.
    if (t.sentenceStart || MARKERS.has(t.norm)) return false;
    if (!SYMMETRIC.has(t.norm) && !names.has(t.norm)) relating = true;
  }
  return relating;
}
