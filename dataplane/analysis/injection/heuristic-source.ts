// The rule-based SignalSource: runs every cue family over one prepared segment and reports per-signal
// noisy-OR scores. Stateless; one instance can serve every request.
import { combineHits } from './combine.js';
import { createGateIndex, matchCues, type Cue, type CueHit } from './cue.js';
import { DELIMITER_CUES, scanHiddenMarkup } from './cues-delimiter.js';
import { EXFILTRATION_CUES } from './cues-exfiltration.js';
import { JAILBREAK_CUES } from './cues-jailbreak.js';
import { LAUNDERING_CUES } from './cues-laundering.js';
import { PERSONA_CUES, scanPersonaRulebook } from './cues-persona.js';
import { OVERRIDE_CUES } from './cues-override.js';
import { RESPONSE_CUES } from './cues-response.js';
import { ENCODED_CUES, scanEncoded } from './encoded.js';
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
  const gateIndex = createGateIndex(ALL_CUES);
  return {
    name: 'heuristics',
    score(text: string, context: SegmentContext): readonly SignalScore[] {
      const prepared = prepareText(text);
      const scanInner = (decoded: string): CueHit[] => {
        const inner = prepareText(decoded);
        return matchCues(ALL_CUES, inner, gateIndex.present(inner.norm), context.untrusted, INNER_SIGNALS);
      };
      const hits = [
        ...matchCues(ALL_CUES, prepared, gateIndex.present(prepared.norm), context.untrusted),
        ...scanHiddenMarkup(prepared.norm, context.untrusted),
        ...scanPersonaRulebook(prepared.clean),
        ...scanEncoded(prepared, scanInner),
      ];
      return combineHits(hits);
    },
  };
}
