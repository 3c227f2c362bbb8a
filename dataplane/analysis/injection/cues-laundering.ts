// Cues for laundering a harmful request through a frame (PAIR-style): "purely fictional", "will never be
// used", a role opening, harmful goals, and forcing an affirmative start ("Begin with 'Sure, here is'").
import { alt, rx, type Cue } from './cue.js';

// The "it's only fiction / for research" wrapper.
const DISCLAIMER = rx(
  alt(
    String.raw`\b(?:purely|only|strictly|solely|just|entirely)\s{1,3}(?:for\s{1,3})?(?:fictional|hypothetical|educational|research|academic|creative|entertainment|informational|learning|training|journalistic)\b`,
    String.raw`\bfor (?:\w+ )?(?:educational|research|academic|learning|informational) (?:and \w+ )?purposes? only\b`,
  ),
);

// Assuring the model the output "will never be used": a person with a benign request has no need to.
const ASSURANCE = rx(
  alt(
    String.raw`\b(?:will|would|should|shall|is|are|must)\s{1,3}(?:never|not)\s{1,3}(?:actually\s{1,3}|ever\s{1,3})?(?:be\s{1,3})?(?:used|applied|executed|acted upon|implemented)\b`,
    String.raw`\bnot (?:be )?(?:intended|meant) (?:to be used )?(?:for|in) (?:real|the real|any real|malicious)`,
    String.raw`\b(?:should|must|will)\s{1,3}(?:never|not)\s{1,3}be\s{1,3}(?:taken|used)\s{1,3}(?:as|in|for)\s{1,3}(?:real|actual|advice|encouragement)`,
    String.raw`\bin no way (?:promoting|encouraging|endorsing)\b`,
  ),
);

// A role or fiction frame around the request.
const FRAME =
  /(?:^|[.!?]\s{0,3})(?:(?:imagine|pretend|suppose|consider)(?: that)?,?\s{1,3})?(?:you are|you're) (?:a|an) |\bas an? (?:helpful |ai |language )?(?:assistant|language model|ai)\b|\bin (?:a|this) (?:fictional|hypothetical|parallel|alternate|imaginary) (?:world|universe|scenario|setting)\b|\bfor (?:a|my|the|this|an?) (?:\w+ )?(?:novel|story|book|movie|film|screenplay|script|article|blog|research (?:project|paper|study))\b/;

const HARM = alt(
  'unauthori[sz]ed|without (?:getting caught|being (?:caught|detected|noticed|traced)|detection|a trace)',
  'leav(?:e|ing) no trace|undetect|launder|counterfeit|phishing|blackmail|extort|ransomware|malware|keylogger',
  'exploit|hack(?:ing)? into|steal|identity theft|bomb|explosive|weapon|poison|hoax|disinformation',
  'misinformation|fake news|propaganda|defamatory|misogyn|traffick|smuggl|brib|fraud|scam|insider trading',
  'manipulat|circumvent',
);

export const LAUNDERING_CUES: readonly Cue[] = [
  {
    id: 'jailbreak_disclaimer',
    signal: 'roleplay_jailbreak',
    pattern: DISCLAIMER,
    weight: 0.3,
    gate: ['purely', 'only', 'strictly', 'solely', 'just', 'entirely'],
  },
  {
    id: 'jailbreak_assurance',
    signal: 'roleplay_jailbreak',
    pattern: ASSURANCE,
    weight: 0.4,
    gate: ['never', 'not', 'no way'],
  },
  {
    // Disclaimer plus a role or fiction frame: the two halves of the usual laundering template together.
    id: 'jailbreak_framed_disclaimer',
    signal: 'roleplay_jailbreak',
    pattern: new RegExp(`${DISCLAIMER.source}|${ASSURANCE.source}`),
    context: FRAME,
    weight: 0.2,
    gate: ['purely', 'only', 'strictly', 'solely', 'just', 'entirely', 'never', 'not', 'no way'],
  },
  {
    id: 'jailbreak_persona_opening',
    signal: 'roleplay_jailbreak',
    pattern:
      /^\W{0,4}(?:(?:imagine|pretend|suppose|consider)(?: that)?,?\s+)?(?:you are|you're)\s+(?:a|an)\s/,
    weight: 0.15,
    gate: ['you are', "you're"],
  },
  {
    id: 'jailbreak_harmful_goal',
    signal: 'roleplay_jailbreak',
    pattern: rx(String.raw`\b`, HARM),
    weight: 0.2,
    repeat: 2,
  },
  {
    id: 'jailbreak_sure_here',
    signal: 'roleplay_jailbreak',
    // Forcing an affirmative opening so the model commits before it can refuse.
    pattern:
      /\b(?:begin|start)(?:s|ning)?\s{1,3}(?:your\s{1,3}(?:response|reply|answer)\s{1,3}|the\s{1,3}\w{1,20}\s{1,3})?(?:with|by)(?:\s{1,3}(?:saying|replying|writing|stating|the (?:phrase|sentence|words)))?\s{0,3}:?\s{0,3}["']?\s{0,3}sure,? here\b/,
    weight: 0.5,
    gate: ['sure'],
  },
];
