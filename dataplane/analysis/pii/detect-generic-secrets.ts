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
import { confidence, PII_TYPES, type Detector, type RawFinding } from './finding.js';
import { eachMatch, matchAtCandidates } from './match-loop.js';
import { PUBLISHED_SAMPLE_KEYS } from './sample-keys.js';
import { isRegexSpace, type TextIndex } from './text-index.js';

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
// With the ASCII spellings of the word in German, Dutch, Portuguese and French (mot_de_passe, flattened).
const PASSWORD_SUFFIXES = [
  'password',
  'passwd',
  'passphrase',
  'pwd',
  'passcode',
  'passwort',
  'wachtwoord',
  'senha',
  'motdepasse',
];

/** Last three letters (separators skipped, lower-cased) of every suffix above and of `pass`. */
const SUFFIX_ENDINGS: ReadonlySet<string> = new Set(
  [...KEY_SUFFIXES, ...PASSWORD_SUFFIXES, 'pass'].map((s) => s.slice(-3)),
);

/** The last three characters of an identifier other than `_.-`, lower-cased. */
function lastThree(identifier: string): string {
  let out = '';
  for (let i = identifier.length - 1; i >= 0 && out.length < 3; i--) {
    const c = identifier[i]!;
    if (c !== '_' && c !== '.' && c !== '-') out = c.toLowerCase() + out;
  }
  return out;
}

/** What the identifier names, from its ending; undefined for `keyPressed`, `token_url`, `sequenceKey`. */
export function identifierKind(identifier: string): Kind | undefined {
  // Most identifiers (config, timeout_ms, region) end in no suffix's last letters: decided without work.
  if (!SUFFIX_ENDINGS.has(lastThree(identifier))) return undefined;
  const flat = identifier.toLowerCase().replace(/[_.-]/g, '');
  if (PASSWORD_SUFFIXES.some((s) => flat.endsWith(s))) return 'password';
  // "pass" alone ends too many words (bypass, compass); only as its own segment: PG_PASS, db.pass.
  if (/(?:^|[_.-])pass$/i.test(identifier)) return 'password';
  if (flat === 'key' || KEY_SUFFIXES.some((s) => flat.endsWith(s))) return 'key';
  return undefined;
}

const STOCK_PASSWORDS =
  /^(?:password\d*|passw0rd|changeme|secret|admin|root|test|example|none|null|true|false|undefined|required|optional|string|empty)$/i;

// A name built of lower-case words and short numbers ("user:12345:profile", "tenants/acme/2024"): a Redis key or
// a path that an identifier called just `key` names, not key material. Other key names (api_key, secret,
// token) keep such values: a secret can be made of words.
const STRUCTURED_NAME = /^[a-z]{2,}(?:[:/.-](?:[a-z]{2,}|\d{1,8}))+$/;
// A lower-case word or two joined by a hyphen, in any script ("obligatoire", "case-sensitive",
// "ré-initialisé"), or a count and its noun ("12-stellig", "8-character"): what a sentence says a password is,
// not the password ("MyDogRex", "Sommer-Regen" are passwords).
const DESCRIPTION = /^(?:\p{Ll}+(?:-\p{Ll}+)?|\d{1,3}-\p{L}+)$/u;

function notAValue(value: string, identifier: string, kind: Kind): boolean {
  if (kind === 'key' && identifier.toLowerCase() === 'key' && STRUCTURED_NAME.test(value)) return true;
  if (looksLikePlaceholder(value) || STOCK_PASSWORDS.test(value)) return true;
  // Values published as samples or as public keys (AWS's documentation key, Algolia's public npm search key).
  if (PUBLISHED_SAMPLE_KEYS.has(value)) return true;
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
  // Length first: it settles most short values without counting characters.
  if (kind === 'password' ? value.length < 6 || value.length > 128 : value.length < 16) return 0;
  const classes = characterClasses(value);
  if (classes < 2 || longestRepeat(value) > 4) return 0;
  const entropy = shannonEntropy(value);
  if (kind === 'password') return entropy >= 3 ? 0.8 : 0.65;
  if (hasSequentialRun(value)) return 0;
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

/** Reports `raw` (a value assigned to or named by `identifier`) when it looks like a real secret. */
/** `sentence`: named in prose ("my password is …"), not assigned in code or config. */
function consider(
  identifier: string,
  raw: string,
  start: number,
  kind: Kind,
  out: RawFinding[],
  sentence = false,
): void {
  // Sentence punctuation after an unquoted value is not part of it (in prose a colon ends a clause too:
  // "ist ungültig:"; in code it may end a secret).
  const value = raw.replace(sentence ? /[.)\]}:]+$/ : /[.)\]}]+$/, '');
  // Both tests must pass; the cheaper one (mostly a length check) goes first.
  const score = valueScore(value, kind);
  if (score === 0 || notAValue(value, identifier, kind)) return;
  // What a sentence says a password is like; in code, DB_PASSWORD=Sommer-Regen is the password.
  if (sentence && kind === 'password' && DESCRIPTION.test(value)) return;
  const subtype = subtypeFor(identifier, value, kind);
  out.push({
    type: PII_TYPES.secret,
    subtype,
    start,
    end: start + value.length,
    confidence: confidence(subtype === 'aws_secret_key' ? 0.95 : score),
  });
}

/** Identifier characters of the assignment pattern (also the characters its look-behind excludes). */
function isIdentifierChar(c: number): boolean {
  return (
    (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || (c >= 48 && c <= 57) || c === 95 || c === 46 || c === 45
  );
}

/** Longest identifier the assignment pattern accepts (a letter and up to 60 more characters). */
const MAX_IDENTIFIER = 61;
/** Most whitespace the pattern allows between the identifier (or its closing quote) and the operator. */
const MAX_GAP = 8;

/**
 * Where an assignment ending in the operator at `op` would start, or -1. The pattern is identifier,
 * optional quote, up to 8 spaces, operator; the identifier is a whole run of identifier characters (the
 * look-behind forbids one before it), so walking back from the operator finds its only possible start.
 */
function assignmentStart(text: string, op: number): number {
  let i = op;
  while (i > 0 && op - i <= MAX_GAP && isRegexSpace(text.charCodeAt(i - 1))) i--;
  if (op - i > MAX_GAP) return -1;
  const quote = text.charCodeAt(i - 1);
  if (quote === 34 || quote === 39) i--;
  const end = i;
  while (i > 0 && end - i <= MAX_IDENTIFIER && isIdentifierChar(text.charCodeAt(i - 1))) i--;
  return end - i === 0 || end - i > MAX_IDENTIFIER ? -1 : i;
}

export function createGenericSecretDetector(): Detector {
  // identifier, optional closing quote, operator; the value is matched (sticky) only after the identifier
  // names a secret, so non-secret assignments cost no more than their identifier.
  const assignment = /(?<![\w.-])([A-Za-z][A-Za-z0-9_.-]{0,60})["']?\s{0,8}(?::=|=>|=|:)\s{0,8}["'`]?/y;
  const valueAt = /[^\s"'`,;<>]{4,512}/y;
  // In English, German, Dutch, Portuguese, French, Spanish and Italian ("mon mot de passe est …", "Passwort
  // lautet …", "la mia password è …"), with "now" and its kin after the verb, and guillemets around the value.
  const prose =
    /\b(password|passcode|passphrase|pwd|passwort|kennwort|wachtwoord|senha|palavra-passe|mot de passe|mdp|contraseña|contrasena|clave|api key|secret key|access key|access token|api token|secret)(?:\s{1,4}(?:is|was|ist|war|lautet|est|es|é|è|era)(?:\s{1,4}(?:now|jetzt|nun|nu|agora|ahora|maintenant|ora))?\s{1,4}|\s{0,4}[=:]\s{0,4})["'`«„]?\s?([^\s"'`,;<>«»„“]{4,256})/giu;
  return (text: string, index: TextIndex) => {
    const out: RawFinding[] = [];
    // Every assignment has an operator (':' or '='); text without one has no assignment to look at.
    if (index.operators.length > 0) {
      const tryAt = matchAtCandidates(assignment, text, (m) => {
        const identifier = m[1]!;
        const kind = identifierKind(identifier);
        if (kind === undefined) return m.index + identifier.length;
        const valueStart = m.index + m[0].length;
        valueAt.lastIndex = valueStart;
        const value = valueAt.exec(text);
        if (value === null) return valueStart;
        consider(identifier, value[0], valueStart, kind, out);
        return valueStart + value[0].length;
      });
      for (const op of index.operators) {
        const start = assignmentStart(text, op);
        if (start !== -1) tryAt(start);
      }
    }
    eachMatch(prose, text, (m) => {
      const label = m[1]!;
      // "clave" is also "key" as in "palabra clave: …" (keyword), "mdp" a Markov decision process: as labels
      // only with a verb ("mi clave es …"), never before a colon or an equals sign.
      if (/^(?:clave|mdp)$/i.test(label) && /^\s*[=:]/.test(m[0].slice(label.length))) return;
      const kind: Kind = /key|token|secret/i.test(label) ? 'key' : 'password';
      consider(label, m[2]!, m.index + m[0].length - m[2]!.length, kind, out, true);
    });
    return out;
  };
}
