// Secrets without a provider prefix, found by what names them: an assignment to a key/secret/token/
// password identifier (`API_KEY=...`, `"client_secret": "..."`, `password: ...`) or prose ("my password
// is ..."). The value must then look random: Shannon entropy, mixed character classes, no placeholder.
import {
  characterClasses,
  hasSequentialRun,
  longestRepeat,
  looksLikePlaceholder,
  shannonEntropy,
} from './entropy.js';
import { confidence, PII_TYPES, type RawFinding } from './finding.js';
import { eachMatch } from './match-loop.js';

type Kind = 'password' | 'key';

/** Identifier endings (separators removed, lower-cased) that name a secret. */
const KEY_SUFFIXES = [
  'apikey',
  'secretkey',
  'accesskey',
  'privatekey',
  'authkey',
  'signingkey',
  'encryptionkey',
  'masterkey',
  'clientkey',
  'appkey',
  'subscriptionkey',
  'licensekey',
  'secret',
  'token',
  'credential',
  'credentials',
];
const PASSWORD_SUFFIXES = ['password', 'passwd', 'passphrase', 'pwd', 'passcode'];

/** What the identifier names, from its ending; undefined for `keyPressed`, `token_url`, `sequenceKey`. */
export function identifierKind(identifier: string): Kind | undefined {
  const flat = identifier.toLowerCase().replace(/[_.-]/g, '');
  if (PASSWORD_SUFFIXES.some((s) => flat.endsWith(s))) return 'password';
  // "pass" alone ends too many words (bypass, compass); only as its own segment: PG_PASS, db.pass.
  if (/(?:^|[_.-])pass$/i.test(identifier)) return 'password';
  if (flat === 'key' || KEY_SUFFIXES.some((s) => flat.endsWith(s))) return 'key';
  return undefined;
}

const STOCK_PASSWORDS =
  /^(?:password\d*|passw0rd|changeme|secret|admin|root|test|example|none|null|true|false|undefined|required|optional|string|empty)$/i;

function notAValue(value: string, identifier: string): boolean {
  if (looksLikePlaceholder(value) || STOCK_PASSWORDS.test(value)) return true;
  // Variables, templates, annotations, calls and paths rather than literal values.
  if (/^[$%{<@\\]|^\.{0,2}\/|^~\/|^[A-Za-z]:\\|:\/\//.test(value)) return true;
  // Code rather than a literal: calls and indexing (hash(pw), env['X']), member access (self.password,
  // process.env.API_KEY), and words in CamelCase (a type such as ApiKeyOptions).
  if (/[()[\]]/.test(value) || /^[A-Za-z_$][\w$]+(?:\.[A-Za-z_$][\w$]*)+$/.test(value)) return true;
  // Each word after the first opens with its capital, so the split into words is unique (no backtracking).
  if (/^[A-Z]?[a-z]{2,}(?:[A-Z][a-z]{2,})*$/.test(value)) return true;
  // A constant's name (ACCESS_TOKEN, api_key) or the identifier repeated.
  if (/^[A-Z][A-Z0-9_]*$/.test(value) && /_/.test(value)) return true;
  if (value.toLowerCase() === identifier.toLowerCase()) return true;
  // Identifiers in UUID form name things (client ids, resource ids), they don't unlock them.
  return /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(value);
}

/** The confidence for a value of this kind, or 0 when it does not look secret. */
function valueScore(value: string, kind: Kind): number {
  const entropy = shannonEntropy(value);
  const classes = characterClasses(value);
  if (longestRepeat(value) > 4) return 0;
  if (kind === 'password') {
    if (value.length < 6 || value.length > 128 || classes < 2) return 0;
    return entropy >= 3 ? 0.8 : 0.65;
  }
  if (value.length < 16 || classes < 2 || hasSequentialRun(value)) return 0;
  const hex = /^[0-9a-f]+$/i.test(value);
  if (entropy < (hex ? 3 : 3.3)) return 0;
  return Math.min(0.9, 0.6 + (entropy - 3) * 0.15);
}

function subtypeFor(identifier: string, value: string, kind: Kind): string {
  if (kind === 'password') return 'password';
  if (/aws/i.test(identifier) && /secret/i.test(identifier) && /^[A-Za-z0-9/+]{40}$/.test(value)) {
    return 'aws_secret_key';
  }
  return 'generic';
}

export function detectGenericSecrets(text: string): RawFinding[] {
  const out: RawFinding[] = [];
  const consider = (identifier: string, raw: string, start: number, kind: Kind): void => {
    // Sentence punctuation after an unquoted value is not part of it.
    const value = raw.replace(/[.)\]}]+$/, '');
    if (notAValue(value, identifier)) return;
    const score = valueScore(value, kind);
    if (score === 0) return;
    const subtype = subtypeFor(identifier, value, kind);
    out.push({
      type: PII_TYPES.secret,
      subtype,
      start,
      end: start + value.length,
      confidence: confidence(subtype === 'aws_secret_key' ? 0.95 : score),
    });
  };
  // identifier, optional closing quote, operator; the value is matched (sticky) only after the identifier
  // names a secret, so non-secret assignments cost no more than their identifier. The identifier's class
  // excludes quotes, spaces and operators, and the look-behind lets it start only at the beginning of a
  // dotted/dashed name (not inside `a.b.c...`), so each start position costs bounded steps.
  const assignment = /(?<![\w.-])([A-Za-z][A-Za-z0-9_.-]{0,60})["']?\s{0,8}(?::=|=>|=|:)\s{0,8}["'`]?/g;
  const valueAt = /[^\s"'`,;<>]{4,512}/y;
  eachMatch(assignment, text, (m) => {
    const identifier = m[1]!;
    const kind = identifierKind(identifier);
    if (kind === undefined) return m.index + identifier.length;
    const valueStart = m.index + m[0].length;
    valueAt.lastIndex = valueStart;
    const value = valueAt.exec(text);
    if (value === null) return valueStart;
    consider(identifier, value[0], valueStart, kind);
    return valueStart + value[0].length;
  });
  const prose =
    /\b(password|passcode|passphrase|pwd|api key|secret key|access key|access token|api token|secret)\s{1,4}(?:is|was|=|:)\s{1,4}["'`]?([^\s"'`,;<>]{4,256})/gi;
  eachMatch(prose, text, (m) => {
    const kind: Kind = /^p/i.test(m[1]!) ? 'password' : 'key';
    consider(m[1]!, m[2]!, m.index + m[0].length - m[2]!.length, kind);
  });
  return out;
}
