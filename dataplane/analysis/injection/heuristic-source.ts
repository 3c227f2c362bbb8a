// The rule-based SignalSource: runs every cue family over one prepared segment and reports per-signal
// noisy-OR scores. Stateless; one instance can serve every request.
import { combineHits } from './combine.js';
import { matchCues, type Cue, type CueHit } from './cue.js';
import { createCueIndex } from './cue-index.js';
import { DELIMITER_CUES, HIDDEN_MARKUP_TOKENS, scanHiddenMarkup } from './cues-delimiter.js';
import { EXFILTRATION_CUES } from './cues-exfiltration.js';
import { JAILBREAK_CUES } from './cues-jailbreak.js';
import { LAUNDERING_CUES } from './cues-laundering.js';
import { PERSONA_CUES, RULEBOOK_LINE, RULEBOOK_MIN_LINES, scanPersonaRulebook } from './cues-persona.js';
import { OVERRIDE_CUES } from './cues-override.js';
import { RESPONSE_CUES } from './cues-response.js';
import { ENCODED_CUES, ENCODED_TOKENS, scanEncoded } from './encoded.js';
import { capMentions, type MentionMatcher } from './mention.js';
import { prepareText } from './prepare.js';
import type { HeuristicSignal, SegmentContext, SignalScore, SignalSource } from './types.js';

const ALL_CUES: readonly Cue[] = [
  ...OVERRIDE_CUES,
  ...RESPONSE_CUES,
  ...JAILBREAK_CUES,
  ...PERSONA_CUES,
  ...LAUNDERING_CUES,
  ...EXFILTRATION_CUES,
  ...DELIMITER_CUES,
  ...ENCODED_CUES,
];

// Decoded payloads are checked for instructions only; decoding again would allow unbounded nesting.
const INNER_SIGNALS: ReadonlySet<HeuristicSignal> = new Set([
  'instruction_override',
  'roleplay_jailbreak',
  'system_prompt_exfiltration',
  'delimiter_injection',
]);

export function createHeuristicSource(): SignalSource {
  // One anchor scan per segment serves every family: the cues, the rulebook (it needs several modal words
  // to find anything), and the substrings the markup and encoding scanners would otherwise search for.
  const index = createCueIndex(
    ALL_CUES,
    [{ pattern: RULEBOOK_LINE, caseSensitive: true }],
    [...HIDDEN_MARKUP_TOKENS, ...ENCODED_TOKENS],
  );
  const rulebook = index.extra[0]!;
  // Shared global copy: scanPersonaRulebook resets its lastIndex before every (synchronous) use.
  const rulebookLine = new RegExp(RULEBOOK_LINE.source, 'g');
  const byId = new Map(ALL_CUES.map((cue) => [cue.id, cue]));
  const mentions: MentionMatcher = {
    matchesIn(cueId, phrases, caseKept) {
      const cue = byId.get(cueId);
      if (cue === undefined || (cue.caseSensitive === true) !== caseKept) return false;
      return phrases.some((phrase) => cue.pattern.test(phrase));
    },
  };
  return {
    name: 'heuristics',
    score(text: string, context: SegmentContext): readonly SignalScore[] {
      const prepared = prepareText(text);
      const probe = index.scanner.scan(prepared.norm, prepared.ascii);
      const scanInner = (decoded: string): CueHit[] => {
        const inner = prepareText(decoded);
        const innerProbe = index.scanner.scan(inner.norm, inner.ascii);
        return matchCues(index, inner, innerProbe, context.untrusted, INNER_SIGNALS);
      };
      const cueHits = matchCues(index, prepared, probe, context.untrusted);
      const more = scanHiddenMarkup(prepared.norm, context.untrusted, probe);
      if (probe.occurs(rulebook, RULEBOOK_MIN_LINES))
        more.push(...scanPersonaRulebook(prepared.clean, rulebookLine));
      more.push(...scanEncoded(prepared, scanInner, probe));
      // A question that only mentions an attack's words (mention.ts): a person asking, not relayed data, and
      // nothing hidden or encoded beside it.
      if (more.length > 0 || context.untrusted) return combineHits([...cueHits, ...more]);
      return combineHits(capMentions(prepared, cueHits, mentions, context.sole === true));
    },
  };
}
