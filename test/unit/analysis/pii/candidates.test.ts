// The shortcuts that keep scanning cheap must not change what is found: regexes tried only at candidate
// positions report what a search through the whole text reports, the shared index finds every digit run
// and operator, the key-run sampler misses no long run, and provider rules tried at prefixes find what
// each rule's regex finds over the whole text.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createProviderSecretDetector } from '../../../../dataplane/analysis/pii/detect-provider-secrets.js';
import type { RawFinding } from '../../../../dataplane/analysis/pii/finding.js';
import { eachMatch, matchAtCandidates } from '../../../../dataplane/analysis/pii/match-loop.js';
import { isPlaceholderKey } from '../../../../dataplane/analysis/pii/sample-keys.js';
import { PROVIDER_RULES } from '../../../../dataplane/analysis/pii/secret-providers.js';
import { createTextIndexer } from '../../../../dataplane/analysis/pii/text-index.js';
import { keyCharTable, keyRuns } from '../../../../dataplane/analysis/pii/token-runs.js';
import { randomChars } from './fixtures.js';

/** Texts of short random pieces from `alphabet`, joined by random separators: many runs of each kind. */
function pieces(seed: number, count: number, alphabet: string, separators: string): string {
  let text = '';
  for (let i = 0; i < count; i++) {
    const length = 1 + (Number.parseInt(randomChars(2, seed + i, '0123456789'), 10) % 40);
    text += randomChars(length, seed * 1000 + i, alphabet) + randomChars(1, seed + 7 * i, separators);
  }
  return text;
}

function spansOf(re: RegExp, text: string): number[] {
  return [...text.matchAll(re)].flatMap((m) => [m.index, m.index + m[0].length]);
}

describe('matchAtCandidates', () => {
  it('reports what eachMatch reports when offered every position, whatever the resume points', () => {
    const text = pieces(1, 400, 'ab1-', ' .');
    const source = '(?<![a-z])a[ab1-]{0,6}b';
    const visit =
      (log: string[]) =>
      (m: RegExpExecArray): number | undefined => {
        log.push(`${m.index}:${m[0]}`);
        // Resume inside, at or past the match, as detectors do.
        return m.index % 3 === 0 ? m.index + 1 : m.index % 3 === 1 ? undefined : m.index + m[0].length + 2;
      };
    const expected: string[] = [];
    eachMatch(new RegExp(source, 'g'), text, visit(expected));
    const got: string[] = [];
    const tryAt = matchAtCandidates(new RegExp(source, 'y'), text, visit(got));
    for (let p = 0; p < text.length; p++) tryAt(p);
    assert.ok(expected.length > 50);
    assert.deepEqual(got, expected);
  });
});

describe('text index', () => {
  const index = createTextIndexer();
  const texts: [string, string][] = [
    ['sparse digits', pieces(2, 300, 'abcdefghij', ' ,.') + ' 42 and 2025'],
    ['dense digits', pieces(3, 300, '0123456789ab', ' -.:=')],
    ['digits in wide text', `${pieces(4, 200, 'абв12где3', ' ,')}请 2025 年`],
    ['latin-1 only', `Überweisung 1234 façade 56${'9'.repeat(50)}`],
    ['no digits', 'only words here'],
    ['digits only', '0123456789'.repeat(30)],
  ];
  for (const [name, text] of texts) {
    it(`finds every digit run and operator: ${name}`, () => {
      const { digitRuns, operators } = index(text);
      assert.deepEqual(digitRuns, spansOf(/\d+/g, text));
      assert.deepEqual(
        operators,
        [...text.matchAll(/[:=]/g)].map((m) => m.index),
      );
    });
  }
});

describe('key runs', () => {
  const table = keyCharTable();
  const texts = [
    pieces(5, 500, 'abcXYZ019_-.~+/=', ' ,;é'),
    pieces(6, 300, 'abcdefghijklmnopqrstuvwxyz', ' '),
    `${'a'.repeat(19)} ${'b'.repeat(20)} ${'c'.repeat(21)}${'é'}${'d'.repeat(40)}`,
    'x'.repeat(1000),
    '',
  ];
  for (const [i, text] of texts.entries()) {
    it(`finds every run of 20 or more key characters (text ${i + 1})`, () => {
      assert.deepEqual(keyRuns(text, 20, table), spansOf(/[A-Za-z0-9_.~+/=-]{20,}/g, text));
    });
  }
});

describe('provider rules at prefixes', () => {
  /** Every rule's regex over the whole text, in table order: what the prefix shortcut must reproduce. */
  function reference(text: string): RawFinding[] {
    const out: RawFinding[] = [];
    for (const rule of PROVIDER_RULES) {
      eachMatch(new RegExp(rule.source, 'g'), text, (m) => {
        if ((rule.check !== undefined && !rule.check(m[0])) || isPlaceholderKey(m[0])) return;
        const end = m.index + m[0].length;
        out.push({ type: 'SECRET', subtype: rule.subtype, start: m.index, end, confidence: rule.confidence });
      });
    }
    return out;
  }

  // Written out here rather than read from the rules, so a prefix missing from a rule shows up.
  const PUBLISHED_PREFIXES = [
    ...['sk-ant-api03-', 'sk-', 'sk-proj-', 'sk-svcacct-', 'sk-admin-', 'AKIA', 'ASIA', 'ABIA', 'ACCA'],
    ...['ghp_', 'gho_', 'ghu_', 'ghs_', 'ghr_', 'github_pat_', 'glpat-', 'gldt-', 'glrt-', 'glptt-'],
    ...['glft-', 'glsoat-', 'glcbt-', 'AIza', 'xoxb-', 'xoxp-', 'sk_live_', 'rk_live_', 'sk_test_'],
    ...['rk_test_', 'whsec_', 'hf_', 'ntn_', 'figd_', 'glc_', 'glsa_', 'hvs.', 'hvb.', 'hvr.', 'tskey-'],
    ...['cfat_', 'cfut_', 'cfk_', 'dapi', 'npm_', 'pypi-AgEIcHlwaS5vcmc', 'gsk_', 'pplx-', 'xai-', 'shpat_'],
    ...['shpca_', 'shppa_', 'shpss_', 'lin_api_', 'dop_v1_', 'doo_v1_', 'dor_v1_', 'sgp_', 's-s4t2ud-'],
    ...['s-s4t2af-', 'EAA', 'ops_eyJ'],
  ];
  const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
  const HEX = '0123456789abcdef';
  /** One key shape per rule (and per prefix), bodies drawn at random. */
  function keys(seed: number): string[] {
    let n = seed;
    const r = (length: number, alphabet = ALNUM): string => randomChars(length, n++, alphabet);
    const d = (length: number): string => r(length, '0123456789');
    return [
      `sk-ant-api03-${r(93)}AA`,
      `sk-${r(20)}T3BlbkFJ${r(20)}`,
      `sk-proj-${r(64)}`,
      `sk-svcacct-${r(50)}`,
      `sk-admin-${r(45)}`,
      `AKIA${r(16, 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567')}`,
      `ASIA${r(16, 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567')}`,
      `gh${'p'}_${r(36)}`,
      `ghs_${d(5)}_eyJ${r(20)}.${r(20)}.${r(20)}`,
      `github_pat_${r(22)}_${r(59)}`,
      `glpat-${r(20)}`,
      `AIza${r(35)}`,
      `xoxb-${d(11)}-${d(12)}-${r(24)}`,
      `https://hooks.slack.com/services/${r(40)}`,
      `sk_live_${r(24)}`,
      `rk_test_${r(30)}`,
      `whsec_${r(32)}`,
      `SG.${r(22)}.${r(43)}`,
      `hf_${r(34, 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ')}`,
      `ntn_${d(11)}${r(35)}`,
      `figd_${r(40)}`,
      `glc_${r(40)}`,
      `glsa_${r(32)}_${r(8, HEX)}`,
      `hvs.${r(30)}`,
      `tskey-auth-${r(10)}-${r(30)}`,
      `cfat_${r(48)}`,
      `dapi${r(32, HEX)}`,
      `npm_${r(36)}`,
      `pypi-AgEIcHlwaS5vcmc${r(60)}`,
      `gsk_${r(52)}`,
      `pplx-${r(48)}`,
      `xai-${r(80)}`,
      `shpat_${r(32, HEX)}`,
      `lin_api_${r(40)}`,
      `dop_v1_${r(64, HEX)}`,
      `sgp_${r(16, HEX)}_${r(40, HEX)}`,
      `s-s4t2ud-${r(64, HEX)}`,
      `EAA${r(100)}`,
      `ops_eyJ${r(120)}`,
      `${r(3)}8Q~${r(32)}`,
      '"type": "service_account"',
      // Every published prefix with plain bodies, for the rules that take any body of some length.
      ...PUBLISHED_PREFIXES.flatMap((prefix) => [
        `${prefix}${r(36)}`,
        `${prefix}${r(48)}`,
        `${prefix}${r(64, HEX)}`,
      ]),
    ];
  }
  // Glued to letters, digits, symbols or nothing; cut short, masked or run on into more key characters.
  const before = ['', ' ', 'x', '9', '_', '=', '+', 'aB', 'KEY=', 'Zm9v'];
  const after = [' ', '', 'x', '_', '.', '9', '\n', 'AA'];
  const variants = (key: string, i: number): string[] => [
    key,
    key.slice(0, -1 - (i % 3)),
    `${key.slice(0, 12)}xxxxx${key.slice(17)}`,
    `${key}${key.slice(-5)}`,
  ];

  const covered = new Set<string | undefined>();
  for (let round = 0; round < 4; round++) {
    it(`finds what each rule finds over the whole text (round ${round + 1})`, () => {
      let text = '';
      for (const [k, key] of keys(1000 * (round + 1)).entries()) {
        for (const [j, prefix] of before.entries()) {
          const variant = variants(key, j + round)[(j + round) % 4]!;
          text += `${prefix}${variant}${after[(j + round + (k % 3)) % after.length]!}`;
        }
      }
      const expected = reference(text);
      for (const f of expected) covered.add(f.subtype);
      assert.deepEqual(createProviderSecretDetector()(text, { digitRuns: [], operators: [] }), expected);
    });
  }

  it('has exercised every rule', () => {
    assert.deepEqual(
      PROVIDER_RULES.map((rule) => rule.subtype).filter((subtype) => !covered.has(subtype)),
      [],
    );
  });
});
