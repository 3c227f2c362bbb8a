// PEM/OpenSSH/PGP private key blocks, including keys pasted inside JSON strings (literal `\n`) and keys
// cut off before their END line. Located with indexOf rather than a lazy `[\s\S]*?` regex, so a text full
// of BEGIN lines without END lines is still scanned in linear time.
import { shannonEntropy } from './entropy.js';
import { confidence, PII_TYPES, type Detector, type RawFinding } from './finding.js';
import { eachMatch } from './match-loop.js';

/** Longest body searched for the END line; real keys (RSA-4096 PEM) are about 3.3 KB. */
const MAX_BODY = 64 * 1024;
/** Base64 characters a key body needs before it counts as key material (`***` or empty is a template). */
const MIN_BODY_CHARS = 40;

function base64Of(body: string): string {
  return body.replace(/\\[nr]/g, '').replace(/[^A-Za-z0-9+/=]/g, '');
}

/** End of an unterminated body: the run of base64, whitespace and escaped newlines after the header. */
function openBodyEnd(text: string, from: number): number {
  let i = from;
  const limit = Math.min(text.length, from + MAX_BODY);
  while (i < limit) {
    const c = text[i]!;
    if (/[A-Za-z0-9+/=\s]/.test(c)) i++;
    else if (c === '\\' && (text[i + 1] === 'n' || text[i + 1] === 'r')) i += 2;
    // PEM headers such as "Proc-Type: 4,ENCRYPTED"; a run of dashes starts the next armour line.
    else if (c === ':' || c === ',' || (c === '-' && text[i + 1] !== '-')) i++;
    else break;
  }
  return i;
}

export function createPrivateKeyDetector(): Detector {
  const re = /-----BEGIN (?:[A-Z0-9]{1,20} ){0,3}PRIVATE KEY(?: BLOCK)?-----/g;
  return (text) => (text.includes('PRIVATE KEY') ? privateKeys(text, re) : []);
}

function privateKeys(text: string, re: RegExp): RawFinding[] {
  const out: RawFinding[] = [];
  // Position of the next END line at or after the current header; only moves forward (linear overall).
  let nextEnd = -2;
  eachMatch(re, text, (m) => {
    const bodyStart = m.index + m[0].length;
    if (nextEnd !== -1 && nextEnd < bodyStart) nextEnd = text.indexOf('-----END ', bodyStart);
    let end: number;
    let body: string;
    if (nextEnd !== -1 && nextEnd - bodyStart <= MAX_BODY) {
      body = text.slice(bodyStart, nextEnd);
      const close = text.indexOf('-----', nextEnd + 9);
      end = close !== -1 && close - nextEnd < 80 ? close + 5 : nextEnd + 9;
    } else {
      end = openBodyEnd(text, bodyStart);
      body = text.slice(bodyStart, end);
    }
    // Key material is random (near 6 bits per base64 character); `***`, `AAAA...` or `xxxx` bodies are
    // templates. Entropy, unlike a search for "xxxx", never misses a real key by chance.
    const material = base64Of(body);
    if (material.length < MIN_BODY_CHARS || shannonEntropy(material) < 4) return;
    out.push({
      type: PII_TYPES.secret,
      subtype: 'private_key',
      start: m.index,
      end,
      confidence: confidence(0.99),
    });
    return end;
  });
  return out;
}
