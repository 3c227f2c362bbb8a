// Payment card numbers: 12-19 digits, plain or grouped the way cards are printed (4-4-4-4, 4-6-5...),
// Luhn-valid with a card network's prefix and length. Words such as "card" or "visa" nearby raise the
// confidence; they are required only for numbers outside the known issuer ranges.
import { luhnValid, plausibleCardPrefix } from './checksums.js';
import { confidence, PII_TYPES, type RawFinding } from './finding.js';
import { around, eachMatch } from './match-loop.js';

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

export function detectCards(text: string): RawFinding[] {
  // One digit per repetition with an optional single separator before it: a linear scan.
  const re = /(?<![\w.+-])\d(?:[ -]?\d){11,18}(?![\w]|[.-]\d)/g;
  const out: RawFinding[] = [];
  eachMatch(re, text, (m) => {
    const raw = m[0];
    const separators = new Set(raw.replace(/\d/g, ''));
    if (separators.size > 1) return;
    const groups = raw.split(/[ -]/).map((g) => g.length);
    if (!printedGrouping(groups)) return;
    const digits = raw.replace(/[ -]/g, '');
    if (!luhnValid(digits)) return;
    const end = m.index + raw.length;
    const context = CARD_WORDS.test(around(text, m.index, end, 48, 16));
    // Issuer ranges change (new BINs, private-label cards): a Luhn-valid number the text calls a card
    // counts even when its prefix is not in our table, at a lower confidence.
    const known = plausibleCardPrefix(digits);
    if (!known && !context) return;
    const score = known ? (context ? 1 : 0.85) : 0.6;
    out.push({ type: PII_TYPES.card, start: m.index, end, confidence: confidence(score) });
  });
  return out;
}
