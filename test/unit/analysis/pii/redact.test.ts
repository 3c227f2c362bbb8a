// Redaction: placeholders numbered per type and consistent across a request's segments, the in-memory
// reverse map and restore(), one-way masking, per-request hashes, and robustness to odd findings.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { TextSegment } from '../../../../dataplane/analysis/types.js';
import {
  createPiiScanner,
  createRedactionState,
  redact,
  reserveLiterals,
  restore,
} from '../../../../dataplane/analysis/pii/index.js';
import { fake } from './fixtures.js';

const scanner = createPiiScanner();

function segment(message: number, text: string): TextSegment {
  return { message, part: null, role: 'user', text, path: `/messages/${message}/content` };
}

describe('placeholder style', () => {
  it('numbers values per type and reuses the placeholder for a repeated value across segments', () => {
    const segments = [
      segment(0, 'Mail ann@example.com or bob@example.com, call +1 415 555 0132.'),
      segment(1, 'Again: ann@example.com — и ещё carl@example.org'),
    ];
    const findings = scanner.scan(segments);
    let state = createRedactionState();
    const out: string[] = [];
    for (const [i, s] of segments.entries()) {
      const r = redact(
        s.text,
        findings.filter((f) => f.message === s.message),
        'placeholder',
        state,
      );
      out.push(r.text);
      state = r.state;
      assert.ok(i >= 0);
    }
    assert.deepEqual(out, [
      'Mail [EMAIL_1] or [EMAIL_2], call [PHONE_1].',
      'Again: [EMAIL_1] — и ещё [EMAIL_3]',
    ]);
    assert.equal(state.values.get('[EMAIL_2]'), 'bob@example.com');
  });

  it('restores values in a model answer, leaving unknown placeholders alone', () => {
    const text = `Key ${fake.openai()} belongs to ann@example.com`;
    const { text: redacted, state } = redact(text, scanner.scanText(text), 'placeholder');
    assert.equal(redacted, 'Key [SECRET_1] belongs to [EMAIL_1]');
    const answer = 'I will email [EMAIL_1] about [SECRET_1]; [PHONE_9] is unknown.';
    assert.equal(
      restore(answer, state),
      `I will email ann@example.com about ${fake.openai()}; [PHONE_9] is unknown.`,
    );
    assert.equal(restore(redacted, state), text);
  });

  it('never hands out a placeholder the text already holds, so restore() leaves the literal as written', () => {
    const text = 'The template says [EMAIL_1] and [EMAIL_3]; mine is ann@example.com, hers bob@example.com';
    const { text: redacted, state } = redact(text, scanner.scanText(text), 'placeholder');
    assert.equal(redacted, 'The template says [EMAIL_1] and [EMAIL_3]; mine is [EMAIL_2], hers [EMAIL_4]');
    assert.equal(
      restore('Use [EMAIL_1] for [EMAIL_2] and [EMAIL_4]', state),
      'Use [EMAIL_1] for ann@example.com and bob@example.com',
    );
    assert.equal(restore(redacted, state), text);
  });

  it('reserveLiterals covers a literal in a later segment, which redact() alone sees too late', () => {
    const first = 'Reach me at ann@example.com';
    const second = 'Fill in [EMAIL_1] in the form';
    const alone = redact(first, scanner.scanText(first), 'placeholder');
    assert.equal(alone.text, 'Reach me at [EMAIL_1]', 'without the reservation the numbering starts at 1');
    const reserved = reserveLiterals(createRedactionState(), first, second);
    assert.deepEqual([...reserved.literals], ['[EMAIL_1]']);
    const r1 = redact(first, scanner.scanText(first), 'placeholder', reserved);
    const r2 = redact(second, scanner.scanText(second), 'placeholder', r1.state);
    assert.equal(r1.text, 'Reach me at [EMAIL_2]');
    assert.equal(r2.text, second);
    assert.equal(restore('[EMAIL_2] typed [EMAIL_1]', r2.state), 'ann@example.com typed [EMAIL_1]');
    // Nothing placeholder-shaped: the same state comes back.
    const plain = createRedactionState();
    assert.equal(reserveLiterals(plain, 'no [brackets] of that shape', '[lower_1]'), plain);
  });

  it('does not modify the state passed in', () => {
    const before = createRedactionState();
    const { state } = redact('a@b.io', [{ type: 'EMAIL_ADDRESS', start: 0, end: 6 }], 'placeholder', before);
    assert.equal(before.values.size, 0);
    assert.equal(state.values.size, 1);
  });

  it('labels unknown types from their name', () => {
    const { text } = redact('id X-1', [{ type: 'us driver-license', start: 3, end: 6 }], 'placeholder');
    assert.equal(text, 'id [US_DRIVER_LICENSE_1]');
  });
});

describe('mask and hash styles', () => {
  it('masks letters and digits, keeps separators and the last four of cards and IBANs', () => {
    const text = 'SSN 054-28-6917 card 4111 1111 1111 1111 key ghp';
    const findings = [
      { type: 'US_SSN', start: 4, end: 15 },
      { type: 'CREDIT_CARD', start: 21, end: 40 },
      { type: 'SECRET', subtype: 'github', start: 45, end: 48 },
    ];
    const { text: masked, state } = redact(text, findings, 'mask');
    assert.equal(masked, 'SSN ***-**-**** card **** **** **** 1111 key ********');
    assert.equal(state.values.size, 0, 'masking is one-way');
  });

  it('hashes consistently within a request and differently across requests', () => {
    const f = [{ type: 'EMAIL_ADDRESS', start: 0, end: 13 }];
    const first = redact('ann@example.c', f, 'hash');
    const again = redact('ann@example.c', f, 'hash', first.state);
    const other = redact('ann@example.c', f, 'hash');
    assert.match(first.text, /^\[EMAIL_[0-9A-F]{10}\]$/);
    assert.equal(again.text, first.text);
    assert.notEqual(other.text, first.text);
    assert.equal(restore(first.text, first.state), 'ann@example.c');
  });
});

describe('robustness', () => {
  it('skips overlapping, empty and out-of-range findings', () => {
    const text = 'abc def ghi';
    const findings = [
      { type: 'PHONE_NUMBER', start: 0, end: 7 },
      { type: 'EMAIL_ADDRESS', start: 4, end: 11 },
      { type: 'EMAIL_ADDRESS', start: 5, end: 5 },
      { type: 'EMAIL_ADDRESS', start: 9, end: 40 },
      { type: 'EMAIL_ADDRESS', start: -1, end: 2 },
    ];
    assert.equal(redact(text, findings, 'placeholder').text, '[PHONE_1] ghi');
  });

  it('leaves text without findings unchanged', () => {
    assert.equal(redact('nothing here', [], 'placeholder').text, 'nothing here');
    assert.equal(restore('nothing [HERE]', createRedactionState()), 'nothing [HERE]');
  });
});

describe('one value, several spellings', () => {
  it('gives a card, a phone and an e-mail written two ways one placeholder each', () => {
    const text =
      'Card 4111 1111 1111 1111 (also 4111-1111-1111-1111); mail bob@corp.com or BOB@corp.com; ' +
      'call +1 415 555 0132 or +1-415-555-0132.';
    const findings = scanner.scan([segment(0, text)]);
    const { text: redacted, state } = redact(text, findings, 'placeholder', createRedactionState());
    assert.equal(
      redacted,
      'Card [CREDIT_CARD_1] (also [CREDIT_CARD_1]); mail [EMAIL_1] or [EMAIL_1]; call [PHONE_1] or [PHONE_1].',
    );
    // restore() gives back the first spelling.
    assert.equal(
      restore(redacted, state),
      'Card 4111 1111 1111 1111 (also 4111 1111 1111 1111); mail bob@corp.com or bob@corp.com; ' +
        'call +1 415 555 0132 or +1 415 555 0132.',
    );
  });
});
