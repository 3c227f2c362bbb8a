// IBANs, compact or printed in groups of four (space or dash). The candidate is cut at the length the
// country prescribes, then checked for the BBAN structure and mod-97 (iban-registry.ts). Letters must be
// all upper- or all lower-case: mixed case is prose, not an account number.
import { confidence, PII_TYPES, type Detector, type RawFinding } from './finding.js';
import { ibanLength, validIban } from './iban-registry.js';
import { around, matchAtCandidates } from './match-loop.js';
import { isAsciiLetter } from './text-index.js';

const IBAN_WORDS = /\b(?:iban|account|acct|bank|transfer|wire|sepa|swift|bic|konto|compte|cuenta|conto)\b/;

interface Cut {
  compact: string;
  end: number;
}

/** Walks the candidate until the country's IBAN length is reached; undefined when the layout is off. */
function cutToLength(candidate: string, length: number): Cut | undefined {
  let count = 0;
  let group = 0;
  let separator = -1;
  for (let i = 0; i < candidate.length; i++) {
    const c = candidate.charCodeAt(i);
    if (c === 32 || c === 45) {
      // Printed IBANs separate groups of exactly four with one kind of separator.
      if (group !== 4 || (separator !== -1 && separator !== c)) return undefined;
      separator = c;
      group = 0;
      continue;
    }
    count++;
    group++;
    if (count === length) {
      const printed = candidate.slice(0, i + 1);
      return {
        compact: separator === -1 ? printed : printed.replaceAll(String.fromCharCode(separator), ''),
        end: i + 1,
      };
    }
  }
  return undefined;
}

/** Whether the ASCII letters of `value` mix upper and lower case (prose, not an account number). */
function mixedCase(value: string): boolean {
  let upper = false;
  let lower = false;
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if (c >= 65 && c <= 90) upper = true;
    else if (c >= 97 && c <= 122) lower = true;
  }
  return upper && lower;
}

export function createIbanDetector(): Detector {
  // Bounded: the longest IBAN is 34 characters, printed with up to 8 separators.
  const re = /(?<![A-Za-z0-9])[A-Za-z]{2}\d{2}(?:[ -]?[A-Za-z0-9]){10,38}/y;
  return (text, { digitRuns: runs }) => {
    const out: RawFinding[] = [];
    const tryAt = matchAtCandidates(re, text, (m) => {
      const length = ibanLength(m[0].slice(0, 2).toUpperCase());
      if (length === undefined) return m.index + 1;
      const cut = cutToLength(m[0], length);
      if (cut === undefined) return m.index + 1;
      const end = m.index + cut.end;
      // The value must end where a word ends.
      if (/[A-Za-z0-9]/.test(text[end] ?? '')) return m.index + 1;
      if (mixedCase(cut.compact)) return m.index + 1;
      if (!validIban(cut.compact.toUpperCase())) return m.index + 1;
      const context = IBAN_WORDS.test(around(text, m.index, end, 40, 10));
      out.push({ type: PII_TYPES.iban, start: m.index, end, confidence: confidence(context ? 1 : 0.9) });
      return end;
    });
    // The country code's two letters sit right before a run of at least two digits (the check digits).
    // An unknown country only moves the search one character on, so it is skipped without the regex.
    for (let i = 0; i < runs.length; i += 2) {
      const s = runs[i]!;
      if (s < 2 || runs[i + 1]! - s < 2) continue;
      if (!isAsciiLetter(text.charCodeAt(s - 1)) || !isAsciiLetter(text.charCodeAt(s - 2))) continue;
      if (ibanLength(text.slice(s - 2, s).toUpperCase()) !== undefined) tryAt(s - 2);
    }
    return out;
  };
}
