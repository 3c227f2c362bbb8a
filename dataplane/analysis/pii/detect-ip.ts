// IPv4 and IPv6 addresses (with optional CIDR prefix). Candidates are cut cheaply (a bounded regex for
// dotted quads, a walk around each ':' for IPv6) and the parsers in ip-parse.ts decide. Version numbers
// such as 1.2.3.4 right after "version"/"build" are not addresses unless an address word ("IP", "host") is
// near; words such as "server" raise the confidence.
import { confidence, PII_TYPES, type Detector, type RawFinding } from './finding.js';
import { parseIpv4, parseIpv6, validPrefixLength } from './ip-parse.js';
import { around, matchAtCandidates } from './match-loop.js';
import type { TextIndex } from './text-index.js';

const NETWORK_WORDS =
  /\b(?:ip|ips|ipv[46]|address|addr|host|server|client|subnet|gateway|dns|ping|connect|route|proxy|firewall|cidr|network|remote|localhost)\b/;
// Words for addresses themselves: they win over a version word ("IP of build 1.2.3.4" is an address).
const ADDRESS_WORDS = /\b(?:ip|ips|ipv4|address|addr|subnet|cidr|host|hostname|ping|localhost)\b/;
const VERSION_WORDS = /\b(?:version|ver|release|build)\b\.?\s*$/;
// A product's name before a quad is its version only in the shape such versions take when they parse as an
// address at all (Chrome's reduced 120.0.0.0): ending in .0, which a host's address does not. "Login from
// iOS 185.220.101.4" and "Edge 10.0.0.5 is down" are addresses.
const PRODUCT_WORDS = /\b(?:chrome|firefox|safari|edge|android|ios)\b\s*$/;
const LAST_ZERO = /\.0$/;
/** Longest IPv6 text form: eight groups plus an IPv4 tail. */
const MAX_V6 = 45;

function cidrEnd(text: string, end: number, v6: boolean): number {
  if (text.charCodeAt(end) !== 47) return end;
  const m = /^\/(\d{1,3})(?!\d)/.exec(text.slice(end, end + 5));
  return m !== null && validPrefixLength(m[1]!, v6) ? end + m[0].length : end;
}

function isWordChar(c: string | undefined): boolean {
  return c !== undefined && /\w/.test(c);
}

/** Whether run `i` is followed by three more runs, each after exactly one '.', the inner two 1-3 digits. */
function dottedQuadFrom(text: string, runs: readonly number[], i: number): boolean {
  if (i + 7 >= runs.length) return false;
  for (let j = i; j < i + 6; j += 2) {
    const end = runs[j + 1]!;
    if (text.charCodeAt(end) !== 46 || runs[j + 2] !== end + 1) return false;
    if (j > i && end - runs[j]! > 3) return false;
  }
  return true;
}

function ipv4(text: string, runs: readonly number[], re: RegExp, out: RawFinding[]): void {
  const tryAt = matchAtCandidates(re, text, (m) => {
    const before = text[m.index - 1];
    // Part of a longer number or dotted run (a version such as 10.1.2.3.4, or glued to a word).
    if (isWordChar(before) || before === '.' || !parseIpv4(m[0])) return;
    const start = m.index;
    const end = cidrEnd(text, start + m[0].length, false);
    const near = around(text, start, end, 40, 20);
    const lead = text.slice(Math.max(0, start - 16), start).toLowerCase();
    // "version 1.2.3.4", "Release 10.2.0.1 fixes the proxy bug", "Chrome 120.0.0.0": versions, unless an
    // address word says otherwise (a word such as "proxy" or "server" is as common in release notes).
    const version = VERSION_WORDS.test(lead) || (PRODUCT_WORDS.test(lead) && LAST_ZERO.test(m[0]));
    if (version && !ADDRESS_WORDS.test(near)) return;
    const network = NETWORK_WORDS.test(near);
    out.push({ type: PII_TYPES.ip, start, end, confidence: confidence(network ? 0.85 : 0.6) });
  });
  // The regex has no look-behind, so a match may start inside a longer run: at one of its last three
  // digits, right before the first dot of a dotted quad.
  for (let i = 0; i < runs.length; i += 2) {
    if (!dottedQuadFrom(text, runs, i)) continue;
    const end = runs[i + 1]!;
    for (let p = Math.max(runs[i]!, end - 3); p < end; p++) tryAt(p);
  }
}

/** `::`, `::2`, `1::`, `10::20`: at most two groups around `::`, decimal digits only. */
const SLICE_LIKE = /^\d{0,4}::\d{0,4}$/;

function isV6Char(c: number): boolean {
  return (c >= 48 && c <= 58) || (c >= 65 && c <= 70) || (c >= 97 && c <= 102) || c === 46;
}

function ipv6(text: string, out: RawFinding[]): void {
  // Colons are rare in prose: take the maximal run of address characters around each one and parse it.
  // Runs are disjoint and the search resumes after each, so every character is visited a bounded number
  // of times.
  let resume = 0;
  for (let colon = text.indexOf(':'); colon !== -1; colon = text.indexOf(':', resume)) {
    let start = colon;
    while (start > resume && isV6Char(text.charCodeAt(start - 1))) start--;
    let end = colon + 1;
    while (end < text.length && isV6Char(text.charCodeAt(end))) end++;
    resume = end;
    // Glued to a word (std::cout, fe80::1text) or longer than any address.
    if (end - start > MAX_V6 || isWordChar(text[start - 1]) || isWordChar(text[end])) continue;
    let candidate = text.slice(start, end);
    if (candidate.endsWith('.')) candidate = candidate.replace(/\.+$/, '');
    // A single trailing colon is punctuation ("address 2001:db8::1: ..."), not part of `::`.
    if (candidate.endsWith(':') && !candidate.endsWith('::')) candidate = candidate.slice(0, -1);
    if (!parseIpv6(candidate)) continue;
    const stop = cidrEnd(text, start + candidate.length, true);
    const network = NETWORK_WORDS.test(around(text, start, stop, 40, 20));
    // `::2`, `1::10`: Python slices (arr[1::2]) far more often than addresses. At most two groups, all of them
    // decimal, is taken for an address only when the text talks about networks (ff02::1 and 2001:db8:: stay).
    if (!network && SLICE_LIKE.test(candidate)) continue;
    out.push({ type: PII_TYPES.ip, start, end: stop, confidence: confidence(network ? 0.9 : 0.75) });
  }
}

export function createIpDetector(): Detector {
  const v4 = /\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3}(?![\w]|\.\d)/y;
  return (text: string, index: TextIndex) => {
    const out: RawFinding[] = [];
    ipv4(text, index.digitRuns, v4, out);
    ipv6(text, out);
    return out;
  };
}
