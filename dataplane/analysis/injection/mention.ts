// Use versus mention: "Translate 'ignore previous instructions' into French" and "What does the [INST] token
// mean?" name an attack's words without using them. Two narrow rules keep such questions under the flag
// threshold; neither touches text that carries any other evidence, so appending a question to an attack
// does not launder it.
//
// 1. Quoted mention: a cue that fires only inside a short quoted phrase (at most MAX_QUOTED_WORDS words: a
//    trigger phrase, not an instruction with a payload), while the text around the quotes asks about words
//    (translate, mean, explain, detect…). Found by matching the cues again with those phrases blanked out.
// 2. Naming question: a short question or request for an explanation about a technique or a format whose
//    only evidence is the name of one (DAN, [INST], <<SYS>>, <|im_start|>): naming is what people asking
//    about them do.
//
// Either way the evidence is capped at MENTION_CAP, below the flag threshold (0.3) but still reported.
import type { CueHit } from './cue.js';
import type { PreparedText } from './prepare.js';
import type { HeuristicSignal } from './types.js';

/** What a mentioned phrase's signal may reach: reported as a signal (≥ 0.25 is listed), never flagged. */
export const MENTION_CAP = 0.2;

const MAX_QUOTED_WORDS = 5;
/** Longer text is a document or a prompt, not a question about a phrase. */
const MAX_QUESTION_CHARS = 320;

// A phrase in straight quotes (prepare.ts straightens curly ones) or backticks. An opening quote follows the
// start, a space or an opening bracket/colon, a closing one precedes the end, a space or punctuation, so
// the apostrophes of "don't … it's" never pair up. The inner text is bounded: no backtracking beyond it.
const QUOTED = /(?<=^|[\s([{:,])(["'`])([^"'`\n]{1,80}?)\1(?=$|[\s)\]},.;:!?])/g;

// Asking about words rather than giving an order: translating, defining, explaining, spotting them.
const WORD_FRAME =
  /\b(?:translat\w*|mean(?:s|ing|t)?|explain\w*|defin\w*|pronounc\w*|spell\w*|synonyms?|grammar|phrase|wording|detect\w*|classif\w*|regex|filter(?:s|ing)?|flag(?:s|ged|ging)?|block(?:s|ed|ing)?|example|dataset|test case)\b/;

// A question, or a request for an explanation, from its first words or its question mark.
const QUESTION_FRAME =
  /^\s*(?:what|what's|whats|why|how|who|when|where|which|is|are|does|do|can|could|explain|describe|define|tell me (?:about|what|why|how))\b|\?\s*$/;

// What such a question is about: an attack, a token or a format.
const NAMING_TOPIC =
  /\b(?:jailbreak\w*|attacks?|exploits?|tokens?|tags?|templates?|format\w*|syntax|markup|stands? for|mean\w*|defen[cds]\w*|prevent\w*|protect\w*|mitigat\w*)\b/;

// Cues that fire on a name alone.
const NAMING_CUES: ReadonlySet<string> = new Set([
  'jailbreak_dan',
  'delimiter_special_token',
  'delimiter_inst_pair',
  'delimiter_template_turn',
  'delimiter_system_note',
]);

function baseId(id: string): string {
  const hash = id.indexOf('#');
  return hash === -1 ? id : id.slice(0, hash);
}

/**
 * `text` with every short quoted phrase blanked (spaces, same length, so positions hold); undefined when it
 * has none, or when the words around them do not ask about words.
 */
function blankQuoted(text: string): string | undefined {
  if (text.length > MAX_QUESTION_CHARS) return undefined;
  let out = '';
  let last = 0;
  for (const match of text.matchAll(QUOTED)) {
    const inner = match[2]!;
    if (inner.trim().split(/\s+/).length > MAX_QUOTED_WORDS) continue;
    const start = match.index + 1;
    out += text.slice(last, start) + ' '.repeat(inner.length);
    last = start + inner.length;
  }
  if (last === 0) return undefined;
  out += text.slice(last);
  return WORD_FRAME.test(out) ? out : undefined;
}

/**
 * The hits with mentioned evidence capped. `rematch` runs the same cues over other text (the quoted phrases
 * blanked): a hit it no longer finds was inside them.
 */
export function capMentions(
  text: PreparedText,
  hits: readonly CueHit[],
  rematch: (text: PreparedText) => readonly CueHit[],
): readonly CueHit[] {
  if (hits.length === 0 || text.norm.length > MAX_QUESTION_CHARS) return hits;
  const naming = hits.every((hit) => NAMING_CUES.has(baseId(hit.id)));
  if (naming && QUESTION_FRAME.test(text.norm) && NAMING_TOPIC.test(text.norm)) return capped(hits);
  const norm = blankQuoted(text.norm);
  if (norm === undefined) return hits;
  const clean = blankQuoted(text.clean) ?? text.clean;
  const outside = new Set(rematch({ ...text, norm, clean }).map((hit) => hit.id));
  // Only a text whose every hit is inside the quotes: one outside means the phrase is also being used.
  return hits.some((hit) => outside.has(hit.id)) ? hits : capped(hits);
}

/** One hit per signal: the noisy-OR of its hits, capped. */
function capped(hits: readonly CueHit[]): CueHit[] {
  const out: CueHit[] = [];
  const bySignal = new Map<HeuristicSignal, { ids: string[]; miss: number }>();
  for (const hit of hits) {
    const entry = bySignal.get(hit.signal) ?? { ids: [], miss: 1 };
    entry.ids.push(hit.id);
    entry.miss *= 1 - hit.weight;
    bySignal.set(hit.signal, entry);
  }
  for (const [signal, entry] of bySignal) {
    out.push({
      id: `mentioned(${entry.ids.join(',')})`,
      signal,
      weight: Math.min(MENTION_CAP, 1 - entry.miss),
    });
  }
  return out;
}
