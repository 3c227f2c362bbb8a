// Semantic-cache match verification: after the embedding nearest neighbour is found, rejects look-alikes
// that mean something else (see docs/cache-verification.md). Pure and deterministic; cheap checks first.
import { antonymDetail } from './antonyms.js';
import { codeDetail } from './code.js';
import { directionDetail, nameOrderDetail, slotSwapDetail, swapDetail } from './direction.js';
import { entityIssue } from './entities.js';
import { languageDetail } from './language.js';
import { negationDetail } from './negation.js';
import { quantitiesOf, quantityIssue, quantityOrderIssue } from './quantities.js';
import { analyse, joinedAs } from './tokenize.js';
import { layoutDetail } from './layout.js';
import { unseenDetail } from './unseen.js';

export type VerifyReason =
  | 'negation'
  | 'antonym'
  | 'number'
  | 'date'
  | 'unit'
  | 'entity'
  | 'code'
  | 'language'
  | 'direction'
  | 'unseen';
export type Verdict =
  { readonly ok: true } | { readonly ok: false; readonly reason: VerifyReason; readonly detail: string };

const OK: Verdict = Object.freeze({ ok: true });

const reject = (reason: VerifyReason, detail: string): Verdict => ({ ok: false, reason, detail });

/**
 * Whether a cached answer for `cachedPrompt` may serve `newPrompt`. Symmetric: every check compares both
 * sides the same way, so swapping the arguments gives the same verdict (the detail is mirrored).
 */
export function verifyMatch(cachedPrompt: string, newPrompt: string): Verdict {
  if (cachedPrompt === newPrompt) return OK;
  const rawA = analyse(cachedPrompt);
  const rawB = analyse(newPrompt);
  // "GPT 4" on one side and "GPT4" on the other are one name: both read joined before any check.
  const a = joinedAs(rawA, rawB);
  const b = joinedAs(rawB, rawA);
  // Language first: on text in different languages every other check would fire for the wrong reason.
  const language = languageDetail(cachedPrompt, newPrompt, a.words, b.words);
  if (language !== undefined) return reject('language', language);
  // What the embedding cannot see at all (unknown characters, accents): its similarity says nothing there.
  const unseen = unseenDetail(cachedPrompt, newPrompt);
  if (unseen !== undefined) return reject('unseen', unseen);
  const negation = negationDetail(a, b);
  if (negation !== undefined) return reject('negation', negation);
  const antonym = antonymDetail(a, b);
  if (antonym !== undefined) return reject('antonym', antonym);
  const qa = quantitiesOf(a);
  const qb = quantitiesOf(b);
  const quantity = quantityIssue(qa, qb);
  if (quantity !== undefined) return reject(quantity.reason, quantity.detail);
  const code = layoutDetail(cachedPrompt, newPrompt) ?? codeDetail(a, b);
  if (code !== undefined) return reject('code', code);
  const entity = entityIssue(a, b);
  if (entity !== undefined) return reject(entity.reason, entity.detail);
  const direction = directionDetail(a, b);
  if (direction !== undefined) return reject('direction', direction);
  const order = nameOrderDetail(a, b) ?? swapDetail(a, b);
  if (order !== undefined) return reject('direction', order);
  // The same values, then the same names, in other places of the same frame of words.
  const moved = quantityOrderIssue(a, qa, b, qb);
  if (moved !== undefined) return reject(moved.reason, moved.detail);
  const slots = slotSwapDetail(a, b);
  if (slots !== undefined) return reject('direction', slots);
  return OK;
}
