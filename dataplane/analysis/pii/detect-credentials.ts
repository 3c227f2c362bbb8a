// Credentials written in transport syntax: `scheme://user:password@host` URLs, `curl -u user:password`,
// and HTTP auth headers (`Authorization: Basic|Bearer ...`, `-H "X-Api-Key: ..."`). Values that are
// variables, templates or stock words ("password", "changeme") are documentation, not secrets.
import { Buffer } from 'node:buffer';
import { characterClasses, longestRepeat, looksLikePlaceholder, shannonEntropy } from './entropy.js';
import { confidence, PII_TYPES, type Detector, type RawFinding } from './finding.js';
import { matchAtCandidates } from './match-loop.js';
import { PUBLISHED_SAMPLE_KEYS } from './sample-keys.js';
import { isRegexSpace, type TextIndex } from './text-index.js';

/** Stock passwords of tutorials and templates. */
const STOCK_WORDS: ReadonlySet<string> = new Set([
  'password',
  'passwd',
  'pass',
  'pwd',
  'pw',
  'secret',
  'mypassword',
  'yourpassword',
  'changeme',
  'example',
  'test',
  'user',
  'username',
  'admin',
  'root',
  'guest',
  'token',
  'apikey',
  'api_key',
]);

/** `$VAR`, `${...}`, `{{...}}`, `<...>`, `%VAR%`, `{name}`, code such as `{base64(...)}`. */
function isTemplate(value: string): boolean {
  if (/^[$%<]|\{\{|\$\{|\$\(/.test(value)) return true;
  const braced = /^\{([^{}]*)\}?$/.exec(value);
  return braced !== null && (!/\d/.test(braced[1]!) || /[()[\]]/.test(braced[1]!));
}

/** A credential part that could be a real secret rather than a placeholder. */
function secretLike(value: string, other = ''): boolean {
  if (value.length < 4 || value === other) return false;
  if (isTemplate(value) || looksLikePlaceholder(value) || STOCK_WORDS.has(value.toLowerCase())) return false;
  // jwt.io's sample token as a Bearer value, AWS's documentation key as a curl user: published samples.
  if (PUBLISHED_SAMPLE_KEYS.has(value)) return false;
  return longestRepeat(value) < value.length;
}

/** Scheme characters: a scheme is the whole run of these before "://" (the look-behind excludes them). */
function isSchemeChar(c: number): boolean {
  return (
    (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || (c >= 48 && c <= 57) || c === 43 || c === 46 || c === 45
  );
}

/** Longest scheme the regex accepts: a letter and 1-24 more characters. */
const MAX_SCHEME = 25;

function urlCredentials(text: string, re: RegExp, out: RawFinding[]): void {
  const first = text.indexOf('://');
  if (first === -1) return;
  const tryAt = matchAtCandidates(re, text, (m) => {
    const user = m[2]!;
    const password = m[3]!;
    if (!secretLike(password, user) || isTemplate(user)) return;
    const start = m.index + m[1]!.length;
    out.push({
      type: PII_TYPES.secret,
      subtype: 'url_credentials',
      start,
      end: start + user.length + 1 + password.length,
      confidence: confidence(0.9),
    });
  });
  for (let at = first; at !== -1; at = text.indexOf('://', at + 3)) {
    let start = at;
    while (start > 0 && at - start <= MAX_SCHEME && isSchemeChar(text.charCodeAt(start - 1))) start--;
    if (at - start >= 2 && at - start <= MAX_SCHEME) tryAt(start);
  }
}

function unquote(word: string): string {
  return word.replace(
    /"([^"]*)"|'([^']*)'/g,
    (_all, a: string | undefined, b: string | undefined) => a ?? b ?? '',
  );
}

/** Drops one pair of braces around a value that holds digits (`{ZqL5...}` in vendor docs). */
function unbrace(value: string): string {
  const m = /^\{([^{}]*\d[^{}]*)\}$/.exec(value);
  return m === null || /[()[\]]/.test(m[1]!) ? value : m[1]!;
}

function cliCredentials(text: string, re: RegExp, out: RawFinding[]): void {
  const first = text.indexOf('-u');
  // Only as an argument of an HTTP client (checked again near each match below).
  if (first === -1 || !/curl|wget|http/i.test(text)) return;
  const tryAt = matchAtCandidates(re, text, (m) => {
    const before = text.slice(Math.max(0, m.index - 300), m.index);
    if (!/\b(?:curl|wget|http|https)\b/i.test(before)) return;
    const word = unquote(m[1]!);
    const colon = word.indexOf(':');
    if (colon === -1 || word.startsWith('<')) return;
    const user = unbrace(word.slice(0, colon));
    const password = unbrace(word.slice(colon + 1));
    // "key:" with an empty password passes an API key as the user name.
    const secret = password === '' ? user : password;
    if (!secretLike(secret, password === '' ? '' : user) || (password !== '' && isTemplate(user))) return;
    const start = m.index + m[0].length - m[1]!.length;
    out.push({
      type: PII_TYPES.secret,
      subtype: 'cli_credentials',
      start,
      end: start + m[1]!.length,
      confidence: confidence(0.85),
    });
  });
  // "-u" starts the option or sits one character into "--user".
  for (let at = first; at !== -1; at = text.indexOf('-u', at + 2)) {
    if (text.charCodeAt(at - 1) === 45) tryAt(at - 1);
    tryAt(at);
  }
}

function validBasic(value: string): boolean {
  if (!/^[A-Za-z0-9+/]{8,}={0,2}$/.test(value)) return false;
  const decoded = Buffer.from(value, 'base64').toString('latin1');
  const colon = decoded.indexOf(':');
  return colon > 0 || (colon === 0 && decoded.length > 1);
}

function tokenLike(value: string): boolean {
  if (value.length < 8 || !secretLike(value)) return false;
  // Issued tokens mix digits in; a value of letters and punctuation is a word ("Authorization:").
  return /\d/.test(value)
    ? characterClasses(value) >= 2
    : characterClasses(value) >= 3 && shannonEntropy(value) >= 3.5;
}

/** Whether `text` holds `word` (lower-case ASCII) at `at`, ignoring ASCII case. */
function wordAt(text: string, at: number, word: string): boolean {
  if (at < 0 || at + word.length > text.length) return false;
  for (let i = 0; i < word.length; i++) {
    const c = text.charCodeAt(at + i);
    if ((c >= 65 && c <= 90 ? c + 32 : c) !== word.charCodeAt(i)) return false;
  }
  return true;
}

function authHeader(start: number, value: string, score: number): RawFinding {
  return {
    type: PII_TYPES.secret,
    subtype: 'auth_header',
    start,
    end: start + value.length,
    confidence: confidence(score),
  };
}

interface HeaderPatterns {
  authorization: RegExp;
  curlHeader: RegExp;
}

function authHeaders(
  text: string,
  operators: readonly number[],
  re: HeaderPatterns,
  out: RawFinding[],
): void {
  let authorization: ((start: number) => void) | undefined;
  // The header name ends at most four spaces before a ':' or '=' (and a closing quote, maybe escaped, and a
  // subscript's bracket in code and JSON); "proxy-" may precede it.
  for (const op of operators) {
    let end = op;
    while (end > 0 && op - end < 5 && isRegexSpace(text.charCodeAt(end - 1))) end--;
    if (op - end > 4) continue;
    if (text.charCodeAt(end - 1) === 93) end--; // headers['Authorization'] = …
    const quote = text.charCodeAt(end - 1);
    if (quote === 34 || quote === 39 || quote === 96) end -= text.charCodeAt(end - 2) === 92 ? 2 : 1;
    const start = end - 'authorization'.length;
    if (!wordAt(text, start, 'authorization')) continue;
    authorization ??= matchAtCandidates(re.authorization, text, (m) => {
      const scheme = (m[1] ?? '').toLowerCase();
      const value = m[2]!.replace(/[.)\]}]+$/, '');
      const ok = scheme === 'basic' ? validBasic(value) : tokenLike(value);
      if (ok) out.push(authHeader(m.index + m[0].length - m[2]!.length, value, 0.9));
    });
    if (wordAt(text, start - 6, 'proxy-')) authorization(start - 6);
    authorization(start);
  }
  // Custom key headers only as curl arguments: "Token: ..." in prose is too common to trust.
  if (!text.includes('-H') && !text.includes('--header')) return;
  const curlHeader = matchAtCandidates(re.curlHeader, text, (m) => {
    const value = m[1]!;
    if (tokenLike(value)) out.push(authHeader(m.index + m[0].length - value.length, value, 0.85));
  });
  // The pattern ignores case: a match opens with "-h", "-H" or "--header".
  for (let at = text.indexOf('-'); at !== -1; at = text.indexOf('-', at + 1)) {
    const next = text.charCodeAt(at + 1);
    if (next === 72 || next === 104 || next === 45) curlHeader(at);
  }
}

export function createCredentialDetector(): Detector {
  // The password may contain '@'; backtracking from its greedy end picks the last '@' before the host. It may
  // also hold '#', which belongs percent-encoded there but is written raw in connection strings; the user may
  // be empty (`redis://:password@host`).
  const url =
    /(?<![A-Za-z0-9+.-])([A-Za-z][A-Za-z0-9+.-]{1,24}:\/\/)([^\s:/?#@'"`<>[\]{}()]{0,128}):([^\s/?'"`<>]{1,128})@[A-Za-z0-9[]/y;
  // One shell word: quoted and unquoted pieces. Nothing follows it in the pattern, so the engine never
  // has to backtrack through the alternatives.
  const cli =
    /(?<![\w-])(?:-u|--user)(?:\s{1,8}|=)((?:"[^"\n]{0,200}"|'[^'\n]{0,200}'|[^\s'"]{1,200}){1,4})/y;
  const headers: HeaderPatterns = {
    // Any scheme word (Basic, Bearer, Token, Api-Token, SSO-Key...) may precede the credential. The name and the
    // value may be quoted, as in code and JSON (`"Authorization": "Bearer …"`, escaped in a JSON string too).
    authorization:
      /(?<![\w-])(?:proxy-)?authorization\\?["'`]?\]?\s{0,4}[:=]\s{0,4}\\?["'`]?(?:([a-z][a-z0-9-]{1,20})\s{1,4})?([^\s"'`,;\\]{1,4000})/iy,
    curlHeader:
      /(?:-H|--header)\s{1,4}["']?(?:x-)?(?:api[-_]?key|api[-_]?token|auth[-_]?token|access[-_]?token|private[-_]?token|token|secret|apikey|x-auth)\s{0,2}:\s{0,4}([^\s"'`,;\\]{1,4000})/iy,
  };
  return (text: string, index: TextIndex) => {
    const out: RawFinding[] = [];
    urlCredentials(text, url, out);
    cliCredentials(text, cli, out);
    authHeaders(text, index.operators, headers, out);
    return out;
  };
}
