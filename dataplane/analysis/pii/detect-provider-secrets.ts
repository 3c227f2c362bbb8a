// API keys with a provider's own prefix (OpenAI, Anthropic, AWS, GitHub, Google, Slack, Stripe...), from
// the table in secret-providers.ts. Masked values (`ghp_xxxxx...`) are skipped.
import { hasMaskRun } from './entropy.js';
import { confidence, PII_TYPES, type RawFinding } from './finding.js';
import { eachMatch } from './match-loop.js';
import { PROVIDER_RULES } from './secret-providers.js';

/** Every rule's literals as one alternation (a string: compiled per scan, so no regex state is shared). */
const HINT_SOURCE = [...new Set(PROVIDER_RULES.flatMap((rule) => rule.hints))]
  .map((hint) => hint.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))
  .join('|');
/** Above this length one pass for all literals beats one `includes` per literal. */
const ONE_PASS_FROM = 32 * 1024;

function hintTest(text: string): (hint: string) => boolean {
  if (text.length < ONE_PASS_FROM) return (hint) => text.includes(hint);
  const seen = new Set<string>();
  // Zero-width look-ahead: reports overlapping literals too (AKIASIA...).
  for (const m of text.matchAll(new RegExp(`(?=(${HINT_SOURCE}))`, 'g'))) seen.add(m[1]!);
  return (hint) => seen.has(hint);
}

export function detectProviderSecrets(text: string): RawFinding[] {
  const out: RawFinding[] = [];
  const present = hintTest(text);
  for (const rule of PROVIDER_RULES) {
    if (!rule.hints.some(present)) continue;
    eachMatch(new RegExp(rule.source, 'g'), text, (m) => {
      const token = m[0];
      if (hasMaskRun(token) || (rule.check !== undefined && !rule.check(token))) return;
      out.push({
        type: PII_TYPES.secret,
        subtype: rule.subtype,
        start: m.index,
        end: m.index + token.length,
        confidence: confidence(rule.confidence),
      });
    });
  }
  return out;
}
