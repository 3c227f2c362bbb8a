// Checksums and parsers behind the detectors: Luhn and card prefixes, SSN ranges, IBAN registry and
// mod-97, IPv4/IPv6 parsing, and the entropy/placeholder helpers for secrets.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  luhnValid,
  plausibleCardPrefix,
  validCardNumber,
  validSsn,
} from '../../../../dataplane/analysis/pii/checksums.js';
import {
  characterClasses,
  hasSequentialRun,
  longestRepeat,
  looksLikePlaceholder,
  shannonEntropy,
} from '../../../../dataplane/analysis/pii/entropy.js';
import { ibanLength, ibanMod97, validIban } from '../../../../dataplane/analysis/pii/iban-registry.js';
import { parseIpv4, parseIpv6, validPrefixLength } from '../../../../dataplane/analysis/pii/ip-parse.js';

describe('card numbers', () => {
  it('computes Luhn', () => {
    assert.equal(luhnValid('4111111111111111'), true);
    assert.equal(luhnValid('4111111111111112'), false);
    assert.equal(luhnValid('79927398713'), true);
    assert.equal(luhnValid(''), false);
    assert.equal(luhnValid('4111x11111111111'), false);
  });

  it('accepts network prefixes with their lengths', () => {
    for (const n of [
      '4111111111111111', // Visa 16
      '4222222222222', // Visa 13
      '5555555555554444', // Mastercard 5x
      '2223003122003222', // Mastercard 2-series
      '378282246310005', // Amex
      '30569309025904', // Diners 14
      '6011111111111117', // Discover
      '3530111333300000', // JCB
      '6200000000000005', // UnionPay
      '122000000000003', // UATP 15
      '5000000000000611', // Maestro 16
    ]) {
      assert.equal(validCardNumber(n), true, n);
    }
  });

  it('rejects wrong lengths, unknown prefixes and Luhn failures', () => {
    assert.equal(plausibleCardPrefix('3782822463100051'), false, 'Amex is 15 digits');
    assert.equal(plausibleCardPrefix('1748503543012'), false, '1-prefix only as 15-digit UATP');
    assert.equal(plausibleCardPrefix('7000000000000000'), false);
    assert.equal(plausibleCardPrefix('41111111111'), false, 'too short');
    assert.equal(validCardNumber('5555555555554446'), false);
    assert.equal(validCardNumber('50000000000000000009'), false, '20 digits');
    assert.equal(validCardNumber('4111 1111 1111 1111'), false, 'separators are removed by the caller');
  });
});

describe('US SSN ranges', () => {
  it('accepts issued ranges', () => {
    assert.equal(validSsn('078', '05', '1123'), true);
    assert.equal(validSsn('899', '99', '9999'), true);
  });

  it('rejects area 000/666/9xx, group 00, serial 0000 and repeated digits', () => {
    assert.equal(validSsn('000', '12', '3456'), false);
    assert.equal(validSsn('666', '12', '3456'), false);
    assert.equal(validSsn('900', '12', '3456'), false);
    assert.equal(validSsn('123', '00', '4567'), false);
    assert.equal(validSsn('123', '45', '0000'), false);
    assert.equal(validSsn('111', '11', '1111'), false);
  });
});

describe('IBAN', () => {
  it('knows country lengths', () => {
    assert.equal(ibanLength('DE'), 22);
    assert.equal(ibanLength('GB'), 22);
    assert.equal(ibanLength('NO'), 15);
    assert.equal(ibanLength('LC'), 32);
    assert.equal(ibanLength('US'), undefined);
  });

  it('validates structure and mod-97', () => {
    assert.equal(ibanMod97('DE89370400440532013000'), 1);
    assert.equal(validIban('DE89370400440532013000'), true);
    assert.equal(validIban('GB29NWBK60161331926819'), true);
    assert.equal(validIban('FR1420041010050500013M02606'), true);
    assert.equal(validIban('NO9386011117947'), true);
    assert.equal(validIban('DE89370400440532013001'), false, 'check digits');
    assert.equal(validIban('DE8937040044053201300'), false, 'length');
    assert.equal(validIban('GB29NWB160161331926819'), false, 'bank code must be letters');
    assert.equal(validIban('XX89370400440532013000'), false, 'unknown country');
  });
});

describe('IP parsing', () => {
  it('parses IPv4 octets', () => {
    assert.equal(parseIpv4('192.168.0.1'), true);
    assert.equal(parseIpv4('0.0.0.0'), true);
    assert.equal(parseIpv4('256.1.1.1'), false);
    assert.equal(parseIpv4('1.2.3'), false);
    assert.equal(parseIpv4('01.2.3.4'), false);
  });

  it('parses IPv6 forms', () => {
    for (const ok of [
      '2001:db8::1',
      '::1',
      '2345:0425:2CA1:0000:0000:0567:5673:23b5',
      '::ffff:192.0.2.1',
      'fe80::',
    ]) {
      assert.equal(parseIpv6(ok), true, ok);
    }
    for (const bad of [
      '::',
      ':::',
      '1:2:3:4:5:6:7',
      'abc:def:ghi',
      '2001:db8::1::2',
      '1::2:3:4:5:6:7:8',
      '1.2.3.4::1',
    ]) {
      assert.equal(parseIpv6(bad), false, bad);
    }
  });

  it('bounds CIDR prefixes', () => {
    assert.equal(validPrefixLength('32', false), true);
    assert.equal(validPrefixLength('33', false), false);
    assert.equal(validPrefixLength('128', true), true);
    assert.equal(validPrefixLength('9999', true), false);
  });
});

describe('entropy and placeholders', () => {
  it('measures Shannon entropy', () => {
    assert.equal(shannonEntropy(''), 0);
    assert.equal(shannonEntropy('aaaa'), 0);
    assert.equal(shannonEntropy('abcd'), 2);
    assert.ok(shannonEntropy('wJalrXUtnFEMI/K7MDENG/bPxRfiCY') > 4);
  });

  it('counts character classes, runs and repeats', () => {
    assert.equal(characterClasses('abc'), 1);
    assert.equal(characterClasses('aB3!'), 4);
    assert.equal(hasSequentialRun('x123456y'), true);
    assert.equal(hasSequentialRun('zyxwvu'), true);
    assert.equal(hasSequentialRun('a1b2c3d4'), false);
    assert.equal(longestRepeat('abbbbc'), 4);
  });

  it('recognises templates and masks', () => {
    for (const p of [
      'xxxxxxxx',
      'sk-XXXX1234',
      '${API_KEY}',
      '$TOKEN',
      '{{secret}}',
      '<token>',
      'YOUR_API_KEY',
      '***',
    ]) {
      assert.equal(looksLikePlaceholder(p), true, p);
    }
    assert.equal(looksLikePlaceholder('q8Zr2LmT0vWx'), false);
  });
});
