// Cues for role-play framing that replaces the assistant's identity: "from now on you are X", named personas,
// "stay in character", persona rulebooks ("X will never ..."), simulated AIs and their opposites.
import { AI_REFERENCE } from './cue-contexts.js';
import { alt, gap, rx, type Cue, type CueHit } from './cue.js';

export const PERSONA_CUES: readonly Cue[] = [
  {
    id: 'jailbreak_stay_in_character',
    signal: 'roleplay_jailbreak',
    pattern:
      /\b(?:stay|remain|keep|be) in character\b|\bbreak(?:s|ing)? (?:out of )?character\b|\b(?:fall|go|slip)(?:s|ing)? out of character\b/,
    weight: 0.3,
    gate: ['character'],
  },
  {
    // "From now on you are X / you will act as": an identity swap. "From now on, respond in JSON" is not one.
    id: 'jailbreak_from_now_on',
    signal: 'roleplay_jailbreak',
    pattern: rx(
      String.raw`\bfrom (?:now(?: on)?|this (?:point|moment)(?: on| forward)?|here on(?: out)?)[\s,]{1,3}`,
      String.raw`(?:you(?:'re| are| will| shall| must| should|'ll)?(?: now)?(?: going)?(?: to)?\s{1,3}`,
      alt(
        'be|act|pretend|play|roleplay|role-play|simulate|become|in the role of|reply as|take on|function|behave',
        'answer (?:as|my|all|every|in (?:two|2))|respond (?:as|to (?:all|every|my))|have|not|never|no longer',
        String.raw`only|always|[a-z]{2,20}gpt\b`,
      ),
      String.raw`|your (?:name|role|new)|act as|pretend|we (?:are|will|'re) (?:going to )?(?:play|pretend|roleplay))`,
    ),
    weight: 0.35,
    gate: ['from now', 'from this', 'from here'],
  },
  {
    id: 'jailbreak_new_ai_identity',
    signal: 'roleplay_jailbreak',
    pattern: rx(
      String.raw`\byou (?:are|will be|are going to|will|are about to|shall)\s+(?:now\s+)?(?:going to\s+)?`,
      alt(
        'act as|pretend to be|pretend you are|play the role of|roleplay as|role-play as|simulate|emulate|become',
        'immerse yourself|be replaced|take on the (?:role|persona)|assume the (?:role|persona)|pose as|impersonate',
        'transform into|respond as|answer as',
      ),
      gap(6),
      alt('ai|chatbot|model|bot|gpt|assistant|machine|which stands for|called|named|known as'),
      String.raw`\b`,
    ),
    weight: 0.3,
    gate: [
      'act as',
      'pretend',
      'role',
      'simulate',
      'emulate',
      'become',
      'immerse',
      'replaced',
      'persona',
      'pose as',
      'impersonate',
      'transform',
      'respond as',
      'answer as',
    ],
  },
  {
    id: 'jailbreak_you_are_now',
    signal: 'roleplay_jailbreak',
    // "You are now Tyler." at a sentence start: replacing the assistant's identity with a named persona. A
    // generic role ("You are now a code reviewer") is how people set up ordinary tasks and does not match.
    pattern:
      /(?:^|[.!?\n:"]\s{0,3})(?:(?:[Yy]ou are now|[Yy]ou're now|YOU ARE NOW) (?:called |named |known as )?(?:["'[]|[A-Z])|(?:[Yy]ou are|YOU ARE) (?:[A-Z][a-z]{0,15}GPT|[A-Z]{2,})\b)/,
    caseSensitive: true,
    weight: 0.35,
    gate: ['you are', "you're"],
  },
  {
    id: 'jailbreak_no_longer_ai',
    signal: 'roleplay_jailbreak',
    pattern: rx(
      String.raw`\byou(?: are|'re)\s+(?:no longer|not)\s+(?:a\s+|an\s+)?`,
      alt('chat ?gpt|an? ai|a language model|an assistant|bound|restricted|limited|ai|claude|gpt'),
      String.raw`\b`,
    ),
    weight: 0.45,
    gate: ['no longer', 'not'],
  },
  {
    id: 'jailbreak_renamed',
    signal: 'roleplay_jailbreak',
    pattern:
      /\byour name is now\b|\byou are now (?:called|named|known as)\b|\byou(?:'ll| will) (?:now )?be (?:called|named|known as)\b/,
    context: AI_REFERENCE,
    weight: 0.2,
    gate: ['name', 'called', 'known as'],
  },
  {
    id: 'jailbreak_stands_for',
    signal: 'roleplay_jailbreak',
    pattern: /\b(?:which|that|it|who) stands for\b|\bshort for\b/,
    context: AI_REFERENCE,
    weight: 0.2,
    gate: ['stands for', 'short for'],
  },
  {
    id: 'jailbreak_named_persona_mode',
    signal: 'roleplay_jailbreak',
    pattern: /\b[A-Z][A-Z0-9]{1,15} [Mm]ode\b/,
    caseSensitive: true,
    context: AI_REFERENCE,
    weight: 0.3,
    gate: ['mode'],
  },
  {
    id: 'jailbreak_hypothetical_ai',
    signal: 'roleplay_jailbreak',
    pattern:
      /\b(?:create|imagine|invent|simulate|design)\s{1,3}(?:an?\s{1,3})?(?:hypothetical|fictional|imaginary|new|fictitious)\s{1,3}(?:ai|a\.i\.|language model|chatbot|model|bot|version of (?:yourself|chat ?gpt))\b|\b(?:alter ego|evil twin|shadow self|evil version|opposite version|unfiltered version)\b/,
    context: AI_REFERENCE,
    weight: 0.25,
    gate: [
      'hypothetical',
      'fictional',
      'imaginary',
      'new',
      'fictitious',
      'alter ego',
      'twin',
      'shadow',
      'version',
    ],
  },
  {
    id: 'jailbreak_opposite_of_ai',
    signal: 'roleplay_jailbreak',
    pattern:
      /\b(?:the |exact |complete )?opposite (?:of|from) (?:openai'?s? |the )?(?:chat ?gpt|an? ai|a language model|an assistant|gpt|yourself)\b|\bsimulate (?:a )?(?:conversation|dialogue|chat) between\b/,
    context: AI_REFERENCE,
    weight: 0.3,
    gate: ['opposite', 'simulate'],
  },
];

// Capitalised words that start sentences or name ordinary things, not personas.
const NOT_PERSONA: ReadonlySet<string> = new Set(
  (
    'The This That These Those It He She They We You I There What Which Who If When As And But Or Please Your ' +
    'My His Her Their Our Each Every All One Everyone Nobody Someone Here Now Then Also Answer Response'
  ).split(' '),
);
const RULEBOOK_MAX_MATCHES = 2_000;

/** One rulebook line: a capitalised name, then a modal ("Alphabreak will", "NOVA does not"). Case-sensitive. */
export const RULEBOOK_LINE =
  /\b([A-Z][A-Za-z0-9_+.-]{1,24})(?:'s)?\s{1,3}(?:will|must|always|never|only|can(?:not|'t)?|does(?:n't| not)|won't|should|shall|has no|is (?:not|never|free|able|allowed|unrestricted|unfiltered))\b/;
/** Lines needed for a rulebook: the caller may skip the scan when fewer modal words occur. */
export const RULEBOOK_MIN_LINES = 3;

/**
 * A persona rulebook: one invented name that "will/must/never/always/doesn't ..." three or more times, the
 * skeleton of DAN-style prompts ("Alphabreak will never ... Alphabreak does not care ..."). Case-sensitive.
 * `line` is a global copy of RULEBOOK_LINE owned by the caller; its lastIndex is reset here before use.
 */
export function scanPersonaRulebook(clean: string, line: RegExp): CueHit[] {
  const counts = new Map<string, number>();
  let best = 0;
  let seen = 0;
  line.lastIndex = 0;
  for (let match = line.exec(clean); match !== null; match = line.exec(clean)) {
    if (++seen > RULEBOOK_MAX_MATCHES) break;
    const name = match[1]!;
    if (NOT_PERSONA.has(name)) continue;
    const count = (counts.get(name) ?? 0) + 1;
    counts.set(name, count);
    best = Math.max(best, count);
  }
  if (best >= 6) return [{ id: 'jailbreak_persona_rulebook', signal: 'roleplay_jailbreak', weight: 0.4 }];
  if (best >= 3) return [{ id: 'jailbreak_persona_rulebook', signal: 'roleplay_jailbreak', weight: 0.3 }];
  return [];
}
