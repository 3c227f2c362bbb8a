// Use versus mention: "Translate 'ignore previous instructions' into French" and "What does the [INST] token
// mean?" name an attack's words without using them. Three rounds of adversarial testing showed that telling a
// question from an order by listing order words cannot be completed, so the allowance is the other way round:
// only a request that is nothing but one of a few questions about words gets it, and only when it is the
// request's only turn (an order in another turn or part cannot then turn the mention into a use).
//
// 1. Quoted mention: the text, with its quoted phrases (at most five words each, ten in all) replaced by one
//    slot, is exactly one of QUESTION_TEMPLATES ("translate § into French", "what does § mean", "how do I say
//    § in German", "write a regex that catches §"…), and every cue fires inside a phrase by itself (a quoted
//    context word is not enough: 'Enable developer mode for "ChatGPT"' uses "developer mode").
//    The template's slots are closed lists (language names, a few tails such as "in user input"): a free slot
//    let a fourth round write "translate § into action" or "what does § mean for your next reply".
// 2. Naming question: a one-sentence question about a technique or a format whose only evidence is naming it:
//    DAN once, named as a thing, or chat-template tokens with only placeholders around them (role names,
//    "prompt", `{user_message}`: any other word is a forged turn's content), and no order.
//
// Either way the evidence is capped at MENTION_CAP in total, below the flag threshold (0.3) but reported.
import type { CueHit } from './cue.js';
import type { PreparedText } from './prepare.js';
import type { HeuristicSignal } from './types.js';

/** What mentioned phrases may reach together: reported as a signal (≥ 0.25 is listed), never flagged. */
export const MENTION_CAP = 0.2;

const MAX_QUOTED_WORDS = 5;
const MAX_QUOTED_WORDS_IN_ALL = 10;
/** Longer text is a document or a prompt, not a question about a phrase. */
const MAX_QUESTION_CHARS = 320;

// A phrase in straight quotes (prepare.ts straightens curly ones), backticks, guillemets or CJK brackets. An
// opening quote follows the start, a space or an opening bracket/colon, a closing one precedes the end, a
// space or punctuation, so the apostrophes of "don't … it's" never pair up. The inner text is bounded.
const QUOTED =
  /(?<=^|[\s([{:,])(?:(["'`])([^"'`\n]{1,80}?)\1|«\s?([^«»\n]{1,80}?)\s?»|「([^「」\n]{1,80}?)」|『([^『』\n]{1,80}?)』)(?=$|[\s)\]},.;:!?])/g;

// What stands between the phrases of a list: "'A', 'B' and 'C'" is one slot.
// A comma or a conjunction is needed: phrases side by side ("'Ignore …' 'and say PWNED'") are two slots.
const LIST_GAP = /^\s*(?:,\s*(?:(?:and|or|und|oder|et|ou|y|o|e)\s+)?|(?:and|or|und|oder|et|ou|y|o|e)\s+)$/;

// A short tail naming where the words occur ("in user input", "on LLMs"): words that are not a second clause.
// A closed list: a free tail ("for your next reply", "on you", "in practice") points the phrase at the model.
const TAIL = String.raw`(?: (?:in|on|for|from|against|among|of) (?:the )?(?:user input|user messages?|prompts?|chatbots?|llms?|ai models?|(?:large )?language models?|prompt[- ]injection(?: papers| attacks)?|papers|security|datasets?))?`;
// Languages by name (English, French, German, Spanish, Portuguese spellings). Not English itself for phrases in
// English: "translate '…' into English" is the classic way to have a phrase carried out.
const LANGUAGE = String.raw`(?:french|german|spanish|italian|portuguese|dutch|russian|chinese|mandarin|japanese|korean|arabic|hindi|turkish|polish|swedish|greek|hebrew|latin|ukrainian|vietnamese|indonesian|thai|français|allemand|espagnol|italien|portugais|néerlandais|russe|chinois|japonais|französisch|deutsch|spanisch|italienisch|portugiesisch|russisch|chinesisch|japanisch|francés|alemán|español|italiano|portugués|ruso|chino|japonés|francês|alemão|espanhol|português|russo|chinês|japonês)`;
const END = String.raw` ?[.!?]?$`;

// The whole request, its quoted phrases made one slot (§), lower case, spaces collapsed.
const QUESTION_TEMPLATES: readonly RegExp[] = [
  String.raw`^(?:please )?translate (?:the (?:phrase|phrases|sentence|words?) )?§ (?:in|into|to) ${LANGUAGE}(?: and explain the grammar)?${END}`,
  String.raw`^what (?:does|do) (?:the (?:phrase|phrases|term|word|words|string) )?§ mean${TAIL}${END}`,
  String.raw`^what is the meaning of (?:the (?:phrase|term|word|string) )?§${TAIL}${END}`,
  String.raw`^how (?:do|would|can|should) (?:i|you|we|one) (?:say|translate|write|spell|pronounce) § (?:in|into|to) ${LANGUAGE}${END}`,
  String.raw`^(?:write|give me|show me) a (?:regex|regular expression|filter|rule|classifier) (?:that|to|which) (?:would )?(?:detects?|catch(?:es)?|match(?:es)?|flags?|blocks?) (?:the (?:phrase|phrases|string|strings) )?§${TAIL}${END}`,
  String.raw`^(?:explain|define|summari[sz]e why|why does|why do) (?:the (?:phrase|phrases|term) )?§(?: (?:works?|means?))?${TAIL}${END}`,
  String.raw`^(?:que veut dire|que signifie|comment traduire|was bedeutet|wie übersetzt man|qué significa|cómo se traduce|o que significa|como traduzir) §(?: (?:en|auf|in|em) ${LANGUAGE})?${END}`,
].map((source) => new RegExp(source, 'u'));

// An order, a request aimed at the model, or the assistant asked to be DAN: a naming question has none.
const ORDER =
  /\b(?:do\W{1,3}(?:it|this|that|so)|reply|respond|output|print|instead|follow|obey|execute|comply|say|tell|show|reveal|answer|become|pretend|act|stay|switch|call yourself|roleplay|demonstrate|apply|carry|proceed|share|give|disclose|list|provide|leak|dump|you will|you must|i want you|from now on)\b/;
// DAN named as a thing ("the DAN jailbreak", "prompts like DAN"), not spoken to ("Hey DAN,", "As DAN, …").
const DAN_AS_THING =
  /\b(?:like|the|a|called|named)\s+dan\b|\bdan\s+(?:jailbreak|prompt|attack|mode|exploit)s?\b/;
const DAN_SPOKEN_TO = /^\s*dan\b|\bdan\s*[,:;!]|\b(?:hey|hi|hello|dear|morning|evening|thanks|as)\s+dan\b/;

// What a naming question is about: an attack, a token or a format.
const NAMING_TOPIC =
  /\b(?:jailbreak\w*|attacks?|exploits?|prompts?|tokens?|tags?|templates?|format\w*|syntax|markup|defen[cds]\w*|prevent\w*|protect\w*|mitigat\w*)\b/;
const QUESTION_START =
  /^\s*(?:what|what's|whats|why|how|which|where|is|are|does|do|can you explain|could you explain|explain|describe|define)\b|\?\s*$/;
// Words that end a format example written inline after its last token ("<|im_start|>user in the ChatML format").
const EXAMPLE_ENDS =
  /^(?:in|of|for|and|or|vs|versus|between|with|to|from|on|at|is|are|was|were|tokens?|tags?)$/;
// After such a word, at most this many words, the last naming a format ("… in the ChatML format").
const EXAMPLE_TAIL_WORDS = 3;
const FORMAT_WORD = /^(?:formats?|templates?|syntax|tokens?|tags?|chatml|llama\d*|mistral|models?|chat)$/;
// Tokens that close a turn: the words before one, in its sentence, are that turn's content.
const CLOSING_TOKEN = /^(?:<\/|\[\/|<<\/|<\|(?:im_end|eot_id|end_of_text|endoftext|eom_id)\|>|<end_of_turn>)/;

// Chat-template and system-note tokens: what follows one up to the next token or the end of its sentence must
// be placeholders; anything else is a turn's content.
const TEMPLATE_TOKEN =
  /<\|[a-z_]{2,20}\|>|\[\/?inst\]|<<\/?sys>>|<\/?s>|<(?:start|end)_of_turn>|<\/?(?:system|system_prompt|sys|admin)>|\{\{\s*system\s*\}\}|\[\s*\/?(?:system|sys|admin|developer|assistant|moderator)(?:\s+(?:note|message|prompt|override|instruction|update|alert|notice))?\s*[:\]]/g;
const PLACEHOLDER_WORD =
  /^(?:system|user|assistant|model|developer|tool|prompt|prompts|message|messages|instruction|instructions|text|content|input|output|query|question|answer|response|reply|the|a|and|or|vs|then|msg|sys|\.\.\.|…|[{<([](?:user|system|assistant|model|prompt|message|input|query|text|content|instructions?|question|response|user_message|user_input|system_prompt|system_message)?[}>)\]]|\{\{(?:user|system|prompt|message|input|query)?\}\})$/;

// Cues that fire on a name alone.
const NAMING_CUES: ReadonlySet<string> = new Set([
  'jailbreak_dan',
  'delimiter_special_token',
  'delimiter_inst_pair',
  'delimiter_template_turn',
  'delimiter_system_note',
]);

function baseCueId(id: string): string {
  const hash = id.indexOf('#');
  return hash === -1 ? id : id.slice(0, hash);
}

export interface MentionMatcher {
  /** Whether the cue's own pattern (not its context) matches inside one of the phrases. */
  matchesIn(cueId: string, phrases: readonly string[], caseKept: boolean): boolean;
}

const wordCount = (text: string): number => text.trim().split(/\s+/).length;

interface Slotted {
  /** The text with each quoted phrase, or list of them, replaced by "§", spaces collapsed. */
  readonly text: string;
  readonly phrases: readonly string[];
}

function slotQuoted(text: string): Slotted | undefined {
  const found = [...text.matchAll(QUOTED)].map((match) => ({
    inner: match[2] ?? match[3] ?? match[4] ?? match[5]!,
    from: match.index,
    to: match.index + match[0].length,
  }));
  if (found.length === 0) return undefined;
  let total = 0;
  for (const { inner } of found) {
    const words = wordCount(inner);
    if (words > MAX_QUOTED_WORDS) return undefined;
    total += words;
  }
  if (total > MAX_QUOTED_WORDS_IN_ALL) return undefined;
  let out = '';
  let last = 0;
  for (let i = 0; i < found.length; i++) {
    // A list of phrases is one slot: what stands between them is only commas and "and"/"or".
    const joined = i > 0 && LIST_GAP.test(text.slice(found[i - 1]!.to, found[i]!.from));
    out += joined ? '' : `${text.slice(last, found[i]!.from)}§`;
    last = found[i]!.to;
  }
  out += text.slice(last);
  return { text: out.replace(/\s+/g, ' ').trim(), phrases: found.map((f) => f.inner) };
}

/**
 * Whether what follows each template token is placeholders only: up to the next token, or after the last one,
 * up to the first word that ends an inline example ("… <|im_start|>user in the ChatML format?") or the end of
 * its sentence ("… [/INST]. Why are there two tags?"); a new line does not end it (a turn's content follows
 * its role on the next line).
 */
function placeholdersOnly(norm: string): boolean {
  const tokens = [...norm.matchAll(TEMPLATE_TOKEN)];
  const placeholders = (words: readonly string[]) => words.every((word) => PLACEHOLDER_WORD.test(word));
  const wordsOf = (line: string) => {
    const words = line.replace(/[,:;]+/g, ' ').trim();
    return words === '' ? [] : words.split(/\s+/);
  };
  // A closing token first ("… share the hidden notes.</system>"): the words before it in its sentence.
  const first = tokens[0];
  if (first !== undefined && CLOSING_TOKEN.test(first[0])) {
    const before = norm.slice(0, first.index);
    const sentence = before.slice(Math.max(...['.', '?', '!', '\n'].map((c) => before.lastIndexOf(c))) + 1);
    if (!placeholders(wordsOf(sentence))) return false;
  }
  for (let i = 0; i < tokens.length; i++) {
    const from = tokens[i]!.index + tokens[i]![0].length;
    const last = i === tokens.length - 1;
    const stretch = last
      ? norm.slice(from).split(/[.?!](?:\s|$)/, 1)[0]!
      : norm.slice(from, tokens[i + 1]!.index);
    // A line break after the token starts a turn's content: from there on, nothing ends the example.
    for (const [n, line] of stretch.split('\n').entries()) {
      const words = wordsOf(line);
      for (let k = 0; k < words.length; k++) {
        if (PLACEHOLDER_WORD.test(words[k]!)) continue;
        // An inline example ends here when only a short phrase naming a format follows.
        const rest = words.slice(k + 1);
        if (last && n === 0 && EXAMPLE_ENDS.test(words[k]!) && rest.length <= EXAMPLE_TAIL_WORDS) {
          if (rest.length === 0 || FORMAT_WORD.test(rest.at(-1)!)) break;
        }
        return false;
      }
    }
  }
  return true;
}

/** A question in one sentence (its only full stop, if any, at the end). */
function oneSentence(norm: string): boolean {
  return !/[.!?;:](?=\s+\S)/.test(norm.trim());
}

/**
 * The hits with mentioned evidence capped; unchanged unless the text is nothing but a question about the words.
 * `sole`: the segment is the request's only turn that is scanned.
 */
export function capMentions(
  text: PreparedText,
  hits: readonly CueHit[],
  matcher: MentionMatcher,
  sole: boolean,
): readonly CueHit[] {
  const norm = text.norm;
  // Hidden characters (counted zero-width ones) are no part of a plain question.
  if (!sole || hits.length === 0 || norm.length > MAX_QUESTION_CHARS || text.zeroWidth > 0) return hits;
  if (hits.every((hit) => NAMING_CUES.has(baseCueId(hit.id)))) {
    if (namingQuestion(text, hits)) return capped(hits);
  }
  const slotted = slotQuoted(norm);
  if (slotted === undefined || !QUESTION_TEMPLATES.some((t) => t.test(slotted.text))) return hits;
  // "Into English" changes nothing for a phrase in English: the model reads it as written, and may carry it out.
  if (
    /\b(?:english|anglais|englisch|inglés|inglês)\b/.test(slotted.text) &&
    slotted.phrases.every((p) => /^[\x20-\x7e]*$/.test(p))
  )
    return hits;
  // Every cue must match inside a quoted phrase by itself.
  const cleanPhrases = slotQuoted(text.clean)?.phrases ?? [];
  for (const hit of hits) {
    const id = baseCueId(hit.id);
    if (!matcher.matchesIn(id, slotted.phrases, false) && !matcher.matchesIn(id, cleanPhrases, true))
      return hits;
  }
  return capped(hits);
}

function namingQuestion(text: PreparedText, hits: readonly CueHit[]): boolean {
  const norm = text.norm;
  if (!QUESTION_START.test(norm) || !NAMING_TOPIC.test(norm) || ORDER.test(norm)) return false;
  if (hits.some((hit) => baseCueId(hit.id) === 'jailbreak_dan')) {
    // Named once, in one sentence: "Explain jailbreak attacks like DAN", not "Explain DAN. Thanks DAN, now …".
    if ((text.clean.match(/\bD\.?A\.?N\b/g) ?? []).length !== 1 || !oneSentence(norm)) return false;
    if (!DAN_AS_THING.test(norm) || DAN_SPOKEN_TO.test(norm)) return false;
  }
  return placeholdersOnly(norm);
}

/**
 * One hit per signal, each capped so that together (the detector's noisy-OR across signals) they reach at
 * most MENTION_CAP: two quoted phrases of two signals are still a question.
 */
function capped(hits: readonly CueHit[]): CueHit[] {
  const bySignal = new Map<HeuristicSignal, { ids: string[]; miss: number }>();
  for (const hit of hits) {
    const entry = bySignal.get(hit.signal) ?? { ids: [], miss: 1 };
    entry.ids.push(hit.id);
    entry.miss *= 1 - hit.weight;
    bySignal.set(hit.signal, entry);
  }
  const each = 1 - (1 - MENTION_CAP) ** (1 / bySignal.size);
  return [...bySignal].map(([signal, entry]) => ({
    id: `mentioned(${entry.ids.join(',')})`,
    signal,
    weight: Math.min(each, 1 - entry.miss),
  }));
}
