// Each PII type through the scanner: positives with exact spans, negatives that must stay quiet, and
// offsets that stay right after non-Latin text (UTF-16 code units, as JavaScript strings index).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createPiiScanner } from '../../../../dataplane/analysis/pii/index.js';

const scanner = createPiiScanner();

/** The values found for one type, as text. */
function found(text: string, type: string): string[] {
  return scanner
    .scanText(text)
    .filter((f) => f.type === type)
    .map((f) => text.slice(f.start, f.end));
}

describe('EMAIL_ADDRESS', () => {
  it('finds addresses with exact bounds', () => {
    assert.deepEqual(
      found('try info@presidio.site or another.info+tag@mail.example.co.uk.', 'EMAIL_ADDRESS'),
      ['info@presidio.site', 'another.info+tag@mail.example.co.uk'],
    );
    assert.deepEqual(found('user@xn--80ak6aa92e.com', 'EMAIL_ADDRESS'), ['user@xn--80ak6aa92e.com']);
    // Accented Latin local parts (RFC 6531) whole, not their ASCII tail; other scripts stay outside.
    assert.deepEqual(found('an jörg.müller@example.de schreiben', 'EMAIL_ADDRESS'), [
      'jörg.müller@example.de',
    ]);
    assert.deepEqual(found('邮件地址user@example.com谢谢', 'EMAIL_ADDRESS'), ['user@example.com']);
    // The same letters decomposed (NFD, as macOS file names and some keyboards produce them).
    const nfd = 'jose\u0301.smith@corp.com';
    assert.deepEqual(found(`mail ${nfd} today`, 'EMAIL_ADDRESS'), [nfd]);
    assert.deepEqual(found('mail jose\u0301@corp.com', 'EMAIL_ADDRESS'), ['jose\u0301@corp.com']);
  });

  it('ignores incomplete domains, asset names and bare @', () => {
    assert.deepEqual(found('my email is info@presidio.', 'EMAIL_ADDRESS'), []);
    assert.deepEqual(found('<img src="logo@2x.png"> @user a@b', 'EMAIL_ADDRESS'), []);
    assert.deepEqual(found('a..b@example.com', 'EMAIL_ADDRESS'), []);
  });
});

describe('PHONE_NUMBER', () => {
  it('finds international and national formats', () => {
    const text =
      'US (415) 555-0132, intl +44 (20) 7123 4567, BR +55 11 98456 5666, fax 345-899-3560x4587, ' +
      '+46 (0)8 928 571 38, dotted 259.735.7502 and 001-253-366-9781.';
    assert.deepEqual(found(text, 'PHONE_NUMBER'), [
      '(415) 555-0132',
      '+44 (20) 7123 4567',
      '+55 11 98456 5666',
      '345-899-3560x4587',
      '+46 (0)8 928 571 38',
      '259.735.7502',
      '001-253-366-9781',
    ]);
  });

  it('accepts short local numbers only next to phone words', () => {
    assert.deepEqual(found('Phone:\n467 3395', 'PHONE_NUMBER'), ['467 3395']);
    assert.deepEqual(found('416 60 039 office', 'PHONE_NUMBER'), ['416 60 039']);
    assert.deepEqual(found('we shipped 467 3395 units', 'PHONE_NUMBER'), []);
    assert.deepEqual(found("My driver's license number is 6940579", 'PHONE_NUMBER'), []);
  });

  it('does not take dates, times, IPs, decimals, years or card numbers for phones', () => {
    const text =
      'On 2015-12-22 04:34:22 the totals were 3.14159265 and 1.234.567; years 2012-2015; ' +
      'host 192.168.10.1; card 4111 1111 1111 1111; version 10.2.3.4567.';
    assert.deepEqual(found(text, 'PHONE_NUMBER'), []);
  });

  it('reads a Chinese phone word before an unseparated mobile number', () => {
    assert.deepEqual(found('电话号码13011112222，谢谢', 'PHONE_NUMBER'), ['13011112222']);
  });
});

describe('CREDIT_CARD', () => {
  it('finds Luhn-valid numbers, plain or printed in groups', () => {
    const text =
      'card 4111111111111111, amex 3782 822463 10005, mc 5555-5555-5555-4444, jcb 3530111333300000';
    assert.deepEqual(found(text, 'CREDIT_CARD'), [
      '4111111111111111',
      '3782 822463 10005',
      '5555-5555-5555-4444',
      '3530111333300000',
    ]);
  });

  it('finds a card followed by its CVV or expiry, without them', () => {
    assert.deepEqual(found('Visa 4111111111111111 123', 'CREDIT_CARD'), ['4111111111111111']);
    assert.deepEqual(found('card 4111 1111 1111 1111 12/25', 'CREDIT_CARD'), ['4111 1111 1111 1111']);
    assert.deepEqual(found('pay with 4111-1111-1111-1111 12 25', 'CREDIT_CARD'), ['4111-1111-1111-1111']);
    assert.deepEqual(found('Amex 3782 822463 10005 1234', 'CREDIT_CARD'), ['3782 822463 10005']);
  });

  it('rejects Luhn failures, odd groupings, mixed separators and unknown prefixes', () => {
    const text =
      'my credit card number is 4012-8888-8888-1882; 41 1111 1111 1111 11; 4111-1111 1111-1111; ' +
      '1748503543012; 7111111111111111';
    assert.deepEqual(found(text, 'CREDIT_CARD'), []);
  });

  it('accepts a Luhn-valid number outside known issuer ranges only when the text calls it a card', () => {
    const body = '060412345678901';
    let sum = 0;
    for (let i = 0; i < body.length; i++) {
      const d = Number(body[body.length - 1 - i]) * (i % 2 === 0 ? 2 : 1);
      sum += d > 9 ? d - 9 : d;
    }
    const number = `${body}${(10 - (sum % 10)) % 10}`;
    assert.deepEqual(found(`my store card ${number}`, 'CREDIT_CARD'), [number]);
    assert.deepEqual(found(`order ${number}`, 'CREDIT_CARD'), []);
  });

  it('raises confidence when card words are near', () => {
    const [withWord] = scanner.scanText('my visa 4111111111111111');
    const [bare] = scanner.scanText('ref 4111111111111111');
    assert.ok(withWord!.confidence > bare!.confidence);
  });
});

describe('IBAN_CODE', () => {
  it('finds compact, grouped and lower-case IBANs', () => {
    const text =
      'IBANs: DE89370400440532013000, GB29 NWBK 6016 1331 9268 19 and my iban is gb29nwbk60161331926819.';
    assert.deepEqual(found(text, 'IBAN_CODE'), [
      'DE89370400440532013000',
      'GB29 NWBK 6016 1331 9268 19',
      'gb29nwbk60161331926819',
    ]);
  });

  it('stops at the country length and keeps following words out', () => {
    assert.deepEqual(found('AL47212110090000000235698741 ALL CAPS', 'IBAN_CODE'), [
      'AL47212110090000000235698741',
    ]);
    assert.deepEqual(found('AL47-2121-1009-0000-0002-3569-8741', 'IBAN_CODE'), [
      'AL47-2121-1009-0000-0002-3569-8741',
    ]);
  });

  it('rejects bad check digits, structure, mixed case and slashes', () => {
    const text =
      'DE89 3704 0044 0532 0130 01; GI75 aWBK 0000 0000 7099 453; AL47/2121/1009/0000/0002/3569/8741; ' +
      'AT61 1904 A002 3457 3201';
    assert.deepEqual(found(text, 'IBAN_CODE'), []);
  });
});

describe('US_SSN', () => {
  it('finds dashed SSNs, and bare ones next to SSN words', () => {
    assert.deepEqual(found("Here's my SSN: 054-28-6917", 'US_SSN'), ['054-28-6917']);
    assert.deepEqual(found('social security number 078051123', 'US_SSN'), ['078051123']);
    assert.deepEqual(found('078.05.1123', 'US_SSN'), ['078.05.1123']);
  });

  it('rejects unissued ranges, mixed separators and bare numbers without context', () => {
    const text =
      'ssn 000-12-3456, 666-12-3456, 912-34-5678, 123-00-4567, 078-05-0000, 078-05.1123; id 078051123';
    assert.deepEqual(found(text, 'US_SSN'), []);
  });
});

describe('numbers that are not PII', () => {
  it('Python slices are not IPv6 addresses, version strings are not phone numbers', () => {
    const code = 'evens = arr[::2]; odds = arr[1::2]; df.iloc[::10]; m[1::3, ::2]';
    assert.deepEqual(found(code, 'IP_ADDRESS'), []);
    const versions = 'Chrome 121.0.6167.85 and Chrome 120.0.6099.109 on Windows';
    assert.deepEqual(found(versions, 'PHONE_NUMBER'), []);
    // Addresses and dotted phones still are.
    assert.deepEqual(found('from 2001:db8::7 and the gateway fe80::1', 'IP_ADDRESS'), [
      '2001:db8::7',
      'fe80::1',
    ]);
    assert.deepEqual(found('call me at 415.555.2671', 'PHONE_NUMBER'), ['415.555.2671']);
    assert.deepEqual(found('Call me at 1.800.555.1234 tomorrow', 'PHONE_NUMBER'), ['1.800.555.1234']);
  });
});

describe('IP_ADDRESS', () => {
  it('finds IPv4, IPv6, mapped forms and CIDR prefixes', () => {
    const text =
      'IPv4: 192.168.1.1, IPv6: 2001:db8::1, mapped ::ffff:192.0.2.1, net 10.0.0.0/8, [2001:db8::1]:8080, ' +
      'tail 2001:db8:85a3::8a2e:192.168.0.1.';
    assert.deepEqual(found(text, 'IP_ADDRESS'), [
      '192.168.1.1',
      '2001:db8::1',
      '::ffff:192.0.2.1',
      '10.0.0.0/8',
      '2001:db8::1',
      '2001:db8:85a3::8a2e:192.168.0.1',
    ]);
  });

  it('rejects invalid octets, code and word-glued forms', () => {
    const text = '300.168.1.1 192.168.1 std::cout abc:def:ghi fe80::1text 12:30:45 1.2.3.4.5 #ff00aa';
    assert.deepEqual(found(text, 'IP_ADDRESS'), []);
  });

  it('takes a quad right after a version word for a version, unless an address word is near', () => {
    assert.deepEqual(found('Chrome version 120.0.0.0', 'IP_ADDRESS'), []);
    assert.deepEqual(found('Upgrade to version 1.2.3.4 now', 'IP_ADDRESS'), []);
    // Release notes name servers and proxies all the time: only an address word wins.
    assert.deepEqual(found('Release 10.2.0.1 fixes the proxy bug', 'IP_ADDRESS'), []);
    assert.deepEqual(found('IP of the build 10.1.2.3 server', 'IP_ADDRESS'), ['10.1.2.3']);
    assert.deepEqual(found('IP v4 10.0.0.1', 'IP_ADDRESS'), ['10.0.0.1']);
    // A product's name is a version's only in the shape such versions take (found by adversarial testing:
    // log lines with a browser or OS column lost their addresses).
    assert.deepEqual(found('Chrome 120.0.0.0 on Windows', 'IP_ADDRESS'), []);
    assert.deepEqual(found('Login from iOS 185.220.101.4 at 03:12', 'IP_ADDRESS'), ['185.220.101.4']);
    assert.deepEqual(found('Edge 10.0.0.5 is down', 'IP_ADDRESS'), ['10.0.0.5']);
    assert.deepEqual(found('Attacker signature v 45.33.32.156', 'IP_ADDRESS'), ['45.33.32.156']);
  });
});

describe('offsets after non-Latin text', () => {
  it('keeps UTF-16 spans exact after CJK, Cyrillic, Arabic and emoji', () => {
    const text =
      '请联系我：test@test.com，电话 +86 138 1234 5678。Карта 4111 1111 1111 1111, ' +
      'رقم الهاتف 415-555-0132 🙂🙂 IP 10.1.2.3 IBAN DE89370400440532013000 SSN 054-28-6917';
    const byType = new Map(scanner.scanText(text).map((f) => [f.type, text.slice(f.start, f.end)]));
    assert.deepEqual(Object.fromEntries(byType), {
      EMAIL_ADDRESS: 'test@test.com',
      PHONE_NUMBER: '415-555-0132',
      CREDIT_CARD: '4111 1111 1111 1111',
      IP_ADDRESS: '10.1.2.3',
      IBAN_CODE: 'DE89370400440532013000',
      US_SSN: '054-28-6917',
    });
    const phones = found(text, 'PHONE_NUMBER');
    assert.deepEqual(phones, ['+86 138 1234 5678', '415-555-0132']);
  });
});
