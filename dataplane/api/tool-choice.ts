// A tool_choice that forces a tool the request does not offer: a named tool missing from `tools`, or "call some
// tool" with no tools at all. OpenAI and Anthropic refuse both with a 400. Checked at the edge, so the answer is
// the same whichever upstream the model is on (a translation would otherwise drop the choice, or send the
// upstream a request it refuses) and no budget is reserved for a call that cannot happen.
import { GatewayError } from '../errors/gateway-error.js';
import type { CountTokensRequest } from './anthropic-messages.js';
import type { ChatRequestBody } from './openai-chat.js';

const misfit = (message: string, param: string) => new GatewayError('invalid_request', message, { param });
const notOffered = (kind: string, name: string, param: string) =>
  misfit(`tool_choice names the ${kind} '${clip(name)}', which is not in 'tools'.`, param);

/** Chat Completions: `required` without tools; a function or custom tool named but not offered. */
export function chatToolChoiceMisfit(body: ChatRequestBody): GatewayError | undefined {
  const choice = body.tool_choice;
  if (choice === undefined || choice === 'auto' || choice === 'none') return undefined;
  const tools = body.tools ?? [];
  if (choice === 'required') {
    return tools.length === 0
      ? misfit("tool_choice 'required' needs at least one tool in 'tools'.", 'tool_choice')
      : undefined;
  }
  if (choice.type === 'function') {
    const name = choice.function.name;
    const offered = tools.some((tool) => tool.type === 'function' && tool.function.name === name);
    return offered ? undefined : notOffered('function', name, 'tool_choice.function.name');
  }
  if (choice.type === 'custom') {
    const name = choice.custom.name;
    const offered = tools.some((tool) => tool.type === 'custom' && tool.custom.name === name);
    return offered ? undefined : notOffered('custom tool', name, 'tool_choice.custom.name');
  }
  // allowed_tools lists a subset of `tools`: the upstream that understands it checks it.
  return undefined;
}

/**
 * Anthropic Messages (and count_tokens): `any` or `tool` without tools; a `tool` not offered, or unnamed. Tools
 * that MCP servers or toolsets bring are not listed in the request, so with either the names are not checked.
 */
export function messagesToolChoiceMisfit(body: CountTokensRequest): GatewayError | undefined {
  const choice = body.tool_choice;
  if (choice === undefined || choice.type === 'auto' || choice.type === 'none') return undefined;
  const tools = body.tools ?? [];
  if (choice.type === 'tool' && choice.name === undefined)
    return misfit("tool_choice of type 'tool' needs the tool's 'name'.", 'tool_choice.name');
  const servers = (body as { mcp_servers?: unknown }).mcp_servers;
  if ((Array.isArray(servers) && servers.length > 0) || tools.some((tool) => tool.name === undefined))
    return undefined;
  if (choice.type === 'any') {
    return tools.length === 0
      ? misfit("tool_choice of type 'any' needs at least one tool in 'tools'.", 'tool_choice')
      : undefined;
  }
  const name = choice.name ?? '';
  return tools.some((tool) => tool.name === name) ? undefined : notOffered('tool', name, 'tool_choice.name');
}

// A name is echoed to help the caller; a megabyte of it would not.
const clip = (name: string): string => (name.length > 64 ? `${name.slice(0, 64)}…` : name);
