// Named-entity check: "deploy on AWS" vs "deploy on Azure", "capital of India" vs "of Pakistan" share every
// other word. Only entities missing from the other prompt on both sides (a substitution) reject, since a
// paraphrase often drops or adds one ("in PyTorch").
import type { Analysis } from './tokenize.js';

export type EntityCategory = 'language' | 'tech' | 'place';

// Lowercase names recognised wherever they stand (even sentence-initial or lowercased by the user);
// "a=b" makes a an alias of b.
const KNOWN: Record<EntityCategory, string> = {
  language:
    'english french german spanish italian portuguese dutch russian chinese mandarin cantonese japanese ' +
    'korean arabic hindi bengali turkish polish swedish norwegian danish finnish greek hebrew ukrainian ' +
    'vietnamese thai indonesian persian urdu czech romanian hungarian latin',
  tech:
    'python java javascript js=javascript typescript ts=typescript golang rust ruby php perl kotlin scala ' +
    'haskell matlab julia dart elixir erlang lua sql bash powershell html css c++ c# f# swift react vue ' +
    'angular svelte django flask fastapi rails spring node nodejs=node deno pandas numpy tensorflow pytorch ' +
    'keras aws azure gcp google amazon microsoft apple ibm oracle meta windows linux macos mac=macos ios ' +
    'android ubuntu debian fedora centos mysql postgres postgresql=postgres sqlite mongodb redis cassandra ' +
    'elasticsearch dynamodb docker kubernetes k8s=kubernetes github gitlab bitbucket npm yarn pnpm pip conda ' +
    'terraform ansible jenkins nginx apache iphone ipad macbook pixel galaxy samsung chrome firefox safari ' +
    'excel powerpoint slack gmail outlook whatsapp telegram facebook instagram twitter tiktok youtube ' +
    'netflix spotify chatgpt gpt openai anthropic claude gemini llama mistral s3 ec2 lambda',
  place:
    'usa us=usa u.s=usa america uk britain england scotland ireland india china japan germany france canada australia ' +
    'brazil mexico russia italy spain portugal netherlands sweden norway poland ukraine turkey egypt ' +
    'nigeria kenya pakistan bangladesh indonesia korea vietnam thailand singapore europe asia africa ' +
    'london paris berlin tokyo york california texas florida',
};

function buildKnown(): ReadonlyMap<string, { readonly name: string; readonly category: EntityCategory }> {
  const map = new Map<string, { name: string; category: EntityCategory }>();
  for (const [category, list] of Object.entries(KNOWN) as [EntityCategory, string][]) {
    for (const entry of list.split(' ')) {
      const [form, name = form] = entry.split('=') as [string, string?];
      map.set(form, { name, category });
    }
  }
  return map;
}

const KNOWN_ENTITIES = buildKnown();

// A country and its adjective or language name the same thing ("France's capital" = "the French capital").
const RELATED_PAIRS =
  'france:french germany:german spain:spanish italy:italian china:chinese japan:japanese india:indian ' +
  'russia:russian usa:american america:american uk:british britain:british england:english canada:canadian ' +
  'australia:australian mexico:mexican brazil:brazilian korea:korean netherlands:dutch portugal:portuguese ' +
  'turkey:turkish poland:polish sweden:swedish ukraine:ukrainian vietnam:vietnamese thailand:thai ' +
  'usa:america uk:britain';

function buildRelated(): ReadonlyMap<string, ReadonlySet<string>> {
  const related = new Map<string, Set<string>>();
  for (const pair of RELATED_PAIRS.split(' ')) {
    const [x, y] = pair.split(':') as [string, string];
    related.set(x, (related.get(x) ?? new Set()).add(y));
    related.set(y, (related.get(y) ?? new Set()).add(x));
  }
  return related;
}

const RELATED = buildRelated();

// Capitalised mid-sentence but not names: the pronoun, titles, and words people capitalise for emphasis.
const NOT_NAMES: ReadonlySet<string> = new Set(
  'i im ive id ill mr mrs ms dr st vs ok hi hello please thanks q a'.split(' '),
);

interface Entity {
  readonly name: string;
  readonly acronym: boolean;
  /** Letters and digits in one word ("R8", "A12", "mp3", "ec2"): a model, part or version, in any case. */
  readonly identifier?: boolean;
}

const DIGIT_RE = /\d/;

const UPPER_RE = /^\p{Lu}/u;

function startsUpper(raw: string): boolean {
  const c = raw.charCodeAt(0);
  if (c < 0x80) return c >= 0x41 && c <= 0x5a;
  return UPPER_RE.test(raw);
}
const ALL_CAPS_RE = /^[\p{Lu}\d]{2,}$/u;

function canonical(norm: string): string {
  const base = norm.endsWith("'s") ? norm.slice(0, -2) : norm.endsWith("'") ? norm.slice(0, -1) : norm;
  return KNOWN_ENTITIES.get(base)?.name ?? base;
}

/** Content-bearing names of `a`: known names anywhere, other capitalised words not starting a sentence. */
function entitiesOf(a: Analysis): Entity[] {
  let words = 0;
  let capitals = 0;
  for (const t of a.tokens) {
    if (t.kind !== 'word') continue;
    words++;
    if (startsUpper(t.raw)) capitals++;
  }
  // A title-cased or shouting prompt capitalises everything, so capitals carry no signal there.
  const trustCase = capitals * 2 < words || words < 4;
  const found: Entity[] = [];
  for (const t of a.tokens) {
    if (t.kind !== 'word' && t.kind !== 'code') continue;
    const name = canonical(t.norm);
    if (KNOWN_ENTITIES.has(name) || KNOWN_ENTITIES.has(t.norm)) found.push({ name, acronym: false });
    // Words start with a letter, so a digit makes them identifiers, named however the user cases them.
    else if (t.kind === 'word' && DIGIT_RE.test(t.norm))
      found.push({ name: t.norm, acronym: false, identifier: true });
    else if (
      trustCase &&
      t.kind === 'word' &&
      startsUpper(t.raw) &&
      (!t.sentenceStart || ALL_CAPS_RE.test(t.raw)) &&
      !NOT_NAMES.has(name.replaceAll("'", ''))
    )
      found.push({ name, acronym: ALL_CAPS_RE.test(t.raw) });
  }
  for (const literal of a.literals) found.push({ name: literal, acronym: false });
  return found;
}

/** Whether `a` and `b` differ by at most one edit: "Hilary" for "Hillary" is a typo, not another person. */
function oneEditApart(a: string, b: string): boolean {
  if (Math.abs(a.length - b.length) > 1) return false;
  let i = 0;
  while (i < a.length && a[i] === b[i]) i++;
  if (a.length === b.length) return a.slice(i + 1) === b.slice(i + 1);
  return a.length > b.length ? a.slice(i + 1) === b.slice(i) : a.slice(i) === b.slice(i + 1);
}

/** "ML" written out as "machine learning": consecutive words of `b` whose initials spell `acronym`. */
function spelledOut(b: Analysis, acronym: string): boolean {
  // Letters only: "R8" is not "R" followed by an "8…" ("R2 8: …" spelled it out).
  if (DIGIT_RE.test(acronym)) return false;
  const { tokens } = b;
  for (let i = 0; i + acronym.length <= tokens.length; i++) {
    let j = 0;
    while (j < acronym.length && tokens[i + j]!.norm[0] === acronym[j]) j++;
    if (j === acronym.length) return true;
  }
  return false;
}

/**
 * Whether `b` mentions `name`: the same canonical word, its plural or singular, a one-letter typo, an
 * expanded acronym, or (for unknown names of five letters or more) a word sharing its stem ("Japan" and
 * "Japanese"). Known names match exactly only, since "Java" must not match "JavaScript".
 */
function mentions(b: Analysis, name: string, acronym: boolean, identifier = false): boolean {
  // The same identifier or its plural ("A100s"). Written apart ("GPT 4") its digits are a number, which the
  // number check (run first) compares.
  if (identifier)
    return (
      b.words.has(name) ||
      b.words.has(`${name}s`) ||
      (name.endsWith('s') && b.words.has(name.slice(0, -1))) ||
      b.literals.includes(name)
    );
  // Plural and singular need a stem of two letters or more: "X" and "XS" are two models, not one and many.
  const pluralOk = name.length >= 2;
  if (b.words.has(name) || (pluralOk && b.words.has(`${name}s`)) || b.words.has(`${name}'s`)) return true;
  if (b.flat.includes(` ${name} `) || b.literals.includes(name)) return true;
  if (name.endsWith('s') && name.length >= 3 && b.words.has(name.slice(0, -1))) return true;
  if (acronym && name.length <= 5 && spelledOut(b, name)) return true;
  if (KNOWN_ENTITIES.has(name)) {
    const related = RELATED.get(name);
    for (const w of b.words) {
      const other = canonical(w);
      if (other === name || related?.has(other) === true) return true;
    }
    return false;
  }
  if (name.length < 5) return false;
  // One letter of slack: "Japan"/"Japanese" share a stem, "Austria"/"Australia" do not.
  const stem = name.slice(0, Math.max(5, name.length - 1));
  for (const w of b.words) {
    if (w.startsWith(stem) || (w.length >= 5 && name.startsWith(w))) return true;
    if (oneEditApart(w, name)) return true;
  }
  return false;
}

export interface EntityIssue {
  readonly reason: 'entity' | 'language';
  readonly detail: string;
}

export function entityIssue(a: Analysis, b: Analysis): EntityIssue | undefined {
  const missingA = entitiesOf(a).filter((e) => !mentions(b, e.name, e.acronym, e.identifier));
  const missingB = entitiesOf(b).filter((e) => !mentions(a, e.name, e.acronym, e.identifier));
  const onlyA = missingA.map((e) => e.name);
  const onlyB = missingB.map((e) => e.name);
  // A name may be added or dropped ("in Paris" as context), but a model, part or version may not: "A100 vs
  // H100 for training" asks for a comparison that "A100 for training" does not.
  if (missingA.some((e) => e.identifier === true) || missingB.some((e) => e.identifier === true))
    return { reason: 'entity', detail: `${onlyA.join(',') || '∅'} vs ${onlyB.join(',') || '∅'}` };
  if (onlyA.length === 0 || onlyB.length === 0) return undefined;
  const isLanguage = (e: string): boolean => KNOWN_ENTITIES.get(e)?.category === 'language';
  const reason = onlyA.some(isLanguage) && onlyB.some(isLanguage) ? 'language' : 'entity';
  return { reason, detail: `${onlyA.join(',')} vs ${onlyB.join(',')}` };
}
