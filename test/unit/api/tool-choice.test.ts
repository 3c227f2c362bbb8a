// The edge's check of tool_choice against tools, on the validated bodies of both APIs.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { countTokensRequestSchema } from '../../../dataplane/api/anthropic-messages.js';
import { chatRequestSchema } from '../../../dataplane/api/openai-chat.js';
import { chatToolChoiceMisfit, messagesToolChoiceMisfit } from '../../../dataplane/api/tool-choice.js';

const chat = (extra: Record<string, unknown>) =>
  chatRequestSchema.parse({ model: 'm', messages: [{ role: 'user', content: 'hi' }], ...extra });
const messages = (extra: Record<string, unknown>) =>
  countTokensRequestSchema.parse({ model: 'm', messages: [{ role: 'user', content: 'hi' }], ...extra });

const fn = (name: string) => ({ type: 'function', function: { name } });
const custom = (name: string) => ({ type: 'custom', custom: { name } });

describe('tool_choice against tools', () => {
  it('chat: auto and none never refuse; required needs a tool', () => {
    assert.equal(chatToolChoiceMisfit(chat({})), undefined);
    assert.equal(chatToolChoiceMisfit(chat({ tool_choice: 'auto' })), undefined);
    assert.equal(chatToolChoiceMisfit(chat({ tool_choice: 'none' })), undefined);
    assert.equal(chatToolChoiceMisfit(chat({ tool_choice: 'required' }))?.param, 'tool_choice');
    assert.equal(chatToolChoiceMisfit(chat({ tool_choice: 'required', tools: [] }))?.param, 'tool_choice');
    assert.equal(chatToolChoiceMisfit(chat({ tool_choice: 'required', tools: [fn('a')] })), undefined);
  });

  it('chat: a named function or custom tool must be offered, as that kind', () => {
    const tools = [fn('a'), custom('b')];
    assert.equal(chatToolChoiceMisfit(chat({ tools, tool_choice: fn('a') })), undefined);
    assert.equal(chatToolChoiceMisfit(chat({ tools, tool_choice: custom('b') })), undefined);
    const wrongKind = chatToolChoiceMisfit(chat({ tools, tool_choice: fn('b') }));
    assert.equal(wrongKind?.param, 'tool_choice.function.name');
    assert.equal(wrongKind?.status, 400);
    assert.equal(
      chatToolChoiceMisfit(chat({ tools, tool_choice: custom('a') }))?.param,
      'tool_choice.custom.name',
    );
    // allowed_tools is left to the upstream that understands it.
    const allowed = { type: 'allowed_tools', allowed_tools: { mode: 'auto', tools: [fn('zzz')] } };
    assert.equal(chatToolChoiceMisfit(chat({ tools, tool_choice: allowed })), undefined);
  });

  it('messages: any needs a tool; tool needs a name that is offered', () => {
    const tools = [{ name: 'a', input_schema: { type: 'object' } }];
    assert.equal(messagesToolChoiceMisfit(messages({ tool_choice: { type: 'auto' } })), undefined);
    assert.equal(messagesToolChoiceMisfit(messages({ tool_choice: { type: 'none' } })), undefined);
    assert.equal(messagesToolChoiceMisfit(messages({ tool_choice: { type: 'any' } }))?.param, 'tool_choice');
    assert.equal(messagesToolChoiceMisfit(messages({ tools, tool_choice: { type: 'any' } })), undefined);
    assert.equal(
      messagesToolChoiceMisfit(messages({ tools, tool_choice: { type: 'tool', name: 'a' } })),
      undefined,
    );
    assert.equal(
      messagesToolChoiceMisfit(messages({ tools, tool_choice: { type: 'tool' } }))?.param,
      'tool_choice.name',
    );
    const other = messagesToolChoiceMisfit(messages({ tools, tool_choice: { type: 'tool', name: 'b' } }));
    assert.equal(other?.param, 'tool_choice.name');
    assert.match(other?.message ?? '', /'b', which is not in 'tools'/);
  });

  it('messages: tools an MCP server or a toolset brings are not listed, so their names are not checked', () => {
    const toolset = [{ type: 'mcp_toolset', mcp_server_name: 'docs' }];
    assert.equal(
      messagesToolChoiceMisfit(messages({ tools: toolset, tool_choice: { type: 'any' } })),
      undefined,
    );
    assert.equal(
      messagesToolChoiceMisfit(
        messages({ tools: toolset, tool_choice: { type: 'tool', name: 'search_docs' } }),
      ),
      undefined,
    );
    const servers = [{ type: 'url', url: 'https://mcp.example/sse', name: 'docs' }];
    assert.equal(
      messagesToolChoiceMisfit(messages({ mcp_servers: servers, tool_choice: { type: 'any' } })),
      undefined,
    );
    // Still needs a name to force one tool.
    assert.equal(
      messagesToolChoiceMisfit(messages({ mcp_servers: servers, tool_choice: { type: 'tool' } }))?.param,
      'tool_choice.name',
    );
    // A client tool without a name is still refused by the schema.
    assert.equal(
      countTokensRequestSchema.safeParse({
        model: 'm',
        messages: [{ role: 'user', content: 'hi' }],
        tools: [{ input_schema: {} }],
      }).success,
      false,
    );
  });

  it('a long name is clipped in the message', () => {
    const name = 'x'.repeat(10_000);
    const error = chatToolChoiceMisfit(chat({ tools: [fn('a')], tool_choice: fn(name) }));
    assert.ok(error !== undefined && error.message.length < 200, error?.message);
  });
});
