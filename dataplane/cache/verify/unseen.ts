// Differences the embedding model cannot see, where its similarity says nothing. all-MiniLM-L6-v2's tokenizer
// reads every character outside its vocabulary (emoji and other symbols, most scripts other than Latin, Greek
// and Cyrillic, digits of other scripts) as the same unknown token, strips accents and never sees
// indentation: "What does 👍 mean?" and "What does 👎 mean?" embed identically (similarity 1.0), as do
// "pêche" and "péché", or a Python snippet and the same one with a line indented differently. So these are
// compared here, as written. The operators and brackets of code it does read, but weighs no more than
// punctuation ("age > 30" vs "age < 30": 0.995), so they are compared too.

/** Letters of the scripts the model's vocabulary spells out; their accents are compared by `accentDetail`. */
const SEEN_LETTER = /[\p{Script=Latin}\p{Script=Greek}\p{Script=Cyrillic}]/u;
/** Spacing, punctuation, format characters (ZWJ) and variation selectors: not content. */
const IGNORED = /[\p{White_Space}\p{P}\p{Cf}\uFE00-\uFE0F]/u;
const MARK = /\p{M}/u;
const NON_ASCII = /[\u0080-\uffff]/;

/**
 * The characters of a text the model cannot tell apart, in order: everything above ASCII except letters of
 * the seen scripts, the accents on them, spacing, punctuation and format characters.
 */
function opaqueCharacters(text: string): string[] {
  const out: string[] = [];
  // A combining mark belongs to the character before it: an accent on a seen letter, or part of an opaque one.
  let seenBase = true;
  for (const ch of text) {
    if (ch.charCodeAt(0) < 0x80) {
      seenBase = true;
      continue;
    }
    if (MARK.test(ch)) {
      if (!seenBase) out.push(ch);
      continue;
    }
    if (IGNORED.test(ch)) continue;
    seenBase = SEEN_LETTER.test(ch);
    if (!seenBase) out.push(ch);
  }
  return out;
}

const WORD_RE = /[\p{L}\p{M}]+/gu;
const MARKS_RE = /\p{M}/gu;

/** Lowercased words keyed by their form without accents (the model's view), each with its spellings. */
function spellings(text: string): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const word of text.normalize('NFC').toLowerCase().match(WORD_RE) ?? []) {
    const folded = word.normalize('NFD').replace(MARKS_RE, '');
    const list = out.get(folded);
    if (list === undefined) out.set(folded, [word]);
    else list.push(word);
  }
  return out;
}

const sameList = (a: readonly string[], b: readonly string[]): boolean =>
  a.length === b.length && a.every((x, i) => x === b[i]);

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
      const onlyA = sortedA.find((w) => !sortedB.includes(w)) ?? sortedA[0]!;
      const onlyB = sortedB.find((w) => !sortedA.includes(w)) ?? sortedB[0]!;
      return `'${onlyA}' vs '${onlyB}' (accents the embedding does not see)`;
    }
  }
  return undefined;
}

/**
 * Characters outside the model's vocabulary, compared in order when both prompts have some ("👍" vs "👎",
 * "猫" vs "狗", "٣" vs "٤", "⭐⭐⭐" vs "⭐"); then accents.
 */
export function unseenDetail(a: string, b: string): string | undefined {
  if (!NON_ASCII.test(a) && !NON_ASCII.test(b)) return undefined;
  const opaqueA = opaqueCharacters(a);
  const opaqueB = opaqueCharacters(b);
  // Only where both sides have some: one unknown token against none is a difference the embedding does see
  // ("🤗 Datasets" vs "Datasets", "₹500" vs "Rs. 500"); two different unknown characters are not.
  if (opaqueA.length > 0 && opaqueB.length > 0 && !sameList(opaqueA, opaqueB)) {
    let i = 0;
    while (i < opaqueA.length && opaqueA[i] === opaqueB[i]) i++;
    const show = (c: string | undefined) => (c === undefined ? 'nothing' : `'${c}'`);
    return `${show(opaqueA[i])} vs ${show(opaqueB[i])} (characters the embedding reads as unknown)`;
  }
  return accentDetail(a, b);
}

/** Each non-blank line's leading whitespace, by the line's content; undefined for fewer than two lines. */
function indentation(text: string): Map<string, string[]> | undefined {
  if (!text.includes('\n') && !text.includes('\r')) return undefined;
  const out = new Map<string, string[]>();
  let lines = 0;
  for (const line of text.split(/\r\n|\r|\n/)) {
    const body = line.trimStart();
    if (body === '') continue;
    lines++;
    const key = body.trimEnd();
    const indent = line.slice(0, line.length - body.length);
    const list = out.get(key);
    if (list === undefined) out.set(key, [indent]);
    else list.push(indent);
  }
  return lines < 2 ? undefined : out;
}

// Comparison operators, longest first; and the brackets code and JSON use (not parentheses, which prose uses).
const OPERATOR_RE = /<=|>=|==|!=|<>|[<>≤≥≠]/g;
const BRACKET_RE = /[[\]{}]/g;

/**
 * Code the embedding cannot weigh: a line both prompts have, indented differently ("    z()" vs "z()");
 * comparison operators, in order ("age > 30" vs "age < 30"); square brackets and braces, in order
 * ("[] + {}" vs "{} + []").
 */
export function layoutDetail(a: string, b: string): string | undefined {
  const linesA = indentation(a);
  const linesB = linesA === undefined ? undefined : indentation(b);
  if (linesA !== undefined && linesB !== undefined) {
    for (const [line, inA] of linesA) {
      const inB = linesB.get(line);
      if (inB === undefined || sameList(inA, inB)) continue;
      if (inA.some((s) => s !== '') || inB.some((s) => s !== ''))
        return `indentation of '${line.slice(0, 40)}'`;
    }
  }
  for (const re of [OPERATOR_RE, BRACKET_RE]) {
    const opsA = a.match(re) ?? [];
    const opsB = b.match(re) ?? [];
    if (!sameList(opsA, opsB)) return `'${opsA.join(' ')}' vs '${opsB.join(' ')}'`;
  }
  return undefined;
}
