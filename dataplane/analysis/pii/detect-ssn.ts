// US Social Security numbers: AAA-GG-SSSS with one consistent separator (dash, space or dot), or nine
// bare digits when "SSN"/"social security" is nearby. Numbers the SSA never issues are rejected.
import { validSsn } from './checksums.js';
import { confidence, PII_TYPES, type Detector, type RawFinding } from './finding.js';
import { around, matchAtCandidates } from './match-loop.js';
import { numberMayFollow } from './text-index.js';

const SSN_WORDS = /\b(?:ssn|ssns|social security|social sec|soc sec|ss#|ss no|taxpayer|tin)\b/;

export function createSsnDetector(): Detector {
  const re = /(?<![\w.+-])(\d{3})([ .-]?)(\d{2})\2(\d{4})(?![\w]|[.-]\d)/y;
  return (text, { digitRuns: runs }) => {
    const out: RawFinding[] = [];
    const tryAt = matchAtCandidates(re, text, (m) => {
      if (!validSsn(m[1]!, m[3]!, m[4]!)) return;
      const end = m.index + m[0].length;
      const context = SSN_WORDS.test(around(text, m.index, end, 48, 16));
      const separator = m[2]!;
      let score: number;
      if (separator === '') score = context ? 0.85 : 0;
      else if (separator === '-') score = context ? 0.95 : 0.6;
      else score = context ? 0.9 : 0.4;
      if (score > 0) out.push({ type: PII_TYPES.ssn, start: m.index, end, confidence: confidence(score) });
    });
    // A match starts a digit run (nothing word-like before it) of exactly 3 digits (then a separator) or 9.
    for (let i = 0; i < runs.length; i += 2) {
      const length = runs[i + 1]! - runs[i]!;
      if ((length === 3 || length === 9) && numberMayFollow(text.charCodeAt(runs[i]! - 1))) tryAt(runs[i]!);
    }
    return out;
  };
}
