// Language check: a question and its translation embed close together in multilingual space but must be
// answered in their own language. Script decides first; within Latin script, a few stopwords per language.

type Script =
  'latin' | 'cyrillic' | 'greek' | 'arabic' | 'hebrew' | 'devanagari' | 'thai' | 'hangul' | 'kana' | 'han';

// [first code point, last code point, script] above ASCII, searched in order (× and ÷ count as Latin).
const RANGES: readonly (readonly [number, number, Script])[] = [
  [0xc0, 0x24f, 'latin'],
  [0x370, 0x3ff, 'greek'],
  [0x400, 0x52f, 'cyrillic'],
  [0x590, 0x5ff, 'hebrew'],
  [0x600, 0x6ff, 'arabic'],
  [0x900, 0x97f, 'devanagari'],
  [0xe00, 0xe7f, 'thai'],
  [0x1100, 0x11ff, 'hangul'],
  [0x3040, 0x30ff, 'kana'],
  [0x3400, 0x9fff, 'han'],
  [0xac00, 0xd7af, 'hangul'],
];

function scriptOf(code: number): Script | undefined {
  for (const [lo, hi, script] of RANGES) if (code >= lo && code <= hi) return script;
  return undefined;
}

// Any character outside printable ASCII and whitespace: only then is a per-character scan needed.
const NON_ASCII_RE = /[^\x20-\x7e\s]/;
const ASCII_LETTER_RE = /[A-Za-z]/;

/** Dominant writing system; Japanese mixes kana into Han, so any kana makes the text Japanese. */
export function dominantScript(text: string): Script | undefined {
  if (!NON_ASCII_RE.test(text)) return ASCII_LETTER_RE.test(text) ? 'latin' : undefined;
  const counts = new Map<Script, number>();
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code < 0x80) {
      if ((code >= 0x41 && code <= 0x5a) || (code >= 0x61 && code <= 0x7a))
        counts.set('latin', (counts.get('latin') ?? 0) + 1);
      continue;
    }
    const script = scriptOf(code);
    if (script !== undefined) counts.set(script, (counts.get(script) ?? 0) + 1);
  }
  if ((counts.get('kana') ?? 0) > 0) counts.set('kana', (counts.get('kana') ?? 0) + (counts.get('han') ?? 0));
  let best: Script | undefined;
  let bestCount = 0;
  for (const [script, n] of counts) if (n > bestCount) [best, bestCount] = [script, n];
  return best;
}

// Frequent function words that (mostly) belong to one language; shared ones ("la", "de") are listed under
// each language that uses them and so cannot decide alone.
const STOPWORDS: Record<string, string> = {
  en: 'the is are what how why to of and do does i you my can with for this that it be should which when',
  de: 'der die das ist und nicht ich wie was ein eine mit für auf zu den dem sie es kann warum wenn oder',
  fr: 'le la les est et je comment que pas une des du pour avec dans qui vous il ce pourquoi faire sur au mon ma mes peux quel quelle où',
  es: 'el la los las es y que como cómo por para una con del qué se mi puedo está en un lo cuál dónde',
  pt: 'o os as é e que como não um uma para com do da em eu meu você está por qual posso',
  it: 'il lo gli è e che come non un una per con del della sono mi cosa perché posso qual',
  nl: 'de het een is en ik hoe wat niet van voor met op je zijn kan waarom wanneer',
};

const LANGS = Object.keys(STOPWORDS);

/** word → [language index, weight] pairs; a word shared by n languages gives each 1/n. */
function buildStopwords(): ReadonlyMap<string, readonly (readonly [number, number])[]> {
  const langsOf = new Map<string, number[]>();
  LANGS.forEach((lang, index) => {
    for (const w of STOPWORDS[lang]!.split(' ')) langsOf.set(w, [...(langsOf.get(w) ?? []), index]);
  });
  return new Map([...langsOf].map(([w, langs]) => [w, langs.map((l) => [l, 1 / langs.length] as const)]));
}

const LANG_OF_WORD = buildStopwords();

/** A Latin-script language when the stopwords clearly point at one (≥ 1.5 hits, twice the runner-up). */
export function latinLanguage(words: Iterable<string>): string | undefined {
  const scores = new Float64Array(LANGS.length);
  for (const w of words) {
    const langs = LANG_OF_WORD.get(w);
    if (langs !== undefined) for (const [lang, weight] of langs) scores[lang]! += weight;
  }
  let best = -1;
  let first = 0;
  let second = 0;
  for (let lang = 0; lang < scores.length; lang++) {
    const s = scores[lang]!;
    if (s > first) [best, first, second] = [lang, s, first];
    else if (s > second) second = s;
  }
  return first >= 1.5 && first >= 2 * second ? LANGS[best] : undefined;
}

export function languageDetail(
  textA: string,
  textB: string,
  wordsA: Iterable<string>,
  wordsB: Iterable<string>,
): string | undefined {
  const sa = dominantScript(textA);
  const sb = dominantScript(textB);
  if (sa !== undefined && sb !== undefined && sa !== sb) return `${sa} vs ${sb}`;
  if (sa !== 'latin' || sb !== 'latin') return undefined;
  const la = latinLanguage(wordsA);
  const lb = latinLanguage(wordsB);
  return la !== undefined && lb !== undefined && la !== lb ? `${la} vs ${lb}` : undefined;
}
