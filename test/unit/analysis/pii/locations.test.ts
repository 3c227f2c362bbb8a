// Every finding names the exact string it is in (`path`, a JSON pointer into the request) and its span in it,
// wherever the text sits: content parts, tool-call arguments, Anthropic tool results, tool uses and documents.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { extractSegments } from '../../../../dataplane/analysis/extract.js';
import { createPiiScanner, maskJsonEscapes } from '../../../../dataplane/analysis/pii/index.js';
import type { PiiFinding } from '../../../../dataplane/analysis/types.js';

const scanner = createPiiScanner();

/** The string a JSON pointer names; a tool_use `input` object is read as its compact JSON, as documented. */
function resolve(body: unknown, pointer: string): string {
  let value: unknown = body;
  for (const key of pointer.split('/').slice(1)) value = (value as Record<string, unknown>)[key];
  return typeof value === 'string' ? value : JSON.stringify(value);
}

function located(body: unknown, endpoint: 'chat' | 'messages'): { finding: PiiFinding; value: string }[] {
  return scanner
    .scan(extractSegments(endpoint, body))
    .map((finding) => ({ finding, value: resolve(body, finding.path).slice(finding.start, finding.end) }));
}

const NOTE = 'Notes:\n4111 1111 1111 1111\n078-05-1120\nbob@corp.com\n+1 415-555-2671';

describe('finding locations', () => {
  it('OpenAI tool-call arguments: found as in plain text, and located in the arguments string', () => {
    const body = {
      model: 'gpt-4o',
      messages: [
        { role: 'user', content: 'Save my note.' },
        {
          role: 'assistant',
          content: 'I will save it now.',
          tool_calls: [
            {
              id: 'c1',
              type: 'function',
              function: { name: 'save', arguments: JSON.stringify({ note: NOTE }) },
            },
          ],
        },
      ],
    };
    const found = located(body, 'chat');
    const plain = scanner.scanText(NOTE).map((f) => [f.type, NOTE.slice(f.start, f.end)]);
    assert.deepEqual(
      found.map(({ finding, value }) => [finding.type, value]),
      plain,
    );
    assert.deepEqual(
      found.map(({ value }) => value),
      ['4111 1111 1111 1111', '078-05-1120', 'bob@corp.com', '+1 415-555-2671'],
    );
    for (const { finding } of found) {
      assert.equal(finding.path, '/messages/1/tool_calls/0/function/arguments');
      assert.equal(finding.message, 1);
    }
  });

  it('Anthropic tool results, tool uses and documents: the outer block is the part, the path the string', () => {
    const body = {
      model: 'claude',
      max_tokens: 100,
      system: [{ type: 'text', text: 'Be brief. Admin: root@corp.com' }],
      messages: [
        { role: 'user', content: 'Look up the customer.' },
        {
          role: 'assistant',
          content: [
            { type: 'text', text: 'Looking.' },
            { type: 'tool_use', id: 't1', name: 'lookup', input: { note: NOTE } },
          ],
        },
        {
          role: 'user',
          content: [
            { type: 'text', text: 'here is the result' },
            {
              type: 'tool_result',
              tool_use_id: 't1',
              content: [{ type: 'text', text: 'owner: bob@corp.com' }],
            },
            { type: 'tool_result', tool_use_id: 't2', content: 'alice@corp.com' },
            {
              type: 'document',
              source: {
                type: 'content',
                content: [
                  { type: 'text', text: 'first page' },
                  { type: 'text', text: 'SSN 078-05-1120' },
                ],
              },
            },
          ],
        },
      ],
    };
    const found = located(body, 'messages');
    const where = found.map(({ finding, value }) => [finding.message, finding.part, finding.path, value]);
    assert.deepEqual(where, [
      [-1, 0, '/system/0/text', 'root@corp.com'],
      [1, 1, '/messages/1/content/1/input', '4111 1111 1111 1111'],
      [1, 1, '/messages/1/content/1/input', '078-05-1120'],
      [1, 1, '/messages/1/content/1/input', 'bob@corp.com'],
      [1, 1, '/messages/1/content/1/input', '+1 415-555-2671'],
      [2, 1, '/messages/2/content/1/content/0/text', 'bob@corp.com'],
      [2, 2, '/messages/2/content/2/content', 'alice@corp.com'],
      [2, 3, '/messages/2/content/3/source/content/1/text', '078-05-1120'],
    ]);
  });

  it('masks two-character JSON escapes with two spaces, keeping every offset', () => {
    const json = JSON.stringify({ a: 'x\ny\t"q"\\z', b: '\u0040' });
    const masked = maskJsonEscapes(json);
    assert.equal(masked.length, json.length);
    assert.equal(masked, json.replace(/\\[nt"\\]/g, '  '));
    assert.equal(maskJsonEscapes('{"k":"\\u0040\\\\u0040"}'), '{"k":"\\u0040  u0040"}');
  });
});
