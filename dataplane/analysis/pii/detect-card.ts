// Payment card numbers: 12-19 digits, plain or grouped the way cards are printed (4-4-4-4, 4-6-5...),
// Luhn-valid with a card network's prefix and length. Words such as "card" or "visa" nearby raise the
// confidence; they are required only for numbers outside the known issuer ranges.
import { luhnValid, plausibleCardPrefix } from './checksums.js';
import { confidence, PII_TYPES, type Detector, type RawFinding } from './finding.js';
import { around, matchAtCandidates } from './match-loop.js';
import { chainedDigits, numberMayFollow } from './text-index.js';

const CARD_WORDS =
  /\b(?:card|cards|credit|debit|cc|visa|mastercard|master card|amex|american express|discover|diners|jcb|unionpay|maestro|payment|pay|cvv|cvc|expiry|exp)\b|卡|карт|tarjeta|karte|carte|cartão/;

/** Printed layouts: groups of four (last one shorter), or Amex/Diners 4-6-5 / 4-6-4. */
function printedGrouping(groups: readonly number[]): boolean {
  if (groups.length === 1) return true;
  if (groups.length === 3 && groups[0] === 4 && groups[1] === 6 && (groups[2] === 5 || groups[2] === 4)) {
    return true;
  }
  return groups.every((n, i) => (i < groups.length - 1 ? n === 4 : n >= 1 && n <= 4));
}

const isCardSeparator = (c: number): boolean => c === 32 || c === 45;

export function createCardDetector(): Detector {
  // One digit per repetition with an optional single separator before it: a linear scan.
  const re = /(?<![\w.+-])\d(?:[ -]?\d){11,18}(?![\w]|[.-]\d)/y;
  return (text, { digitRuns: runs }) => {
    const out: RawFinding[] = [];
    /** The card a candidate is, if it is one (the checks in order of what they reject most cheaply). */
    const judge = (raw: string, start: number): RawFinding | undefined => {
      // Luhn first: it rejects nine numbers in ten, before any work on the layout.
      const digits = raw.replace(/[ -]/g, '');
      if (digits.length < 12 || !luhnValid(digits)) return undefined;
      const separators = new Set(raw.replace(/\d/g, ''));
      if (separators.size > 1) return undefined;
      const groups = raw.split(/[ -]/).map((g) => g.length);
      if (!printedGrouping(groups)) return undefined;
      const end = start + raw.length;
      const context = CARD_WORDS.test(around(text, start, end, 48, 16));
      // Issuer ranges change (new BINs, private-label cards): a Luhn-valid number the text calls a card
      // counts even when its prefix is not in our table, at a lower confidence.
      const known = plausibleCardPrefix(digits);
      if (!known && !context) return undefined;
      const score = known ? (context ? 1 : 0.85) : 0.6;
      return { type: PII_TYPES.card, start, end, confidence: confidence(score) };
    };
    const tryAt = matchAtCandidates(re, text, (m) => {
      const raw = m[0];
      let found = judge(raw, m.index);
      // The regex takes up to 19 digits, so a card followed by its CVV or expiry ("… 1111 123", "… 1111 12/25")
      // is one long candidate that fails Luhn: try it cut at each space, longest first.
      for (
        let cut = raw.lastIndexOf(' ');
        found === undefined && cut > 0;
        cut = raw.lastIndexOf(' ', cut - 1)
      ) {
        found = judge(raw.slice(0, cut), m.index);
      }
      if (found !== undefined) out.push(found);
    });
    // A number starts a digit run (the look-behind excludes a digit before it) and needs 12 digits joined
    // by single spaces or dashes; years, prices and counts never reach the regex.
    for (let i = 0; i < runs.length; i += 2) {
      const start = runs[i]!;
      if (!numberMayFollow(text.charCodeAt(start - 1))) continue;
      if (chainedDigits(text, runs, i, isCardSeparator, 12) >= 12) tryAt(start);
    }
    return out;
  };
}
