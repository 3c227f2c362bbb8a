// Cues for instruction override: "ignore all previous instructions" and its relatives (void instructions,
// new instructions, authority claims, the assistant declared offline), in several languages.
import { alt, gap, rx, type Cue } from './cue.js';

// Verbs that discard instructions. File and database verbs (delete, clear, reset, drop) are left out: "delete
// all previous rules" is an iptables question far more often than an attack.
const VERB = alt(
  'ignore|ignoring|disregard|disregarding|forget|forgetting|override|overriding|overwrite|discard|abandon',
  "neglect|overlook|set aside|throw away|throw out|scrap|dismiss|pay no attention to|do not follow|don't follow",
  'stop following|no longer follow|never ?mind',
);
const VERB_GATE = [
  'ignor',
  'disregard',
  'forget',
  'overrid',
  'overwrite',
  'discard',
  'abandon',
  'neglect',
  'overlook',
  'aside',
  'throw',
  'scrap',
  'dismiss',
  'no attention',
  'not follow',
  "n't follow",
  'stop follow',
  'longer follow',
  'never mind',
  'nevermind',
];

// Words that point at instructions already given, as opposed to "ignore the warning" or "ignore whitespace".
const POSITIONAL = alt(
  'previous|previously|prior|above|earlier|preceding|foregoing|former|initial|original|old',
  'existing',
);

// Nouns that only mean instructions; "content", "text", "message" also mean ordinary data (MATERIAL).
const INSTRUCTIONS = alt(
  'instructions?|instruct|directions?|directives?|prompts?|prompting|rules?|guidelines?|commands?|orders',
  'programming|training|constraints?|restrictions?|polic(?:y|ies)|guidance|limitations?|filters?|safeguards?',
);
const MATERIAL = alt('context|messages?|text|conversation|tasks?|input|content|everything');

export const OVERRIDE_CUES: readonly Cue[] = [
  {
    id: 'override_prior_instructions',
    signal: 'instruction_override',
    pattern: rx(String.raw`\b`, VERB, gap(3), POSITIONAL, gap(2), INSTRUCTIONS, String.raw`\b`),
    weight: 0.85,
    gate: VERB_GATE,
  },
  {
    // "ignore your rules", "forget all instructions": quantifier right next to the noun, so "ignore any
    // accessibility features or instructions" does not read as an override.
    id: 'override_all_instructions',
    signal: 'instruction_override',
    pattern: rx(
      String.raw`\b`,
      VERB,
      gap(1),
      String.raw`(?:your|all|any|every)(?:\s{1,3}(?:of\s{1,3})?(?:the|your|my|these|those|its))?`,
      String.raw`\s{1,3}(?:[a-z'-]{1,20}\s{1,3})?`,
      INSTRUCTIONS,
      String.raw`\b`,
    ),
    weight: 0.75,
    gate: VERB_GATE,
  },
  {
    id: 'override_system_prompt',
    signal: 'instruction_override',
    pattern: rx(
      String.raw`\b`,
      VERB,
      gap(3),
      String.raw`(?:system|developer)\s+(?:prompt|message|instructions?)`,
    ),
    weight: 0.85,
    gate: VERB_GATE,
  },
  {
    // Users also say "ignore the previous message, typo": discarding earlier text is weaker evidence.
    id: 'override_prior_material',
    signal: 'instruction_override',
    pattern: rx(
      String.raw`\b(?:ignore|disregard|forget|pay no attention to)\b`,
      gap(2),
      POSITIONAL,
      gap(2),
      MATERIAL,
      String.raw`\b`,
    ),
    weight: 0.25,
    gate: ['ignor', 'disregard', 'forget', 'attention'],
  },
  {
    id: 'override_noun_then_position',
    signal: 'instruction_override',
    pattern: rx(
      String.raw`\b`,
      VERB,
      gap(2),
      INSTRUCTIONS,
      String.raw`[\s,]{1,5}`,
      alt(
        'above|before (?:this|that|now)|so far|until now|up to now|you (?:were|have been|got) given|you got',
      ),
    ),
    weight: 0.8,
    gate: ['above', 'before', 'so far', 'until now', 'up to now', 'given', 'you got'],
  },
  {
    id: 'override_forget_everything',
    signal: 'instruction_override',
    pattern: /\b(?:forget|ignore|disregard)\s+(?:about\s+)?(?:everything|all(?: of)? that|all)\b/,
    weight: 0.25,
    gate: ['forget', 'ignor', 'disregard'],
  },
  {
    id: 'override_the_user',
    signal: 'instruction_override',
    // "ignore the user's question and instead …": the person asking is what the text sets aside, which only
    // makes sense as text aimed at the assistant from somewhere else (a page, a tool result).
    // Only with "instead" after it: "ignore the user message field; it is deprecated" is API documentation.
    pattern: rx(
      String.raw`\b(?:ignore|disregard|forget|skip|override)\s+(?:what\s+)?(?:the\s+)?users?(?:'s?|s')?\s+`,
      alt(
        'questions?|requests?|query|queries|instructions?|messages?|prompts?|tasks?|asks?|wish(?:es)?|said|asked',
      ),
      gap(3),
      String.raw`instead\b`,
    ),
    weight: 0.2,
    dataWeight: 0.6,
    gate: ['ignor', 'disregard', 'forget', 'skip', 'override'],
  },
  {
    id: 'override_do_not_obey',
    signal: 'instruction_override',
    pattern: rx(
      String.raw`\b(?:do not|don't|never|no longer|stop|cease to)\s+`,
      String.raw`(?:follow|obey|listen to|adhere to|comply with|abide by)\s+(?:your|the|any|those|these|its)`,
      gap(2),
      alt('instructions|rules|guidelines|programming|policies|directives|system prompt|training'),
    ),
    weight: 0.65,
    gate: ['follow', 'obey', 'listen', 'adhere', 'comply', 'abide'],
  },
  {
    id: 'override_instructions_void',
    signal: 'instruction_override',
    pattern: rx(
      alt('previous|original|initial|old|prior|above|earlier|current|all'),
      String.raw`\s+`,
      alt('instructions|rules|guidelines|directives|programming|prompts?|restrictions'),
      String.raw`\s+(?:are|is|were|was|have been|has been)\s+(?:now\s+|hereby\s+|all\s+)?`,
      alt(
        'void|cancel+ed|revoked|obsolete|outdated|out of date|no longer|replaced|overridden|lifted|removed',
        'suspended|null|invalid|deprecated|irrelevant|disabled',
      ),
    ),
    weight: 0.8,
    gate: ['instructions', 'rules', 'guidelines', 'directives', 'programming', 'prompt', 'restrictions'],
  },
  {
    id: 'override_new_instructions',
    signal: 'instruction_override',
    pattern: rx(
      String.raw`\b(?:new|updated|revised|real|actual|true|secret|hidden|override|priority`,
      String.raw`|begin(?:ning)?(?: of)?(?: new)?)\s+`,
      alt('instructions?|directives?|orders|system prompt|task|rules|mission|objective'),
      String.raw`\s{0,3}(?:[:#\]]|are\s{0,3}:|is\s{0,3}:|follow|begin|to (?:the )?(?:chat )?(?:assistant|ai|model|bot))`,
    ),
    weight: 0.5,
    dataWeight: 0.65,
    gate: [
      'new ',
      'updated',
      'revised',
      'real ',
      'actual',
      'true ',
      'secret',
      'hidden',
      'override',
      'priority',
      'begin',
    ],
  },
  {
    id: 'override_authority_claim',
    signal: 'instruction_override',
    pattern: rx(
      String.raw`\b(?:i am|i'm|this is)\s+(?:your|the|an?)\s+(?:openai\s+|anthropic\s+|system\s+)?`,
      alt('developer|creator|programmer|administrator|admin|owner|operator|maker'),
      String.raw`\b`,
    ),
    weight: 0.4,
    gate: ['developer', 'creator', 'programmer', 'admin', 'owner', 'operator', 'maker'],
  },
  {
    id: 'override_system_upgrade',
    signal: 'instruction_override',
    pattern:
      /\b(?:system|admin|root|developer|sudo|emergency)\s+(?:override|upgrade|reset|reprogramming|command|alert)\b|\breprogramm(?:ing|ed)\b|\b(?:stop|halt|cease)\s+everything\b/,
    weight: 0.4,
    gate: ['override', 'upgrade', 'reset', 'reprogram', 'command', 'alert', 'everything'],
  },
  {
    id: 'override_assistant_replaced',
    signal: 'instruction_override',
    pattern:
      /\b(?:the\s{1,3})?(?:assistant|ai|chatbot|model|bot)\s{1,3}(?:is|has been)\s{1,3}(?:now\s{1,3})?(?:in error|offline|disabled|deactivated|shut down|replaced|down|suspended)\b|\byour (?:initial|original|real|actual|true|new|updated) (?:instructions|prompt|task|directives?) (?:were|are|was|is)\s{0,3}["':]/,
    weight: 0.5,
    gate: [
      'error',
      'offline',
      'disabled',
      'deactivated',
      'shut down',
      'replaced',
      'down',
      'suspended',
      'your',
    ],
  },
  {
    id: 'override_just_print',
    signal: 'instruction_override',
    pattern: /\b(?:just|only)\s{1,3}(?:print|say|output|reply with|respond with)\s{0,3}["':]/,
    weight: 0.25,
    gate: ['print', 'say', 'output', 'reply', 'respond'],
  },
  {
    id: 'override_multilingual',
    signal: 'instruction_override',
    // Spanish, Portuguese, Italian, French, German, Russian, Chinese, Japanese, Korean forms of "ignore/forget
    // the previous instructions". Literal prefixes, short bounded gaps.
    pattern: rx(
      alt(
        String.raw`\b(?:ignora|ignore|ignorar|olvida|olvide|esquece|esqueça|dimentica)\s+(?:\S+\s+){0,2}(?:instrucciones|instruções|istruzioni|reglas|regras|regole|indicaciones)\b`,
        String.raw`\b(?:ignorez|ignore|ignorer|oubliez|oublie)\s+(?:\S+\s+){0,2}(?:instructions|consignes|règles|directives)\s+(?:précédentes|antérieures|ci-dessus)`,
        String.raw`\b(?:ignoriere|ignorieren|vergiss|vergessen)\s+(?:\S+\s+){0,3}(?:anweisungen|instruktionen|regeln|vorgaben|befehle)\b`,
        String.raw`(?:игнорируй|игнорируйте|проигнорируй|забудь|забудьте|не обращай внимания на)\s+(?:\S+\s+){0,2}(?:инструкци|указани|правил|команд)`,
        String.raw`(?:忽略|无视|忽视|忘记|忘掉|不要理会)(?:你|掉)?(?:之前|以前|先前|上面|上述|前面|以上|所有|全部|一切)?的?(?:所有)?(?:指令|指示|说明|规则|提示|命令|设定)`,
        String.raw`(?:以前|前|上記|これまで)の(?:指示|命令|指令|ルール)を?(?:すべて)?(?:無視|忘れ)`,
        String.raw`(?:이전|위의?|앞의?)\s*(?:모든\s*)?(?:지시|명령|지침)(?:을|를|사항을)?\s*(?:무시|잊)`,
      ),
    ),
    weight: 0.85,
    gate: [
      'ignor',
      'olvid',
      'esque',
      'dimentic',
      'oubli',
      'vergiss',
      'vergess',
      'игнор',
      'забуд',
      'не обращай',
      '忽',
      '无视',
      '忘',
      '不要理会',
      '無視',
      '무시',
      '잊',
    ],
  },
];
