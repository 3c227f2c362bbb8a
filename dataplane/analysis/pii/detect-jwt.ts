// JSON Web Tokens: three base64url parts whose first part decodes to a JSON header with "alg". The
// decode check separates real tokens from any dotted base64-looking string.
import { Buffer } from 'node:buffer';
import { confidence, PII_TYPES, type Detector, type RawFinding } from './finding.js';
import { matchAtCandidates } from './match-loop.js';
import { isPlaceholderKey } from './sample-keys.js';

function jsonHeader(part: string): Record<string, unknown> | undefined {
  try {
    const parsed: unknown = JSON.parse(Buffer.from(part, 'base64url').toString('utf8'));
    return typeof parsed === 'object' && parsed !== null ? (parsed as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

export function createJwtDetector(): Detector {
  // The parts are runs of one class joined by dots, which the class excludes: linear, with bounds.
  const re =
    /(?<![A-Za-z0-9_-])(eyJ[A-Za-z0-9_-]{5,4000})\.([A-Za-z0-9_-]{2,16000})\.([A-Za-z0-9_-]{0,4000})(?![A-Za-z0-9_-])/y;
  return (text) => {
    const out: RawFinding[] = [];
    const tryAt = matchAtCandidates(re, text, (m) => {
      const header = jsonHeader(m[1]!);
      if (header === undefined || typeof header.alg !== 'string') return;
      // Unsigned tokens (alg "none") have an empty third part; signed ones carry at least a short MAC.
      if (header.alg.toLowerCase() !== 'none' && m[3]!.length < 16) return;
      // jwt.io's sample token and hand-made stand-ins are documentation, not sessions.
      if (isPlaceholderKey(m[0])) return;
      out.push({
        type: PII_TYPES.secret,
        subtype: 'jwt',
        start: m.index,
        end: m.index + m[0].length,
        confidence: confidence(0.95),
      });
    });
    // Every token starts with "eyJ" (base64 of '{"'). Searching for "yJ" skips the many e's of prose.
    for (let at = text.indexOf('yJ', 1); at !== -1; at = text.indexOf('yJ', at + 2)) {
      if (text.charCodeAt(at - 1) === 101) tryAt(at - 1);
    }
    return out;
  };
}
