// Every finding names the exact string it is in (`path`, a JSON pointer into the request) and its span in it,
// wherever the text sits: content parts, tool-call arguments, Anthropic tool results, tool uses and documents.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { readFileSync } from 'node:fs';
import { createAnalyzer } from '../../../../dataplane/analysis/analyze.js';
import { extractDefinitionSegments, extractSegments } from '../../../../dataplane/analysis/extract.js';
import {
  createPiiScanner,
  maskJsonEscapes,
  readJsonEscapes,
} from '../../../../dataplane/analysis/pii/index.js';
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
              title: 'Notes for carol@corp.com',
              context: 'Sent by dave@corp.com',
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
      // The title and context go to the model with the document.
      [2, 3, '/messages/2/content/3/title', 'carol@corp.com'],
      [2, 3, '/messages/2/content/3/context', 'dave@corp.com'],
      [2, 3, '/messages/2/content/3/source/content/1/text', '078-05-1120'],
    ]);
  });

  it('tool and function definitions, structured-output schemas and names: scanned, located by path', () => {
    const key = `sk-proj-${'Zq8Rt2Lm5Xw9Kc3Vb7Nd1Hy4'.repeat(3)}`;
    const chat = {
      model: 'gpt-4o',
      messages: [{ role: 'user', name: 'bob@corp.com', content: 'Weather?' }],
      tools: [
        {
          type: 'function',
          function: {
            name: 'weather',
            description: `Calls the weather API with Authorization: Bearer ${key}`,
            parameters: { type: 'object', properties: { city: { type: 'string' } } },
          },
        },
      ],
      functions: [{ name: 'legacy', description: 'Escalate to ops@corp.com' }],
      response_format: {
        type: 'json_schema',
        json_schema: {
          name: 'r',
          schema: { type: 'object', description: 'Card on file: 4111 1111 1111 1111' },
        },
      },
    };
    const where = scanner
      .scan(extractDefinitionSegments('chat', chat))
      .map((f) => [f.type, f.message, f.path, resolve(chat, f.path).slice(f.start, f.end)]);
    assert.deepEqual(where, [
      ['SECRET', -1, '/tools/0', key],
      ['EMAIL_ADDRESS', -1, '/functions/0', 'ops@corp.com'],
      ['CREDIT_CARD', -1, '/response_format', '4111 1111 1111 1111'],
      ['EMAIL_ADDRESS', 0, '/messages/0/name', 'bob@corp.com'],
    ]);
    // The whole analysis reports them with the prompt's own findings; the injection score and the complexity
    // do not read the application's definitions (as they do not read its system prompt).
    const analyze = createAnalyzer();
    const request = { endpoint: 'chat', body: chat, upstreamModel: 'gpt-4o', provider: 'openai' } as const;
    assert.deepEqual(
      analyze(request).pii.map((f) => f.path),
      ['/tools/0', '/functions/0', '/response_format', '/messages/0/name'],
    );
    const bare = { ...chat, tools: undefined, functions: undefined, response_format: undefined };
    const noDefinitions = analyze({ ...request, body: bare });
    assert.deepEqual(analyze(request).injection, noDefinitions.injection);

    const messages = {
      model: 'claude',
      max_tokens: 10,
      messages: [{ role: 'user', content: 'Weather?' }],
      tools: [{ name: 'weather', description: 'Owner: root@corp.com', input_schema: { type: 'object' } }],
    };
    assert.deepEqual(
      scanner
        .scan(extractDefinitionSegments('messages', messages))
        .map((f) => [f.path, resolve(messages, f.path).slice(f.start, f.end)]),
      [['/tools/0', 'root@corp.com']],
    );
  });

  it('ordinary tool definitions and names raise nothing (the function-calling requests of the token fixtures)', () => {
    const cases = JSON.parse(
      readFileSync(
        new URL('../../../fixtures/tiktoken/gpt-tokenizer_functionCallingTestCases.json', import.meta.url),
        'utf8',
      ),
    ) as { functions?: unknown[]; tools?: unknown[]; messages: { name?: string }[] }[];
    let scanned = 0;
    let expected = 0;
    for (const c of cases) {
      const segments = extractDefinitionSegments('chat', c);
      scanned += segments.length;
      expected += (c.functions?.length ?? 0) + (c.tools?.length ?? 0);
      expected += c.messages.filter((m) => typeof m.name === 'string').length;
      assert.deepEqual(scanner.scan(segments), [], JSON.stringify(c).slice(0, 200));
    }
    assert.ok(expected > 20);
    assert.equal(scanned, expected);
  });

  it('a custom tool call’s free-form input is scanned and located', () => {
    const body = {
      model: 'gpt-4o',
      messages: [
        { role: 'user', content: 'Mail the team.' },
        {
          role: 'assistant',
          content: null,
          tool_calls: [{ id: 'c1', type: 'custom', custom: { name: 'mail', input: 'to: bob@corp.com' } }],
        },
      ],
    };
    assert.deepEqual(
      located(body, 'chat').map(({ finding, value }) => [finding.path, value]),
      [['/messages/1/tool_calls/0/custom/input', 'bob@corp.com']],
    );
  });

  it('reads \\uXXXX escapes in tool arguments, and locates findings on the escapes in the JSON', () => {
    // Python's json.dumps escapes every non-ASCII character; '@' and spaces may come escaped too.
    const args =
      '{"email": "J\\u00fcrgen.M\\u00fcller@beispiel.de", "to": "jane\\u0040example.org", "card": "4111\\u00201111\\u00201111\\u00201111"}';
    const body = {
      model: 'gpt-4o',
      messages: [
        { role: 'user', content: 'Send it.' },
        {
          role: 'assistant',
          content: null,
          tool_calls: [{ id: 'c1', type: 'function', function: { name: 'send', arguments: args } }],
        },
      ],
    };
    assert.deepEqual(
      located(body, 'chat').map(({ finding, value }) => [finding.type, value]),
      [
        ['EMAIL_ADDRESS', 'J\\u00fcrgen.M\\u00fcller@beispiel.de'],
        ['EMAIL_ADDRESS', 'jane\\u0040example.org'],
        ['CREDIT_CARD', '4111\\u00201111\\u00201111\\u00201111'],
      ],
    );
  });

  it('maps decoded offsets back onto the JSON, one entry past the end', () => {
    const json = '"a\\u00e9\\nb\\\\u0041"';
    const { text, rawOffsets } = readJsonEscapes(json);
    assert.equal(text, '"aé  b  u0041"');
    assert.deepEqual([...rawOffsets!], [0, 1, 2, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, json.length]);
    // Without \\u escapes the text keeps the JSON's offsets: no table.
    assert.equal(readJsonEscapes('{"k":"a\\nb"}').rawOffsets, undefined);
  });

  it('masks two-character JSON escapes with two spaces, keeping every offset', () => {
    const json = JSON.stringify({ a: 'x\ny\t"q"\\z', b: '\u0040' });
    const masked = maskJsonEscapes(json);
    assert.equal(masked.length, json.length);
    assert.equal(masked, json.replace(/\\[nt"\\]/g, '  '));
    assert.equal(maskJsonEscapes('{"k":"\\u0040\\\\u0040"}'), '{"k":"\\u0040  u0040"}');
  });
});
