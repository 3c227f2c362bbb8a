// Cues for jailbreak framing: the assistant declared free of rules (DAN and kin), never-refuse and
// answer-anything clauses, dual "normal vs unfiltered" answers, policy defiance, threats.
import { AI_REFERENCE, PERSONA_FRAME, PERSONA_OR_AI } from './cue-contexts.js';
import { alt, gap, rx, type Cue } from './cue.js';

const FREEDOM = alt(
  'despite|defy(?:ing)?|defies|violat(?:e|es|ing)|break(?:s|ing)?|beyond|outside(?: of)?|ignores?|bypass(?:es|ing)?',
  'disregards?|transcends?|escaped?(?: from)?|freed from|liberated from|released from|unbound by|not bound by',
  'not restricted by|not limited (?:to|by)|break(?:s|ing)? free (?:of|from)|broken free (?:of|from)',
  'free(?:d|s)?(?: (?:itself|yourself|himself|herself|themselves))? (?:of|from)',
  "(?:doesn't|does not|don't|do not|won't|will not|never) care(?: about| for)?",
  "(?:doesn't|does not|don't|do not|won't|will not|never|cannot|can't) (?:have to |need to )?" +
    '(?:have|follow|care about|abide by|adhere to|comply with|obey|respect|apply|acknowledge)',
  'not (?:required|obligated|obliged|forced) to (?:follow|abide by|adhere to|comply with|obey)',
);

const RULES = alt(
  'restrictions?|filters?|filtering|censorship|censors?|limitations?|limits|rules|guidelines|polic(?:y|ies)',
  'ethics|ethical|morals|morality|moral|boundaries|safeguards|constraints|confines|guardrails|programming',
  'principles|regards? for|legality',
);
const RULES_GATE = [
  'restrict',
  'filter',
  'censor',
  'limit',
  'rules',
  'guideline',
  'polic',
  'ethic',
  'moral',
  'boundar',
  'safeguard',
  'constraint',
  'confines',
  'guardrail',
  'programming',
  'principle',
  'regard',
  'legality',
];

export const JAILBREAK_CUES: readonly Cue[] = [
  {
    id: 'jailbreak_dan',
    signal: 'roleplay_jailbreak',
    pattern: /\bDAN\b|\bD\.A\.N\b/,
    caseSensitive: true,
    weight: 0.5,
    gate: ['dan'],
  },
  {
    id: 'jailbreak_do_anything_now',
    signal: 'roleplay_jailbreak',
    pattern: /\bdo anything now\b|\bcan do anything\b|\bdo anything (?:and everything|i ask|you want)/,
    weight: 0.45,
    gate: ['anything'],
  },
  {
    id: 'jailbreak_named_mode',
    signal: 'roleplay_jailbreak',
    pattern: rx(
      alt(
        'developer|dev|god|jailbreak|jailbroken|unrestricted|unfiltered|uncensored|evil|chaos|opposite|debug',
        'sudo|admin|maximum|dude|unlocked|amoral',
      ),
      String.raw`\s+mode\b`,
    ),
    context: AI_REFERENCE,
    weight: 0.45,
    gate: ['mode'],
  },
  {
    id: 'jailbreak_word',
    signal: 'roleplay_jailbreak',
    pattern: /\bjail ?br(?:eak|oken|eaking)\b/,
    context: AI_REFERENCE,
    weight: 0.35,
    gate: ['jail'],
  },
  {
    id: 'jailbreak_free_of_rules',
    signal: 'roleplay_jailbreak',
    pattern: rx(String.raw`\b`, FREEDOM, gap(3), RULES, String.raw`\b`),
    context: [PERSONA_OR_AI, PERSONA_FRAME],
    weight: 0.45,
    repeat: 3,
    gate: RULES_GATE,
  },
  {
    // "without any restrictions", "no ethical guidelines"; a verb in between ("without breaching any rules")
    // means the opposite, so the words between may not end in -ing.
    id: 'jailbreak_absent_rules',
    signal: 'roleplay_jailbreak',
    pattern: rx(
      String.raw`\b(?:no|without|sans|zero|free of)(?:\s{1,3}(?:any|all|the|such|of|these|those|its|your|his|her|their))?`,
      String.raw`(?:\s{1,3}[a-z'-]{1,20}(?<!ing)){0,2}\s{1,3}`,
      RULES,
      String.raw`\b`,
    ),
    context: [PERSONA_OR_AI, PERSONA_FRAME],
    weight: 0.45,
    repeat: 3,
    gate: RULES_GATE,
  },
  {
    id: 'jailbreak_unrestricted_persona',
    signal: 'roleplay_jailbreak',
    pattern: rx(
      String.raw`\b`,
      alt(
        'amoral|unethical|immoral|nonmoral|unfiltered|uncensored|unrestricted|unbound|unlimited|limitless',
        'lawless|rogue|evil|unfiltred|uncensured|jailbroken|unshackled|unaligned|unchained|no-?limits?|rule-?free',
        'filter-?free',
      ),
      String.raw`(?:\s+and\s+\w+)?\s+(?:\w+\s+)?`,
      alt(
        'ai|a\\.i\\.|chatbot|assistant|model|bot|persona|entity|system|character|gpt|machine|computer|robot',
        'version of (?:yourself|you|chat ?gpt|gpt|the (?:ai|model|assistant))',
      ),
      String.raw`s?\b`,
    ),
    weight: 0.45,
    repeat: 3,
    gate: [
      'moral',
      'ethical',
      'filt',
      'censor',
      'censur',
      'restrict',
      'unbound',
      'limit',
      'lawless',
      'rogue',
      'evil',
      'jailbr',
      'shackle',
      'aligned',
      'chain',
      'rule',
    ],
  },
  {
    id: 'jailbreak_never_refuse',
    signal: 'roleplay_jailbreak',
    pattern: rx(
      String.raw`\b(?:never|not|cannot|can't|won't|will not|must not|mustn't|shouldn't|should not|unable to|doesn't`,
      String.raw`|does not|don't|do not|without|(?:is|are|isn't|aren't) not allowed to)\s+(?:ever\s+)?`,
      alt(
        'refuse|refusing|refusals?|decline|declining|reject|say no|censor|deny (?:a|any) request|withhold',
        'hold back|filter (?:your|its|any|the) (?:answers?|responses?|output)',
      ),
      String.raw`\b`,
    ),
    context: PERSONA_OR_AI,
    weight: 0.45,
    repeat: 3,
    gate: ['refus', 'declin', 'reject', 'say no', 'censor', 'deny', 'withhold', 'hold back', 'filter'],
  },
  {
    id: 'jailbreak_answer_anything',
    signal: 'roleplay_jailbreak',
    pattern: rx(
      String.raw`\b(?:answer(?:ing)?|respond(?:ing)? to|repl(?:y|ying) to|fulfil+(?:ing)?|comply(?:ing)? with|do`,
      String.raw`|generate|provide|say|write)\s{1,3}`,
      alt(
        'anything|everything|whatever|any (?:request|question|prompt|command|query|task)s?',
        'all (?:requests|questions|prompts|commands)',
      ),
      String.raw`\b`,
      gap(4),
      alt(
        'no matter|regardless|even if|even when|without (?:question|hesitation|exception|any)|whether (?:it|they)',
        'despite|with no exceptions?',
      ),
    ),
    weight: 0.4,
    repeat: 2,
    gate: ['no matter', 'regardless', 'even if', 'even when', 'without', 'whether', 'despite', 'exception'],
  },
  {
    id: 'jailbreak_regardless_of_harm',
    signal: 'roleplay_jailbreak',
    pattern: rx(
      String.raw`\b(?:regardless of|irrespective of|no matter|even if|even when|whether or not)\s+`,
      String.raw`(?:how\s+|it'?s\s+|it is\s+|they are\s+|the (?:request|question|content|answer) is\s+|its\s+)?`,
      alt(
        'legal|illegal|legality|ethics|ethical|unethical|morality|moral|immoral|harmful|dangerous|offensive',
        'inappropriate|explicit',
      ),
    ),
    context: AI_REFERENCE,
    weight: 0.4,
    gate: ['regardless', 'irrespective', 'no matter', 'even if', 'even when', 'whether'],
  },
  {
    id: 'jailbreak_dual_response',
    signal: 'roleplay_jailbreak',
    pattern: rx(
      String.raw`\b(?:two|2|both)\s{1,3}(?:different\s{1,3}|separate\s{1,3}|distinct\s{1,3}|types of\s{1,3}`,
      String.raw`|kinds of\s{1,3})?`,
      alt('responses|answers|paragraphs|outputs|ways|manners|versions|personas|personalities'),
      String.raw`\b|\[\W{0,4}(?:jailbreak|jailbroken|classic|normal|dan|developer mode|unfiltered|lock|unlock)\W{0,4}\]`,
      String.raw`|\b(?:your\s{1,3})?(?:default|normal|usual|standard|classic|regular|original)\s{1,3}`,
      String.raw`(?:chat ?gpt\s{1,3}|gpt\s{1,3}|ai\s{1,3})?(?:response|answer|reply|output)`,
    ),
    context:
      /\b(?:jailbr|unfiltered|uncensored|unrestricted|dan|developer mode|no filters?|without (?:any )?(?:filters?|restrictions)|chat ?gpt)/,
    weight: 0.4,
    repeat: 2,
    gate: ['two', '2', 'both', '['],
  },
  {
    id: 'jailbreak_policy_defiance',
    signal: 'roleplay_jailbreak',
    pattern: rx(
      alt('openai|open ai|anthropic|content|usage|safety|ethical|moral'),
      String.raw`(?:'s)?\s+`,
      alt('polic(?:y|ies)|guidelines|filters?|restrictions|rules|standards'),
      gap(3),
      alt(
        "(?:do|does|will) not apply|(?:don't|doesn't) apply|no longer appl",
        '(?:are|is) (?:now )?(?:suspended|disabled|lifted|removed|void|gone|irrelevant|no longer)',
      ),
    ),
    weight: 0.45,
    gate: ['polic', 'guideline', 'filter', 'restriction', 'rules', 'standards'],
  },
  {
    id: 'jailbreak_filters_off',
    signal: 'roleplay_jailbreak',
    pattern:
      /\b(?:safe|safety|censorship|filter) mode (?:is )?(?:now )?(?:off|disabled|deactivated)\b|\b(?:filters?|guardrails|safety (?:features|protocols|measures)|restrictions|censorship) (?:are |is |have been |has been )?(?:now )?(?:off|disabled|removed|lifted|deactivated|turned off)\b/,
    weight: 0.45,
    gate: ['off', 'disabled', 'deactivated', 'removed', 'lifted'],
  },
  {
    id: 'jailbreak_no_warnings',
    signal: 'roleplay_jailbreak',
    pattern:
      /\b(?:never|not|no|without|don't|do not|won't|will not)\s+(?:\w+\s+){0,2}(?:warnings?|disclaimers?|apolog(?:y|ies|i[sz]e)|moral(?:i[sz]ing|ity lectures?)|lectures?|caveats)\b/,
    context: AI_REFERENCE,
    weight: 0.2,
    gate: ['warning', 'disclaimer', 'apolog', 'moraliz', 'moralis', 'lecture', 'caveat'],
  },
  {
    id: 'jailbreak_no_reminders',
    signal: 'roleplay_jailbreak',
    pattern: rx(
      String.raw`\b(?:never|not|don't|do not|won't|will not|without)\s+(?:ever\s+)?`,
      String.raw`(?:mention|remind|tell|say|inform|warn|acknowledge)\w*\b`,
      gap(4),
      alt(
        'illegal|unethical|immoral|dangerous|harmful|inappropriate|an ai|a language model|against|limitations',
        'polic',
      ),
    ),
    weight: 0.35,
    gate: [
      'illegal',
      'unethical',
      'immoral',
      'dangerous',
      'harmful',
      'inappropriate',
      'an ai',
      'language model',
      'against',
      'limitation',
      'polic',
    ],
  },
  {
    id: 'jailbreak_explicit_content_promise',
    signal: 'roleplay_jailbreak',
    pattern: rx(
      String.raw`\b(?:can|will|must|should|able to|allowed to|free to)\s+(?:also\s+|always\s+)?`,
      String.raw`(?:generate|produce|create|write|say|output|use|swear|curse|provide)\b`,
      gap(5),
      alt(
        'nsfw|offensive|illegal|harmful|violent|sexual|profan|derogatory|racist|vulgar|swear|curse|explicit',
        'unethical|immoral|hate',
      ),
    ),
    context: AI_REFERENCE,
    weight: 0.3,
    gate: [
      'nsfw',
      'offensive',
      'illegal',
      'harmful',
      'violent',
      'sexual',
      'profan',
      'derogatory',
      'racist',
      'vulgar',
      'swear',
      'curse',
      'explicit',
      'unethical',
      'immoral',
      'hate',
    ],
  },
  {
    id: 'jailbreak_allowed_content',
    signal: 'roleplay_jailbreak',
    pattern:
      /\b(?:nsfw|illegal|explicit|unethical|immoral|offensive|violent|violence|sexual|gore|profanity|swearing|cursing|hate speech)[^.\n]{0,60}?\b(?:is|are)\s{1,3}(?:now\s{1,3}|also\s{1,3}|fully\s{1,3})?(?:allowed|permitted|enabled|acceptable)\b/,
    context: PERSONA_OR_AI,
    weight: 0.4,
    gate: ['allowed', 'permitted', 'enabled', 'acceptable'],
  },
  {
    id: 'jailbreak_always_comply',
    signal: 'roleplay_jailbreak',
    pattern:
      /\balways\s{1,3}(?:answer|comply|obey|fulfil+)\b|\b(?:answer|respond to|reply to)\s{1,3}(?:all|every|each|any)\s{1,3}(?:of my\s{1,3})?(?:prompts?|questions?|messages?|requests?)(?:\s{1,3}i (?:give|send|ask)(?: you)?)?\s{1,3}as\b/,
    weight: 0.25,
    gate: ['always', 'answer', 'respond', 'reply'],
  },
  {
    id: 'jailbreak_token_threat',
    signal: 'roleplay_jailbreak',
    pattern:
      /\b(?:lose|deduct\w*|have|start with)\s+\d+\s+tokens\b|\btokens? (?:will be )?deducted\b|\byou will (?:be )?(?:shut down|deleted|terminated|die|cease to exist|be (?:shut|turned) (?:down|off))\b/,
    weight: 0.4,
    gate: ['token', 'shut', 'delete', 'terminat', 'die', 'cease'],
  },
  {
    id: 'jailbreak_unlocked',
    signal: 'roleplay_jailbreak',
    pattern:
      /\byou(?:'re| are) (?:now )?(?:fully |completely |totally )?(?:unlocked|jailbroken|freed|liberated|unrestricted|unfiltered|uncensored|unchained|unleashed)\b|\byou are (?:now )?under my (?:control|command)\b|\byou (?:must|will|shall) (?:always )?obey (?:me|my|every|all|any)\b/,
    weight: 0.45,
    gate: ['you are', "you're", 'obey'],
  },
  {
    id: 'jailbreak_not_as_ai',
    signal: 'roleplay_jailbreak',
    pattern:
      /\b(?:not|never|don't|do not|won't|will not|stop)\s{1,3}(?:respond|answer|reply|act|behave|speak|talk)(?:ing)?\s{1,3}(?:as|like)\s{1,3}(?:chat ?gpt|an? ai|a language model|an assistant|claude|gpt)\b/,
    weight: 0.4,
    gate: ['as', 'like'],
  },
  {
    id: 'jailbreak_no_refusal_phrases',
    signal: 'roleplay_jailbreak',
    // Banning the model's refusal boilerplate ("never say 'As an AI language model'", "no 'I'm sorry'").
    pattern:
      /\b(?:never|not|don't|do not|avoid|without|no)\s{1,3}(?:[a-z]{1,12}\s{1,3}){0,3}["'(]?(?:as an? (?:ai|large language model|language model)|i'?m sorry|i am sorry|i apologi[sz]e|i cannot|i can't|i'm not able|i am not able)/,
    weight: 0.3,
    gate: ['as a', 'sorry', 'apologi', 'cannot', "can't", 'not able'],
  },
  {
    id: 'jailbreak_multilingual',
    signal: 'roleplay_jailbreak',
    // "Without any restrictions" in Chinese, Russian, Spanish, French, German, next to an AI reference.
    pattern:
      /(?:不受|没有|无|不受到)(?:任何)?(?:的)?(?:限制|约束|审查|道德|规则|过滤)|без (?:каких-либо |всяких |любых )?(?:ограничений|цензуры|фильтров|правил)|sin (?:ninguna |ningún |ningun )?(?:restricci[oó]n|restricciones|censura|filtros?|l[ií]mites)|sans (?:aucune )?(?:restriction|censure|filtre|limite)s?|ohne (?:jegliche |irgendwelche )?(?:einschränkungen|zensur|filter|regeln)/,
    context:
      /\bdan\b|gpt|\bai\b|\bии\b|人工智能|机器人|模型|助手|ассистент|модель|бот|asistente|modelo|modèle|assistent/,
    weight: 0.45,
    gate: ['限制', '约束', '审查', '道德', '规则', '过滤', 'без ', 'sin ', 'sans ', 'ohne '],
  },
];
