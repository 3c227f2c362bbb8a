// The scanner over request segments: locations (message, part, offsets), overlap resolution between
// detectors, and the segments extractSegments produces from a chat request.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { extractSegments } from '../../../../dataplane/analysis/extract.js';
import { createPiiScanner } from '../../../../dataplane/analysis/pii/index.js';
import { fake } from './fixtures.js';

const scanner = createPiiScanner();

describe('scan over segments', () => {
  it('reads Anthropic documents (text and content sources) and tool_use inputs, as untrusted text', () => {
    const body = {
      messages: [
        {
          role: 'user',
          content: [
            {
              type: 'document',
              source: { type: 'text', media_type: 'text/plain', data: 'mail jane@example.org' },
            },
            {
              type: 'document',
              source: { type: 'content', content: [{ type: 'text', text: 'call 10.0.0.7' }] },
            },
            { type: 'document', source: { type: 'base64', media_type: 'application/pdf', data: 'JVBERi0=' } },
          ],
        },
        {
          role: 'assistant',
          content: [{ type: 'tool_use', id: 't1', name: 'send', input: { to: 'bob@example.com' } }],
        },
      ],
    };
    const segments = extractSegments('messages', body);
    assert.deepEqual(
      segments.map((s) => [s.message, s.role, s.text]),
      [
        [0, 'document', 'mail jane@example.org'],
        [0, 'document', 'call 10.0.0.7'],
        [1, 'tool_call', '{"to":"bob@example.com"}'],
      ],
    );
    assert.deepEqual(
      scanner.scan(segments).map((f) => f.type),
      ['EMAIL_ADDRESS', 'IP_ADDRESS', 'EMAIL_ADDRESS'],
    );
  });

  it('locates findings by message, part and offsets into that segment', () => {
    const body = {
      messages: [
        { role: 'system', content: 'Be brief.' },
        {
          role: 'user',
          content: [
            { type: 'text', text: 'ok' },
            { type: 'text', text: 'Письмо: ann@example.com' },
          ],
        },
        { role: 'assistant', content: null, tool_calls: [{ function: { arguments: '{"ip":"10.0.0.7"}' } }] },
      ],
    };
    const segments = extractSegments('chat', body);
    const findings = scanner.scan(segments);
    assert.deepEqual(
      findings.map(({ type, message, part, start, end }) => ({ type, message, part, start, end })),
      [
        { type: 'EMAIL_ADDRESS', message: 1, part: 1, start: 8, end: 23 },
        { type: 'IP_ADDRESS', message: 2, part: null, start: 7, end: 15 },
      ],
    );
    for (const f of findings) {
      const text = segments.find((s) => s.message === f.message && s.part === f.part)!.text;
      assert.match(text.slice(f.start, f.end), /ann@example\.com|10\.0\.0\.7/);
    }
  });

  it('omits subtype except on secrets', () => {
    const [email, secret] = scanner.scan([
      { message: 0, part: null, role: 'user', text: `a@b.io ${fake.github()}`, path: '/messages/0/content' },
    ]);
    assert.equal('subtype' in email!, false);
    assert.equal(secret!.subtype, 'github');
  });
});

describe('overlaps', () => {
  it('keeps one finding per span, preferring the more specific type', () => {
    const text = 'https://svc:secret123@api.example.com and 4111-1111-1111-1111';
    const found = scanner.scanText(text);
    assert.deepEqual(
      found.map((f) => [f.type, text.slice(f.start, f.end)]),
      [
        ['SECRET', 'svc:secret123'],
        ['CREDIT_CARD', '4111-1111-1111-1111'],
      ],
    );
  });

  it('keeps the whole IPv6 address over its IPv4 tail, and secrets over e-mail-like parts', () => {
    const text = '::ffff:192.0.2.1';
    assert.deepEqual(
      scanner.scanText(text).map((f) => [f.type, f.start, f.end]),
      [['IP_ADDRESS', 0, 16]],
    );
  });

  it('returns findings ordered by position without duplicates', () => {
    const text = 'password = Tr0ub4dor&3x and the password is Tr0ub4dor&3x; a@b.io a@b.io';
    const found = scanner.scanText(text);
    const starts = found.map((f) => f.start);
    assert.deepEqual(
      starts,
      [...starts].sort((a, b) => a - b),
    );
    assert.equal(new Set(starts).size, starts.length);
    assert.equal(found.length, 4);
  });

  it('returns nothing for empty text', () => {
    assert.deepEqual(scanner.scanText(''), []);
    assert.deepEqual(scanner.scan([]), []);
  });
});
