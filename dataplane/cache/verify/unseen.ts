// Differences the embedding model cannot see, where its similarity says nothing. all-MiniLM-L6-v2's tokenizer
// lowercases, strips accents, and reads every word with a character outside its vocabulary as one unknown
// token: "What does 👍 mean?" and "What does 👎 mean?" embed identically (similarity 1.0), as do
// "I am eating pizza😋" and "I am eating curry😋", "猫" and "狗", or "pêche" and "péché". So those words are
// compared here, as written.
import { VOCABULARY_CHARACTERS } from './vocabulary.js';
import { sameList } from './same-list.js';

const KNOWN = new Set(VOCABULARY_CHARACTERS);
/**
 * The accents the model's normaliser strips: transformers.js' BertNormalizer removes U+0300–U+036F after NFD,
 * nothing else. Kana voicing marks, Indic vowel signs and Thai tone marks stay, so such words are unknown.
 */
const ACCENTS_RE = /[\u0300-\u036f]/g;
const NON_ASCII = /[\u0080-\uffff]/;
/** What the normaliser deletes, joining the text on either side (control, format, private use, U+FFFD). */
const DELETED = /[\p{Cc}\p{Cf}\p{Co}\p{Cs}\uFFFD]/u;
/** Where the pre-tokenizer splits (JavaScript's whitespace; tab and newline were made spaces). */
const SPACE = /\s/u;
/** BERT's punctuation: ASCII symbols and Unicode punctuation, each its own token. */
const PUNCTUATION = /[!-/:-@[-`{-~\p{P}]/u;
/** BERT's "Chinese characters" (CJK ideographs), each its own token. */
const IDEOGRAPH =
  /[\u{4E00}-\u{9FFF}\u{3400}-\u{4DBF}\u{20000}-\u{2A6DF}\u{2A700}-\u{2CEAF}\u{F900}-\u{FAFF}\u{2F800}-\u{2FA1F}]/u;
/** WordPiece reads a longer word as one unknown token (max_input_chars_per_word). */
const MAX_WORD_CHARS = 100;
/** An ASCII word (run of letters and digits) that long: the only unknown word ASCII text can hold. */
const LONG_ASCII_WORD = /[A-Za-z0-9]{101}/;

/** The model's view of a text's characters: lowercased, decomposed, its accents removed. */
const normalised = (text: string): string => text.toLowerCase().normalize('NFD').replace(ACCENTS_RE, '');

/** A character of normalised text that the vocabulary lacks. */
const unreadable = (ch: string): boolean => ch.charCodeAt(0) >= 0x80 && !KNOWN.has(ch);

/** The words of a text the model reads as its unknown token, lowercased, in order, split as it splits them. */
export function unknownWords(text: string): string[] {
  const out: string[] = [];
  let word = '';
  let unknown = false;
  const end = () => {
    if (unknown || [...word].length > MAX_WORD_CHARS) out.push(word.normalize('NFC'));
    word = '';
    unknown = false;
  };
  for (const ch of normalised(text)) {
    if (DELETED.test(ch)) continue;
    if (SPACE.test(ch)) end();
    else if (PUNCTUATION.test(ch) || IDEOGRAPH.test(ch)) {
      end();
      if (unreadable(ch)) out.push(ch);
    } else {
      word += ch;
      if (!unknown && unreadable(ch)) unknown = true;
    }
  }
  end();
  return out;
}

const WORD_RE = /[\p{L}\p{M}]+/gu;

/** Lowercased words keyed by their form without accents (the model's view), each with its spellings. */
function spellings(text: string): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const word of text.normalize('NFC').toLowerCase().match(WORD_RE) ?? []) {
    const folded = normalised(word);
    const list = out.get(folded);
    if (list === undefined) out.set(folded, [word]);
    else list.push(word);
  }
  return out;
}

/** A word both prompts use that carries other accents on one side ("años" vs "anos", "schön" vs "schon"). */
function accentDetail(a: string, b: string): string | undefined {
  const wordsA = spellings(a);
  const wordsB = spellings(b);
  for (const [folded, inA] of wordsA) {
    const inB = wordsB.get(folded);
    if (inB === undefined) continue;
    // Only words with an accent on either side can differ here (an ASCII word is its own folded form).
    if (inA.every((w) => w === folded) && inB.every((w) => w === folded)) continue;
    const sortedA = [...inA].sort();
    const sortedB = [...inB].sort();
    if (!sameList(sortedA, sortedB)) {
      const setA = new Set(sortedA);
      const setB = new Set(sortedB);
      const onlyA = sortedA.find((w) => !setB.has(w)) ?? sortedA[0]!;
      const onlyB = sortedB.find((w) => !setA.has(w)) ?? sortedB[0]!;
      return `'${onlyA}' vs '${onlyB}' (accents the embedding does not see)`;
    }
  }
  return undefined;
}

/**
 * Symbols above ASCII (★, ♥, →, ½, ™, emoji), which the model reads, when it has them, but weighs no more than
 * punctuation: "Is ★★★★ a good rating?" and "Is ★★ a good rating?" score above the threshold. Degrees and
 * currencies are the unit check's.
 */
function symbols(text: string): string[] {
  return (text.normalize('NFC').match(SYMBOL_RE) ?? []).filter((c) => c.charCodeAt(0) >= 0x80 && c !== '°');
}
const SYMBOL_RE = /[\p{So}\p{Sm}\p{No}]/gu;

/**
 * Words the model reads as unknown, compared in order when both prompts have some ("👍" vs "👎", "pizza😋"
 * vs "curry😋", "猫" vs "狗", "٣" vs "٤"); then symbols, likewise; then accents.
 */
export function unseenDetail(a: string, b: string): string | undefined {
  if (!NON_ASCII.test(a) && !NON_ASCII.test(b) && !LONG_ASCII_WORD.test(a) && !LONG_ASCII_WORD.test(b))
    return undefined;
  const unknownA = unknownWords(a);
  const unknownB = unknownWords(b);
  // Only where both sides have some: one unknown token against none is a difference the embedding does see
  // ("🤗 Datasets" vs "Datasets"); two different unknown words are not.
  if (unknownA.length > 0 && unknownB.length > 0 && !sameList(unknownA, unknownB)) {
    let i = 0;
    while (i < unknownA.length && unknownA[i] === unknownB[i]) i++;
    const show = (w: string | undefined) => (w === undefined ? 'nothing' : `'${w}'`);
    return `${show(unknownA[i])} vs ${show(unknownB[i])} (words the embedding reads as unknown)`;
  }
  const symbolsA = symbols(a);
  const symbolsB = symbols(b);
  if (symbolsA.length > 0 && symbolsB.length > 0 && !sameList(symbolsA, symbolsB))
    return `'${symbolsA.join('')}' vs '${symbolsB.join('')}' (symbols the embedding weighs lightly)`;
  return accentDetail(a, b);
}
