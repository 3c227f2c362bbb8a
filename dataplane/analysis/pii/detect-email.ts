// E-mail addresses: a local part of ASCII or accented Latin letters (jörg.müller@…, RFC 6531), and a dotted
// domain with an alphabetic TLD (IDNs appear in their punycode form, xn--). Other scripts are not taken into
// the local part: in scripts written without spaces the surrounding words would be swallowed into the address.
import { confidence, PII_TYPES, type Detector, type RawFinding } from './finding.js';

/** Asset names such as `icon@2x.png` have an e-mail's shape; these endings are file types, not TLDs. */
const FILE_ENDINGS = /^(?:png|jpe?g|gif|svg|webp|ico|bmp|tiff?|css|js|mjs|ts|map|json|html?)$/i;
/**
 * A path right after the host: `:owner/…`, `:/srv/…`, `:~/…`. Not any word: `john@example.com:hunter2` is the
 * e-mail and password of a leaked credential list.
 */
const SSH_REMOTE_AFTER = /^:(?:~?\/|[\w.-]{1,100}\/)/;
/** RFC 5321 limit on the local part. */
const MAX_LOCAL = 64;

function isLocalChar(c: number): boolean {
  return (
    (c >= 97 && c <= 122) ||
    (c >= 65 && c <= 90) ||
    (c >= 48 && c <= 57) ||
    c === 46 ||
    c === 95 ||
    c === 37 ||
    c === 43 ||
    c === 45 ||
    // Latin-1 Supplement and Latin Extended-A/B letters (À–ɏ), without × and ÷.
    (c >= 0xc0 && c <= 0x24f && c !== 0xd7 && c !== 0xf7) ||
    // Combining diacritical marks: the same accented letters written decomposed (NFD: e + U+0301).
    (c >= 0x300 && c <= 0x36f)
  );
}

export function createEmailDetector(): Detector {
  const domain =
    /(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.){1,8}([A-Za-z]{2,24})(?![A-Za-z0-9-]|\.[A-Za-z0-9])/y;
  return (text) => {
    const out: RawFinding[] = [];
    // Anchored on '@' (rare in prose): the local part is walked back at most 64 characters and the domain
    // is matched with a sticky, bounded regex from the '@', so the scan is linear whatever the input.
    for (let at = text.indexOf('@'); at !== -1; at = text.indexOf('@', at + 1)) {
      let start = at;
      while (start > 0 && at - start <= MAX_LOCAL && isLocalChar(text.charCodeAt(start - 1))) start--;
      if (at - start > MAX_LOCAL) continue;
      // The local part opens with a letter, digit or underscore and has no leading, trailing or double dot.
      while (start < at && !/[A-Za-z0-9_\u00c0-\u024f]/.test(text[start]!)) start++;
      const local = text.slice(start, at);
      if (local === '' || local.endsWith('.') || local.includes('..')) continue;
      domain.lastIndex = at + 1;
      const m = domain.exec(text);
      if (m === null || FILE_ENDINGS.test(m[1]!)) continue;
      const end = at + 1 + m[0].length;
      // git@github.com:owner/repo.git, deploy@host:/srv/app: an SSH remote (scp syntax), not an address.
      if (SSH_REMOTE_AFTER.test(text.slice(end, end + 104))) continue;
      out.push({ type: PII_TYPES.email, start, end, confidence: confidence(0.95) });
      at = end - 1;
    }
    return out;
  };
}
