// Keys that have the exact format of a real provider key but are not secrets: values published on purpose
// (SDK test fixtures, documentation samples, deliberately public search-only keys) and values written by a
// person as a stand-in. A format regex cannot tell these apart from live keys; gitleaks and secretlint ship
// the same two kinds of allow-list (literal published values, and placeholder markers) for the same reason.
//
// These checks run only on a string that already matched a key format, never on ordinary text, so they
// add no cost to a scan that finds nothing.
import { hasMaskRun } from './entropy.js';

// Prefixes are spliced in so that this file holds no string a secret scanner or push protection would take
// for a key (the same convention as the test fixtures); the set's contents are the full published values.
const AIZA = 'AI' + 'za';
const AKIA = 'AK' + 'IA';
const EYJ = 'ey' + 'J';

/**
 * Literal values published as samples or as intentionally public keys. Each entry names where it is
 * published; a value enters this list only because its publisher documents it as non-secret, and the
 * list is matched exactly (a key that merely resembles one is still reported).
 */
export const PUBLISHED_SAMPLE_KEYS: ReadonlySet<string> = new Set([
  // Google API keys in the test fixtures of firebase/firebase-android-sdk. gitleaks' gcp-api-key rule
  // carries the same list as its allow-list (cmd/generate/config/rules/gcp.go).
  `${AIZA}Syabcdefghijklmnopqrstuvwxyz1234567`,
  `${AIZA}SyAnLA7NfeLquW1tJFpx_eQCxoX-oo6YyIs`,
  `${AIZA}SyCkEhVjf3pduRDt6d1yKOMitrUEke8agEM`,
  `${AIZA}SyDMAScliyLx7F0NPDEJi1QmyCgHIAODrlU`,
  `${AIZA}SyD3asb-2pEZVqMkmL6M9N6nHZRR_znhrh0`,
  `${AIZA}yDNSXIbFmlXbIE6mCzDLQAqITYefhixbX4A`,
  `${AIZA}SyAdOS2zB6NCsk1pCdZ4-P6GBdi_UUPwX7c`,
  `${AIZA}SyASWm6HmTMdYWpgMnjRBjxcQ9CKctWmLd4`,
  `${AIZA}SyANUvH9H9BsUccjsu2pCmEkOPjjaXeDQgY`,
  `${AIZA}SyA5_iVawFQ8ABuTZNUdcwERLJv_a_p4wtM`,
  `${AIZA}SyA4UrcGxgwQFTfaI3no3t7Lt1sjmdnP5sQ`,
  `${AIZA}SyDSb51JiIcB6OJpwwMicseKRhhrOq1cS7g`,
  `${AIZA}SyBF2RrAIm4a0mO64EShQfqfd2AFnzAvvuU`,
  `${AIZA}SyBcE-OOIbhjyR83gm4r2MFCu4MJmprNXsw`,
  `${AIZA}SyB8qGxt4ec15vitgn44duC5ucxaOi4FmqE`,
  `${AIZA}SyA8vmApnrHNFE0bApF4hoZ11srVL_n0nvY`,
  // The search-only Algolia key of the public npm-search index, embedded in yarn and many npm front ends
  // (search-only Algolia keys are public by design). A stop word of gitleaks' generic-api-key rule
  // (yarnpkg/berry#6201).
  '6fe4476ee5a1832882e326b506d14126',
  // AWS documentation's example access key pair (docs.aws.amazon.com, "Managing access keys").
  `${AKIA}IOSFODNN7EXAMPLE`,
  'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
  // The sample token shown on jwt.io and in countless JWT tutorials (HS256, secret "your-256-bit-secret").
  `${EYJ}hbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.${EYJ}zdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6IkpvaG4gRG9lIiwiaWF0IjoxNTE2MjM5MDIyfQ.SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c`,
]);

/**
 * Words a person writes into a stand-in key ("sk-proj-EXAMPLE...", "ghp_your_token_here..."). Only words
 * of five or more letters: a random key of 150 base62 characters contains a given five-letter word
 * (either case) with probability about 150 × (2/62)^5 ≈ 5·10^-6, six letters ≈ 2·10^-7. Shorter markers
 * such as "test", "fake" or "your" would hit real keys (≈ 10^-4 per key for four letters) and are left out;
 * so are context words around the key (see isPlaceholderKey).
 */
const STAND_IN_WORDS =
  /example|sample|dummy|placeholder|redacted|notreal|your[_-]?(?:api[_-]?)?(?:key|token|secret)/i;

/**
 * Whether a string that matched a provider key format (or the JWT format) is a published sample or an
 * obvious stand-in rather than a live key.
 *
 * Deliberately not used: words around the key ("example", "sample", "for instance"). In a prompt, people
 * paste their real key into the code they call an example ("here is my example config: ..."); the words
 * describe the surrounding code, not the key, and dropping the key there would leak exactly the secrets a
 * gateway must catch. Sequential runs (`abcdefgh`) and long repeats (`AAAAAAAAAAAA`) inside a prefixed
 * key are not used either, although they would be safe against chance: secretlint's and gitleaks' own rule
 * tests treat such format-valid stand-ins (`tskey-api-AAAA...`, `figd_...abcdefghijklmnop...`) as findings,
 * and a redacted fake key costs the user nothing, while the one real key with an unlucky run would leak.
 */
export function isPlaceholderKey(token: string): boolean {
  return hasMaskRun(token) || PUBLISHED_SAMPLE_KEYS.has(token) || STAND_IN_WORDS.test(token);
}
