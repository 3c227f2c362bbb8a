// PII and secrets detection over a request's text segments, and redaction of what it finds.
// Pure synchronous CPU with no shared mutable state: safe to run in worker threads.
import type { PiiFinding, TextSegment } from '../types.js';
import { detectCards } from './detect-card.js';
import { detectCredentials } from './detect-credentials.js';
import { detectEmails } from './detect-email.js';
import { detectGenericSecrets } from './detect-generic-secrets.js';
import { detectIbans } from './detect-iban.js';
import { detectIpAddresses } from './detect-ip.js';
import { detectJwts } from './detect-jwt.js';
import { detectPhones } from './detect-phone.js';
import { detectPrivateKeys } from './detect-private-key.js';
import { detectProviderSecrets } from './detect-provider-secrets.js';
import { detectSsns } from './detect-ssn.js';
import type { Detector, RawFinding } from './finding.js';
import { resolveOverlaps } from './overlap.js';

export { PII_TYPES, type RawFinding } from './finding.js';
export {
  createRedactionState,
  redact,
  restore,
  type RedactableFinding,
  type RedactionState,
  type RedactionStyle,
} from './redact.js';

export interface PiiScanner {
  /** Findings of every segment, located by message/part and UTF-16 offsets into the segment's text. */
  scan(segments: readonly TextSegment[]): PiiFinding[];
  /** Findings of one text, without overlaps, ordered by position. */
  scanText(text: string): RawFinding[];
}

export function createPiiScanner(): PiiScanner {
  const detectors: readonly Detector[] = [
    detectPrivateKeys,
    detectJwts,
    detectProviderSecrets,
    detectCredentials,
    detectGenericSecrets,
    detectCards,
    detectIbans,
    detectSsns,
    detectEmails,
    detectIpAddresses,
    detectPhones,
  ];
  const scanText = (text: string): RawFinding[] => {
    if (text.length === 0) return [];
    return resolveOverlaps(detectors.flatMap((detect) => detect(text)));
  };
  const scan = (segments: readonly TextSegment[]): PiiFinding[] =>
    segments.flatMap((segment) =>
      scanText(segment.text).map((f) => ({
        type: f.type,
        ...(f.subtype === undefined ? {} : { subtype: f.subtype }),
        message: segment.message,
        part: segment.part,
        start: f.start,
        end: f.end,
        confidence: f.confidence,
      })),
    );
  return { scan, scanText };
}
