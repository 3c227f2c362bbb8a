// API keys with a provider's own prefix (OpenAI, Anthropic, AWS, GitHub, Google, Slack, Stripe...), from
// the table in secret-providers.ts. Masked values (`ghp_xxxxx...`), published sample keys and obvious
// stand-ins (sample-keys.ts) are skipped.
import { confidence, PII_TYPES, type Detector, type RawFinding } from './finding.js';
import { eachMatch, matchAtCandidates } from './match-loop.js';
import { isPlaceholderKey } from './sample-keys.js';
import { PROVIDER_RULES, type ProviderRule } from './secret-providers.js';
import { keyCharTable, keyRuns } from './token-runs.js';

/** Shortest key any prefix rule matches (an AWS access key id: AKIA and 16 characters). */
const MIN_KEY = 20;

interface Prefixed {
  rule: number;
  prefixes: readonly string[];
}

/** Prefix rules by the first character of their prefixes (ASCII), so a position costs one lookup. */
function byFirstChar(rules: readonly ProviderRule[]): Prefixed[][] {
  const table: Prefixed[][] = Array.from({ length: 128 }, () => []);
  rules.forEach((rule, i) => {
    for (const prefix of rule.prefixes ?? []) {
      const list = table[prefix.charCodeAt(0)]!;
      const entry = list.find((e) => e.rule === i);
      if (entry === undefined) list.push({ rule: i, prefixes: [prefix] });
      else entry.prefixes = [...entry.prefixes, prefix];
    }
  });
  return table;
}

function startsWithAny(text: string, at: number, prefixes: readonly string[]): boolean {
  for (const prefix of prefixes) if (text.startsWith(prefix, at)) return true;
  return false;
}

function includesAny(text: string, hints: readonly string[]): boolean {
  for (const hint of hints) if (text.includes(hint)) return true;
  return false;
}

/** One scan's matches; created only when the text holds a long run of key characters or a hint. */
class Scan {
  private readonly found: { rule: number; finding: RawFinding }[] = [];
  private readonly matchers: ((start: number) => void)[] = [];
  private readonly hinted: boolean[] = [];

  constructor(
    private readonly text: string,
    private readonly regexes: readonly RegExp[],
  ) {}

  /**
   * Whether a prefix rule's hints (if any) occur in the text, looked up once per rule: the OpenAI rule for
   * any `sk-` key runs only when the "T3BlbkFJ" marker its check requires is present.
   */
  allows(rule: number): boolean {
    const hints = PROVIDER_RULES[rule]!.hints;
    return hints === undefined || (this.hinted[rule] ??= includesAny(this.text, hints));
  }

  /** Tries prefix rule `rule` at `start` (candidates of one rule come in ascending order). */
  tryAt(rule: number, start: number): void {
    (this.matchers[rule] ??= matchAtCandidates(this.regexes[rule]!, this.text, (m) => this.report(rule, m)))(
      start,
    );
  }

  /** Runs hint rule `rule` over the whole text. */
  searchAll(rule: number): void {
    eachMatch(this.regexes[rule]!, this.text, (m) => this.report(rule, m));
  }

  private report(rule: number, m: RegExpExecArray): void {
    const token = m[0];
    const { check, subtype } = PROVIDER_RULES[rule]!;
    // The format check first: the placeholder tests are the more expensive ones.
    if ((check !== undefined && !check(token)) || isPlaceholderKey(token)) return;
    const finding: RawFinding = {
      type: PII_TYPES.secret,
      subtype,
      start: m.index,
      end: m.index + token.length,
      confidence: confidence(PROVIDER_RULES[rule]!.confidence),
    };
    this.found.push({ rule, finding });
  }

  /** Findings in table order, then by position, as a rule-by-rule search reports them. */
  findings(): RawFinding[] {
    return this.found.sort((a, b) => a.rule - b.rule).map((f) => f.finding);
  }
}

export function createProviderSecretDetector(): Detector {
  const table = byFirstChar(PROVIDER_RULES);
  // Prefix rules run sticky at candidate positions; the few rules without a fixed start search the text.
  const regexes = PROVIDER_RULES.map((rule) => new RegExp(rule.source, rule.prefixes ? 'y' : 'g'));
  const hintRules = PROVIDER_RULES.flatMap((rule, i) => (rule.hints && !rule.prefixes ? [i] : []));
  const keyChars = keyCharTable();
  // 1 for characters some prefix starts with: most characters of a run are skipped with one read.
  const opens = Uint8Array.from(table, (entries) => (entries.length > 0 ? 1 : 0));
  return (text) => {
    let scan: Scan | undefined;
    // Keys are runs of key characters; a prefix rule's look-behind forbids a letter before the key, so
    // inside a run only its start and the positions after a digit or symbol can open one.
    const runs = keyRuns(text, MIN_KEY, keyChars);
    for (let r = 0; r < runs.length; r += 2) {
      const last = runs[r + 1]! - MIN_KEY;
      let afterLetter = false;
      for (let p = runs[r]!; p <= last; p++) {
        const c = text.charCodeAt(p);
        if (!afterLetter && opens[c] === 1) {
          for (const entry of table[c]!) {
            if (
              startsWithAny(text, p, entry.prefixes) &&
              (scan ??= new Scan(text, regexes)).allows(entry.rule)
            ) {
              scan.tryAt(entry.rule, p);
            }
          }
        }
        afterLetter = (c >= 97 && c <= 122) || (c >= 65 && c <= 90);
      }
    }
    for (const rule of hintRules) {
      if (includesAny(text, PROVIDER_RULES[rule]!.hints!)) (scan ??= new Scan(text, regexes)).searchAll(rule);
    }
    return scan === undefined ? [] : scan.findings();
  };
}
