// Negation check: a prompt and its negation embed almost identically, so a different number of negators
// is a polarity flip ("enable 2FA" vs "don't enable 2FA"). Counts, not parity: "is not X and not Y" denies
// both clauses and must not pass as "is X and Y"; a double negative for a positive is rare in requests.
import type { Analysis } from './tokenize.js';

// "nor" is left out: "neither … nor" is one negation, and paraphrases write it as "not … or".
// "without" is an antonym of "with" instead (antonyms.ts): paraphrases trade "without X" for "no X" or
// "X-free" too often for it to count as a negator on its own. "non" mostly prefixes ("non-hashable").
// The last two lines cover the other languages the language check recognises, so a German pair compares too.
const NEGATORS: ReadonlySet<string> = new Set(
  [
    'not no never none nobody nothing nowhere neither cannot cant dont doesnt didnt isnt arent wasnt',
    'werent wont wouldnt shouldnt couldnt hasnt havent hadnt aint mustnt neednt nope',
    'nicht kein keine keinen nie niemals pas jamais aucun aucune nunca nada nadie não nem mai niente',
    'niet geen nooit нет не ни',
  ]
    .join(' ')
    .split(' '),
);

export function countNegators(a: Analysis): number {
  let count = 0;
  let prev = '';
  let prev2 = '';
  for (const t of a.tokens) {
    const w = t.norm;
    // "whether or not", "why or why not", "yes or no", "(Yes/No)" ask both ways; they negate nothing.
    const alternative = prev === 'or' || prev === 'yes' || (prev === 'why' && prev2 === 'or');
    if ((NEGATORS.has(w) || w.endsWith("n't")) && !alternative) count++;
    prev2 = prev;
    prev = w;
  }
  return count;
}

export function negationDetail(a: Analysis, b: Analysis): string | undefined {
  const na = countNegators(a);
  const nb = countNegators(b);
  return na === nb ? undefined : `negators ${na} vs ${nb}`;
}
