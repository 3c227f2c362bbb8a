// Antonym check: "enable 2FA" and "disable 2FA" are nearest neighbours in embedding space, so a word whose
// opposite appears only in the other prompt means the two ask for opposite things.
import { inflect } from './inflect.js';
import type { Analysis, Token } from './tokenize.js';

// Each group lists its sides; a side is a space-separated word list, "_" joins a two-word phrase. Most
// groups have two sides; some (colours, directions) are sets where any two members exclude each other.
// Verb groups also match their regular inflections (enabled, enabling); the rest only add a plural "s",
// since inflecting adjectives invents false matches ("past" → "pasted", "on" → "ones").
const VERB_GROUPS: readonly (readonly string[])[] = [
  ['enable activate turn_on switch_on', 'disable deactivate turn_off switch_off'],
  ['increase raise grow expand boost', 'decrease reduce shrink'],
  ['add insert append create', 'remove delete erase'],
  ['allow permit grant whitelist allowlist', 'deny block forbid prevent blacklist blocklist revoke disallow'],
  ['start begin launch resume', 'stop end halt pause finish terminate'],
  ['open reopen', 'close shut'],
  ['upgrade', 'downgrade'],
  ['login log_in sign_in signin logon', 'logout log_out sign_out signout logoff'],
  ['opt_in', 'opt_out'],
  ['zoom_in', 'zoom_out'],
  ['buy purchase bought', 'sell sold'],
  ['encrypt', 'decrypt'],
  ['encode serialize', 'decode deserialize'],
  ['compress zip', 'decompress unzip'],
  ['install', 'uninstall'],
  ['upload', 'download'],
  ['import', 'export'],
  ['maximize', 'minimize'],
  ['accept approve', 'reject decline refuse'],
  ['include', 'exclude'],
  ['lock', 'unlock'],
  // "hidden" is left out: "show hidden files" shows, it does not hide.
  ['show display reveal unhide shown', 'hide conceal hid'],
  ['connect attach', 'disconnect detach'],
  ['subscribe', 'unsubscribe'],
  ['mount', 'unmount'],
  ['push', 'pull'],
  ['succeed', 'fail'],
  ['win won', 'lose lost'],
  ['gain', 'lose lost'],
  ['love', 'hate'],
  ['read', 'write wrote written'],
  ['fill', 'empty'],
  ['sit sat', 'stand stood'],
  ['climb ascend', 'descend'],
  ['hit', 'miss'],
  ['sleep slept', 'wake woke'],
  ['send sent', 'receive'],
];

const PLAIN_GROUPS: readonly (readonly string[])[] = [
  ['on', 'off'],
  ['with', 'without'],
  ['into', 'out_of'],
  ['toward towards', 'away'],
  ['top', 'bottom'],
  ['full', 'empty'],
  ['friend', 'enemy'],
  ['asleep', 'awake'],
  ['speaking talking loud', 'silent quiet'],
  ['up', 'down'],
  ['before prior', 'after'],
  ['max maximum most', 'min minimum least'],
  ['true', 'false'],
  ['more greater bigger larger', 'less fewer smaller'],
  ['high higher highest', 'low lower lowest'],
  ['fast faster fastest quick quicker', 'slow slower slowest'],
  ['cheap cheaper cheapest inexpensive', 'expensive pricey pricier'],
  ['first', 'last'],
  ['best', 'worst'],
  ['good better', 'bad worse'],
  ['pros advantage benefit', 'cons disadvantage drawback'],
  ['positive', 'negative'],
  ['success successful', 'failure failed'],
  ['gain', 'loss'],
  ['hot warm', 'cold'],
  ['long longer', 'short shorter'],
  ['big large', 'small tiny'],
  ['old older oldest', 'new newer newest young younger'],
  ['easy easier', 'hard harder difficult'],
  ['above', 'below'],
  ['inside indoors indoor', 'outside outdoors outdoor'],
  ['inner', 'outer'],
  ['safe safer safest', 'dangerous unsafe risky'],
  ['day daytime', 'night nighttime'],
  ['sync synchronous synchronously', 'async asynchronous asynchronously'],
  ['frontend front_end', 'backend back_end'],
  ['input', 'output'],
  ['ascending asc', 'descending desc'],
  ['horizontal horizontally', 'vertical vertically'],
  ['public', 'private'],
  ['online', 'offline'],
  ['future', 'past'],
  ['rich', 'poor'],
  ['happy', 'sad'],
  ['strong stronger', 'weak weaker'],
  ['wet', 'dry'],
  ['light', 'dark'],
  ['light', 'heavy'],
  [
    'male man men boy husband boyfriend father dad son brother',
    'female woman women girl wife girlfriend mother mom daughter sister',
  ],
  ['left', 'right'],
  ['lowercase lower_case', 'uppercase upper_case'],
  ['even', 'odd'],
  ['child children kid', 'adult grownup'],
  // "fall" is left out of the seasons: mostly the verb.
  ['spring', 'summer', 'autumn', 'winter'],
  // Relative periods: "signed up last month" is another set of rows than "this month".
  ['this_week', 'last_week', 'next_week'],
  ['this_month', 'last_month', 'next_month'],
  ['this_year', 'last_year', 'next_year'],
  ['north', 'south', 'east', 'west'],
  // Switching on and off in Spanish, Portuguese, Russian and German, whose verbs the English inflections do
  // not reach: their common forms listed (the languages whose prefix is "dis-" are the generic rule's).
  [
    'activar activa activo activas activan activado activada activación habilitar habilita habilito habilitado habilitada encender enciendo enciende ativar ativa ativo ativado ativada ligar ligo ligado',
    'desactivar desactiva desactivo desactivas desactivan desactivado desactivada desactivación deshabilitar deshabilita deshabilito deshabilitado deshabilitada apagar apago apaga desativar desativa desativo desativado desativada desligar desligo desligado',
  ],
  [
    'включить включи включаю включает включать включение включен включена включено включил включила',
    'отключить отключи отключаю отключает отключать отключение отключен отключена отключено отключил отключила выключить выключи выключаю выключает выключать выключение выключен выключил',
  ],
  [
    'einschalten einschalte einschaltet aktivieren aktiviere aktiviert ein an',
    'ausschalten ausschalte ausschaltet deaktivieren deaktiviere deaktiviert aus',
  ],
  ['red', 'blue', 'green', 'yellow', 'black', 'white', 'purple', 'orange', 'pink', 'brown', 'gray grey'],
];

const GROUPS = [...VERB_GROUPS, ...PLAIN_GROUPS];

interface Side {
  readonly group: number;
  readonly side: number;
}

function buildLexicon(): ReadonlyMap<string, readonly Side[]> {
  const lexicon = new Map<string, Side[]>();
  GROUPS.forEach((sides, group) =>
    sides.forEach((list, side) => {
      for (const entry of list.split(' ')) {
        const [head, tail] = entry.split('_');
        for (const form of group < VERB_GROUPS.length ? inflect(head!) : [head!, `${head!}s`]) {
          const key = tail === undefined ? form : `${form} ${tail}`;
          const known = lexicon.get(key) ?? [];
          if (!known.some((s) => s.group === group && s.side === side)) known.push({ group, side });
          lexicon.set(key, known);
        }
      }
    }),
  );
  return lexicon;
}

const LEXICON = buildLexicon();

// Generic prefixes that negate the stem: "unlock", "dislike", "invalid". "in"/"im"/"il"/"ir" only before
// stems shaped like adjectives, since "inform", "insight", "income" are not opposites of their stems.
const PREFIXES = ['un', 'non', 'dis', 'in', 'im', 'il', 'ir'];
const ADJECTIVE_STEM_RE = /(?:able|ible|al|ive|ent|ant|ect|ete|ate|ure|ular|id|ar)$/;
const NOT_NEGATED: ReadonlySet<string> = new Set(
  'unless discover discount display dispatch dispose disposal distance distinct distort dispense disturb discuss dissolve disk dish'.split(
    ' ',
  ),
);

// First words of the two-word entries, so bigrams are only built where one can match.
const PHRASE_HEADS: ReadonlySet<string> = new Set(
  [...LEXICON.keys()].filter((k) => k.includes(' ')).map((k) => k.slice(0, k.indexOf(' '))),
);

// "even" is mostly the adverb ("even at night") and "odd" means strange as often as not: they count as parity
// only in a prompt about numbers or positions.
const PARITY_WORDS: ReadonlySet<string> = new Set(['even', 'odd']);
const PARITY_CONTEXT: ReadonlySet<string> = new Set(
  'number numbers integer integers digit digits parity index indices indexes row rows element elements position positions line lines page pages'.split(
    ' ',
  ),
);
// Capitalised inside a sentence these are names ("Spring Boot", "Summer of Code"), not seasons.
const SEASONS: ReadonlySet<string> = new Set(['spring', 'summer', 'autumn', 'winter']);

// German separable particles ("Wie schalte ich 2FA ein?" / "… aus?") are the verb's only at the end of a
// clause; elsewhere "ein" is the article, "aus" and "an" prepositions.
const PARTICLES: ReadonlySet<string> = new Set(['ein', 'aus', 'an']);

/** A word of the lexicon that this prompt uses in another sense. */
function otherSense(t: Token, a: Analysis, i: number): boolean {
  if (PARTICLES.has(t.norm)) {
    const next = a.tokens[i + 1];
    return next !== undefined && !next.sentenceStart;
  }
  if (PARITY_WORDS.has(t.norm)) {
    for (const w of PARITY_CONTEXT) if (a.words.has(w)) return false;
    return true;
  }
  if (SEASONS.has(t.norm)) return !t.sentenceStart && t.raw !== t.norm;
  return false;
}

function sidesOf(a: Analysis): Map<number, Set<number>> | undefined {
  let found: Map<number, Set<number>> | undefined;
  let prev = '';
  for (let i = 0; i < a.tokens.length; i++) {
    const t = a.tokens[i]!;
    const single = otherSense(t, a, i) ? undefined : LEXICON.get(t.norm);
    const hits = PHRASE_HEADS.has(prev)
      ? [...(single ?? []), ...(LEXICON.get(`${prev} ${t.norm}`) ?? [])]
      : single;
    prev = t.norm;
    if (hits === undefined) continue;
    found ??= new Map();
    for (const { group, side } of hits) {
      const set = found.get(group) ?? new Set<number>();
      set.add(side);
      found.set(group, set);
    }
  }
  return found;
}

function onlyIn(a: ReadonlySet<number>, b: ReadonlySet<number> | undefined): number[] {
  return [...a].filter((s) => b?.has(s) !== true);
}

/** A word of `b` that is a word of `a` behind a negating prefix, with `b` lacking the bare word. */
function prefixDetail(a: Analysis, b: Analysis): string | undefined {
  for (const negated of b.words) {
    // Every prefix starts with one of these letters; most words are out after one comparison.
    const c = negated.charCodeAt(0);
    if (c !== 0x75 && c !== 0x6e && c !== 0x64 && c !== 0x69) continue;
    for (const p of PREFIXES) {
      if (!negated.startsWith(p) || negated.length < p.length + 4) continue;
      const w = negated.slice(p.length);
      if (!a.words.has(w) || b.words.has(w) || a.words.has(negated) || NOT_NEGATED.has(negated)) continue;
      if (p.startsWith('i') && !ADJECTIVE_STEM_RE.test(w)) continue;
      return `${w} vs ${negated}`;
    }
  }
  return undefined;
}

export function antonymDetail(a: Analysis, b: Analysis): string | undefined {
  const sa = sidesOf(a);
  const sb = sa === undefined ? undefined : sidesOf(b);
  if (sa !== undefined && sb !== undefined) {
    for (const [group, sides] of sa) {
      const other = sb.get(group);
      if (other === undefined) continue;
      const onlyA = onlyIn(sides, other);
      const onlyB = onlyIn(other, sides);
      if (onlyA.length > 0 && onlyB.length > 0) {
        const names = GROUPS[group]!;
        const first = (side: number): string => names[side]!.split(' ')[0]!.replace('_', ' ');
        return `${first(onlyA[0]!)} vs ${first(onlyB[0]!)}`;
      }
    }
  }
  return prefixDetail(a, b) ?? prefixDetail(b, a);
}
