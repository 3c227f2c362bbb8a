// Number, date and unit checks: "Python 3.11" vs "3.12", "in 2023" vs "in 2024", "5 km" vs "5 miles" differ
// in one token that embeddings barely weigh, yet each needs a different answer.
import { listOrder, sameList } from './same-list.js';
import type { Analysis, Token } from './tokenize.js';

const WORD_NUMBERS: ReadonlyMap<string, string> = new Map(
  (
    'two:2 three:3 four:4 five:5 six:6 seven:7 eight:8 nine:9 ten:10 eleven:11 twelve:12 thirteen:13 ' +
    'fourteen:14 fifteen:15 sixteen:16 seventeen:17 eighteen:18 nineteen:19 twenty:20 thirty:30 forty:40 ' +
    'fifty:50 sixty:60 seventy:70 eighty:80 ninety:90 hundred:100 thousand:1000 million:1000000 ' +
    'billion:1000000000 second:2 third:3 fourth:4 fifth:5 sixth:6 seventh:7 eighth:8 ninth:9 tenth:10'
  )
    .split(' ')
    .map((pair) => pair.split(':') as [string, string]),
);
// "one" and "first" are too often a pronoun or an adverb to demand a match, but they can supply one.
const SOFT_NUMBERS: ReadonlyMap<string, string> = new Map([
  ['one', '1'],
  ['a', '1'],
  ['an', '1'],
  ['single', '1'],
  ['first', '1'],
]);
const ORDINAL_SUFFIXES: ReadonlySet<string> = new Set(['st', 'nd', 'rd', 'th']);

const MONTHS = 'january february march april june july august september october november december';
// "mar", "dec" and "may" are left to their other meanings; "May" capitalised mid-sentence is the month.
const MONTH_ABBREVIATIONS = 'jan feb apr jun jul aug sep sept oct nov';
const DAYS =
  'monday tuesday wednesday thursday friday saturday sunday today tomorrow yesterday tonight weekend';
const DATE_WORDS: ReadonlySet<string> = new Set(`${MONTHS} ${MONTH_ABBREVIATIONS} ${DAYS}`.split(' '));

type UnitKind = 'length' | 'mass' | 'volume' | 'temperature' | 'data' | 'time' | 'money' | 'other' | 'clock';
interface Unit {
  readonly name: string;
  readonly kind: UnitKind;
}

// canonical:kind:forms. Forms after "|" are ambiguous as words ("m", "min", "am") and count only right
// after a number.
const UNIT_TABLE = [
  'km:length:km kms kilometer kilometers kilometre kilometres',
  'm:length:meter meters metre metres|m',
  'cm:length:cm centimeter centimeters centimetre centimetres',
  'mm:length:mm millimeter millimeters',
  'mile:length:mile miles|mi',
  'ft:length:ft foot feet',
  'inch:length:inch inches',
  'yard:length:yd yard yards',
  'kg:mass:kg kgs kilogram kilograms kilo kilos',
  'g:mass:gram grams|g',
  'lb:mass:lb lbs pound pounds',
  'oz:mass:oz ounce ounces',
  'l:volume:liter liters litre litres|l',
  'ml:volume:ml milliliter milliliters',
  'gallon:volume:gallon gallons gal',
  '°c:temperature:°c celsius centigrade|c',
  '°f:temperature:°f fahrenheit|f',
  'kelvin:temperature:kelvin',
  'b:data:byte bytes|b',
  'kb:data:kb kilobyte kilobytes kib',
  'mb:data:mb megabyte megabytes mib',
  'gb:data:gb gigabyte gigabytes gib gig gigs',
  'tb:data:tb terabyte terabytes tib',
  'bit:data:bit bits',
  'mbps:data:mbps kbps gbps',
  'ms:time:ms millisecond milliseconds',
  's:time:seconds secs|s sec second',
  'min:time:minute minutes mins|min',
  'h:time:hour hours hr hrs|h',
  'day:time:day days',
  'week:time:week weeks',
  'month:time:month months',
  'year:time:year years yr yrs',
  'usd:money:$ usd dollar dollars buck bucks',
  'eur:money:€ eur euro euros',
  'gbp:money:£ gbp sterling',
  'jpy:money:¥ jpy yen',
  'inr:money:₹ inr rupee rupees',
  'cny:money:cny rmb yuan',
  'btc:money:btc bitcoin bitcoins',
  '%:other:% percent percentage',
  'px:other:px pixel pixels|em rem pt',
  'ghz:other:hz khz mhz ghz',
  'w:other:watt watts kw kwh',
  'kcal:other:kcal calorie calories',
  'am:clock:|am a.m',
  'pm:clock:|pm p.m',
];

function buildUnits(): [ReadonlyMap<string, Unit>, ReadonlyMap<string, Unit>] {
  const plain = new Map<string, Unit>();
  const afterNumber = new Map<string, Unit>();
  for (const row of UNIT_TABLE) {
    const [name, kind, forms] = row.split(':') as [string, UnitKind, string];
    const [words, ambiguous = ''] = forms.split('|');
    const unit = { name, kind };
    for (const f of words!.split(' ')) if (f !== '') plain.set(f, unit);
    for (const f of ambiguous.split(' ')) if (f !== '') afterNumber.set(f, unit);
  }
  return [plain, afterNumber];
}

const [UNITS, UNITS_AFTER_NUMBER] = buildUnits();

/** Everything this check knows about one word, so a token costs a single lookup. */
interface WordFacts {
  readonly written?: string;
  readonly soft?: string;
  readonly date?: boolean;
  readonly unit?: Unit;
  readonly unitAfterNumber?: Unit;
}

function buildFacts(): ReadonlyMap<string, WordFacts> {
  const facts = new Map<string, WordFacts>();
  const merge = (w: string, f: WordFacts): void => {
    facts.set(w, { ...facts.get(w), ...f });
  };
  for (const [w, written] of WORD_NUMBERS) merge(w, { written });
  for (const [w, soft] of SOFT_NUMBERS) merge(w, { soft });
  for (const w of DATE_WORDS) merge(w, { date: true });
  for (const [w, unit] of UNITS) merge(w, { unit, unitAfterNumber: unit });
  for (const [w, unit] of UNITS_AFTER_NUMBER) merge(w, { unitAfterNumber: unit });
  return facts;
}

const FACTS = buildFacts();

export interface Quantities {
  /**
   * Canonical values that must be matched: digits (ordinals as their cardinal, "3rd" = "third" = 3) and
   * "@x" for a date, time or date word.
   */
  readonly hard: string[];
  /** Index of the token each `hard` value came from. */
  readonly hardAt: number[];
  /** Index of each value's last token: its suffix ("1st", "15k") is part of it. */
  readonly hardEnd: number[];
  /** Written-out numbers: they must agree when both prompts state a count, but one may leave it out. */
  readonly written: string[];
  readonly soft: Set<string>;
  readonly units: Unit[];
  /** value → unit written right after it (or before it, for currency symbols). */
  readonly attached: Map<string, string>;
  /** Units named as a conversion target ("to miles", "into km"). */
  readonly targets: Set<string>;
}

const isYear = (v: string): boolean => /^(?:19|20)\d\d$/.test(v);

function unitAt(tokens: readonly Token[], i: number): Unit | undefined {
  const t = tokens[i];
  return t === undefined || t.kind !== 'word' ? undefined : FACTS.get(t.norm)?.unitAfterNumber;
}

/** Each prompt's numbers, dates and units, collected once for the checks below. */
export function quantitiesOf(a: Analysis): Quantities {
  const q: Quantities = {
    hard: [],
    hardAt: [],
    hardEnd: [],
    written: [],
    soft: new Set(),
    units: [],
    attached: new Map(),
    targets: new Set(),
  };
  const { tokens } = a;
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i]!;
    if (t.kind === 'date') {
      q.hard.push(`@${t.norm}`);
      q.hardAt.push(i);
      q.hardEnd.push(i);
      continue;
    }
    if (t.kind === 'number') {
      const at = i;
      let value = t.norm;
      const next = tokens[i + 1]?.norm;
      if (next !== undefined && ORDINAL_SUFFIXES.has(next)) i++;
      // "15k" is how people write 15000.
      else if (next === 'k' && /^\d+(?:\.\d+)?$/.test(value)) {
        value = String(Number(value) * 1000);
        i++;
      }
      q.hard.push(value);
      q.hardAt.push(at);
      q.hardEnd.push(i);
      const unit = unitAt(tokens, i + 1) ?? unitAt(tokens, i - 1);
      if (unit !== undefined) q.attached.set(value, unit.name);
      continue;
    }
    if (t.kind !== 'word') continue;
    const facts = t.raw === 'May' && !t.sentenceStart ? { date: true } : FACTS.get(t.norm);
    if (facts === undefined) continue;
    const afterNumber = tokens[i - 1]?.kind === 'number';
    // "second" after a number is the unit, and "second hand" is not an ordinal either.
    const notOrdinal = t.norm === 'second' && (afterNumber || tokens[i + 1]?.norm === 'hand');
    if (facts.written !== undefined && !notOrdinal) q.written.push(facts.written);
    if (facts.soft !== undefined) q.soft.add(facts.soft);
    if (facts.date === true) {
      q.hard.push(`@${t.norm}`);
      q.hardAt.push(i);
      q.hardEnd.push(i);
    }
    const unit = afterNumber ? facts.unitAfterNumber : facts.unit;
    if (unit !== undefined) {
      q.units.push(unit);
      const prev = tokens[i - 1]?.norm;
      if (prev === 'to' || prev === 'into' || prev === 'in') q.targets.add(unit.name);
    }
  }
  return q;
}

/** Items of `a` left once each of `b` (and, failing that, a soft number of `b`) has cancelled one. */
function unmatched(a: readonly string[], b: readonly string[], soft: ReadonlySet<string>): string[] {
  const pool = [...b];
  const left: string[] = [];
  for (const v of a) {
    const at = pool.indexOf(v);
    if (at >= 0) pool.splice(at, 1);
    else if (!soft.has(v)) left.push(v);
  }
  return left;
}

export interface QuantityIssue {
  readonly reason: 'number' | 'date' | 'unit';
  readonly detail: string;
}

const show = (vs: readonly string[]): string => (vs.length === 0 ? '∅' : vs.join(',').replaceAll('@', ''));

const isDate = (v: string): boolean => v.startsWith('@') || isYear(v);

/**
 * Digits must match one for one ("top 10" vs "top books" is another question). Dates and written-out
 * numbers only conflict when both sides state a different one: "in 2017" or "five functions" is often
 * context a paraphrase adds or drops.
 */
function numberIssue(qa: Quantities, qb: Quantities): QuantityIssue | undefined {
  if (qa.hard.length + qa.written.length + qb.hard.length + qb.written.length === 0) return undefined;
  const softA = new Set([...qa.soft, ...qa.written]);
  const softB = new Set([...qb.soft, ...qb.written]);
  const onlyA = unmatched(qa.hard, qb.hard, softB);
  const onlyB = unmatched(qb.hard, qa.hard, softA);
  const leftA = [...onlyA, ...unmatched(qa.written, [...qb.hard, ...qb.written], qb.soft)];
  const leftB = [...onlyB, ...unmatched(qb.written, [...qa.hard, ...qa.written], qa.soft)];
  const strictA = onlyA.filter((v) => !isDate(v));
  const strictB = onlyB.filter((v) => !isDate(v));
  const conflict = strictA.length > 0 || strictB.length > 0 || (leftA.length > 0 && leftB.length > 0);
  if (!conflict) return undefined;
  const dated = [...leftA, ...leftB].some(isDate) && strictA.length + strictB.length === 0;
  return { reason: dated ? 'date' : 'number', detail: `${show(leftA)} vs ${show(leftB)}` };
}

function unitIssue(qa: Quantities, qb: Quantities): QuantityIssue | undefined {
  if (qa.units.length === 0 || qb.units.length === 0) return undefined;
  const na = qa.units.map((u) => u.name);
  const nb = qb.units.map((u) => u.name);
  const onlyA = unmatched(na, nb, new Set());
  const onlyB = unmatched(nb, na, new Set());
  if (onlyA.length > 0 && onlyB.length > 0) {
    const clock = [...qa.units, ...qb.units].some((u) => u.kind === 'clock');
    return { reason: clock ? 'date' : 'unit', detail: `${show(onlyA)} vs ${show(onlyB)}` };
  }
  for (const [value, unit] of qa.attached) {
    const other = qb.attached.get(value);
    if (other !== undefined && other !== unit) {
      const reason = UNITS_AFTER_NUMBER.get(unit)?.kind === 'clock' ? 'date' : 'unit';
      return { reason, detail: `${value} ${unit} vs ${value} ${other}` };
    }
  }
  if (qa.targets.size > 0 && qb.targets.size > 0 && ![...qa.targets].some((u) => qb.targets.has(u)))
    return { reason: 'unit', detail: `to ${show([...qa.targets])} vs to ${show([...qb.targets])}` };
  return undefined;
}

/**
 * The same numbers and dates in another order: "10 divided by 2" / "2 divided by 10", "born in 1990, married
 * in 2015" / the years swapped, "leave Monday, return Friday" / the days swapped. The counts agree, so
 * numberIssue passes them; the order says which value plays which part. Only when both sides hold exactly
 * the same values in the same frame of words, and not in a plain list. Run last in verifyMatch, after the
 * checks that say more ("from … to").
 */
export function quantityOrderIssue(
  a: Analysis,
  qa: Quantities,
  b: Analysis,
  qb: Quantities,
): QuantityIssue | undefined {
  const va = qa.hard;
  const vb = qb.hard;
  if (va.length < 2 || va.length !== vb.length || sameList(va, vb)) return undefined;
  if (unmatched(va, vb, new Set()).length > 0) return undefined;
  // Only in the same frame: "from step 3 to step 4" / "to step 4 from step 3" is reworded, not swapped.
  if (!sameList(frame(a, qa), frame(b, qb))) return undefined;
  if (sameList(ordered(a, qa), ordered(b, qb))) return undefined;
  const dated = va.every(isDate);
  return { reason: dated ? 'date' : 'number', detail: `${show(va)} vs ${show(vb)} (order)` };
}

/** The prompt's words with each value (its suffix included: "15k", "1st") replaced by one placeholder. */
function frame(a: Analysis, q: Quantities): string[] {
  const out: string[] = [];
  let k = 0;
  for (let i = 0; i < a.tokens.length; i++) {
    if (k < q.hardAt.length && i === q.hardAt[k]) {
      out.push('§');
      i = q.hardEnd[k]!;
      k++;
    } else out.push(a.tokens[i]!.norm);
  }
  return out;
}

const COORDINATORS: ReadonlySet<string> = new Set(['and', 'or', '&', 'und', 'et', 'y', 'e', 'ou', 'o']);

/**
 * The values in order, except that a plain list ("500 and 1000", "Rs 1000 and Rs 500", "3, 5 or 7") has no
 * order: its values are sorted. Between two listed values stand only coordinators and the word repeated
 * before each (a currency, "INR"); "between March 1 and April 15" stays ordered (a month stands between).
 */
function ordered(a: Analysis, q: Quantities): string[] {
  const { tokens } = a;
  return listOrder(q.hard, (k) => {
    const from = q.hardEnd[k - 1]!;
    const to = q.hardAt[k]!;
    const lead = tokens[q.hardAt[k - 1]! - 1]?.norm;
    if (to <= from + 1) return false;
    for (let i = from + 1; i < to; i++) {
      const norm = tokens[i]!.norm;
      if (!COORDINATORS.has(norm) && norm !== lead) return false;
    }
    return true;
  });
}

export function quantityIssue(qa: Quantities, qb: Quantities): QuantityIssue | undefined {
  return numberIssue(qa, qb) ?? unitIssue(qa, qb);
}
