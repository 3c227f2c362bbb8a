// Credentials written in transport syntax: `scheme://user:password@host` URLs, `curl -u user:password`,
// and HTTP auth headers (`Authorization: Basic|Bearer ...`, `-H "X-Api-Key: ..."`). Values that are
// variables, templates or stock words ("password", "changeme") are documentation, not secrets.
import { Buffer } from 'node:buffer';
import { characterClasses, longestRepeat, looksLikePlaceholder, shannonEntropy } from './entropy.js';
import { confidence, PII_TYPES, type RawFinding } from './finding.js';
import { eachMatch } from './match-loop.js';

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
  return longestRepeat(value) < value.length;
}

function urlCredentials(text: string, out: RawFinding[]): void {
  if (!text.includes('://')) return;
  // The password may contain '@'; backtracking from its greedy end picks the last '@' before the host.
  const re =
    /(?<![A-Za-z0-9+.-])([A-Za-z][A-Za-z0-9+.-]{1,24}:\/\/)([^\s:/?#@'"`<>[\]{}()]{1,128}):([^\s/?#'"`<>]{1,128})@[A-Za-z0-9[]/g;
  eachMatch(re, text, (m) => {
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

function cliCredentials(text: string, out: RawFinding[]): void {
  if (!/curl|wget|http/i.test(text)) return;
  // One shell word: quoted and unquoted pieces. Nothing follows it in the pattern, so the engine never
  // has to backtrack through the alternatives.
  const re = /(?<![\w-])(?:-u|--user)(?:\s{1,8}|=)((?:"[^"\n]{0,200}"|'[^'\n]{0,200}'|[^\s'"]{1,200}){1,4})/g;
  eachMatch(re, text, (m) => {
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

function authHeaders(text: string, out: RawFinding[]): void {
  const push = (start: number, value: string, score: number): void => {
    out.push({
      type: PII_TYPES.secret,
      subtype: 'auth_header',
      start,
      end: start + value.length,
      confidence: confidence(score),
    });
  };
  if (/authorization/i.test(text)) {
    // Any scheme word (Basic, Bearer, Token, Api-Token, SSO-Key...) may precede the credential.
    const re =
      /(?<![\w-])(?:proxy-)?authorization\s{0,4}[:=]\s{0,4}(?:([a-z][a-z0-9-]{1,20})\s{1,4})?([^\s"'`,;\\]{1,4000})/gi;
    eachMatch(re, text, (m) => {
      const scheme = (m[1] ?? '').toLowerCase();
      const value = m[2]!.replace(/[.)\]}]+$/, '');
      const ok = scheme === 'basic' ? validBasic(value) : tokenLike(value);
      if (ok) push(m.index + m[0].length - m[2]!.length, value, 0.9);
    });
  }
  if (/-H|--header/.test(text)) {
    // Custom key headers only as curl arguments: "Token: ..." in prose is too common to trust.
    const re =
      /(?:-H|--header)\s{1,4}["']?(?:x-)?(?:api[-_]?key|api[-_]?token|auth[-_]?token|access[-_]?token|private[-_]?token|token|secret|apikey|x-auth)\s{0,2}:\s{0,4}([^\s"'`,;\\]{1,4000})/gi;
    eachMatch(re, text, (m) => {
      const value = m[1]!;
      if (tokenLike(value)) push(m.index + m[0].length - value.length, value, 0.85);
    });
  }
}

export function detectCredentials(text: string): RawFinding[] {
  const out: RawFinding[] = [];
  urlCredentials(text, out);
  cliCredentials(text, out);
  authHeaders(text, out);
  return out;
}
