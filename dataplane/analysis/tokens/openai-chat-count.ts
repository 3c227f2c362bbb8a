// Prompt tokens of an OpenAI Chat Completions body: message framing per OpenAI's cookbook (3 per message,
// 1 per name, 3 priming the reply), function/tool definitions as the injected namespace, images per formula.
import { formatFunctionNamespace, type FunctionDefinition } from './function-format.js';
import type { ImageDetail } from './image-tokens.js';
import { asArray, asString, isObject, type JsonObject } from './json.js';
import { Tally, type Counted } from './tally.js';

export interface ChatCountDeps {
  /** Tokens of one piece of text (fractional when an estimate scales it). */
  countText(text: string): Counted;
  image(url: string, detail: ImageDetail): Counted;
  /** gpt-3.5-turbo-0301 framing: 4 tokens per message, and a name replaces the role (-1). */
  legacyFraming: boolean;
}

// Empirical framing constants of the injected function namespace, pinned by the 32 gpt-4o test vectors.
const REPLY_PRIMING = 3;
const FUNCTIONS_FRAMING = 9;
const SYSTEM_MERGE_SAVING = 4;
const FUNCTION_ROLE_SAVING = 2;
const FUNCTION_CALL_FRAMING = 3;
const FORCED_CALL_FRAMING = 4;
const CHOICE_NONE = 1;

function functionDefinitions(body: JsonObject, tally: Tally, deps: ChatCountDeps): FunctionDefinition[] {
  const defs: FunctionDefinition[] = [];
  const fromEntry = (entry: unknown) => {
    if (!isObject(entry) || typeof entry.name !== 'string') return tally.inexact();
    defs.push({ name: entry.name, description: asString(entry.description), parameters: entry.parameters });
  };
  for (const fn of asArray(body.functions)) fromEntry(fn);
  for (const tool of asArray(body.tools)) {
    // Non-function tools (custom, built-in) have no documented rendering: a custom tool's definition (name,
    // description, grammar) is counted as its JSON, so that a budget does not take a long one for nothing.
    if (isObject(tool) && tool.type === 'function') fromEntry(tool.function);
    else {
      tally.inexact();
      if (isObject(tool) && isObject(tool.custom)) tally.add(deps.countText(JSON.stringify(tool.custom)));
    }
  }
  return defs;
}

function isSystemRole(role: string | undefined): boolean {
  // o-series models take `developer` in the slot where others take `system`.
  return role === 'system' || role === 'developer';
}

function forcedChoiceTokens(choice: unknown, deps: ChatCountDeps, tally: Tally): void {
  if (choice === undefined || choice === null || choice === 'auto') return;
  if (choice === 'none') return tally.fixed(CHOICE_NONE);
  const name = isObject(choice)
    ? (asString(choice.name) ?? asString(asObject(choice.function)?.name))
    : undefined;
  if (name === undefined) return tally.inexact(); // 'required' and unknown forms: cost not pinned by vectors
  tally.add(deps.countText(name));
  tally.fixed(FORCED_CALL_FRAMING);
}

function asObject(value: unknown): JsonObject | undefined {
  return isObject(value) ? value : undefined;
}

function addContent(content: unknown, pad: boolean, deps: ChatCountDeps, tally: Tally): void {
  if (typeof content === 'string') return tally.add(deps.countText(pad ? `${content}\n` : content));
  const parts = asArray(content);
  // Parts are counted one by one; whether OpenAI joins several text parts first is not documented.
  if (parts.filter((p) => isObject(p) && p.type === 'text').length > 1) tally.inexact();
  let lastText = -1;
  parts.forEach((p, i) => {
    if (isObject(p) && p.type === 'text') lastText = i;
  });
  parts.forEach((part, i) => {
    if (!isObject(part)) return tally.inexact();
    if (part.type === 'text' && typeof part.text === 'string') {
      return tally.add(deps.countText(pad && i === lastText ? `${part.text}\n` : part.text));
    }
    if (part.type === 'refusal' && typeof part.refusal === 'string') {
      tally.inexact();
      return tally.add(deps.countText(part.refusal));
    }
    const image = asObject(part.image_url);
    if (part.type === 'image_url' && image !== undefined && typeof image.url === 'string') {
      const detail = image.detail === 'low' || image.detail === 'high' ? image.detail : 'auto';
      return tally.add(deps.image(image.url, detail));
    }
    // Audio and file parts: their cost depends on media we do not decode here (PDF pages, audio length).
    tally.notCounted();
  });
}

function addCall(fn: unknown, deps: ChatCountDeps, tally: Tally): void {
  const call = asObject(fn);
  tally.add(deps.countText(asString(call?.name) ?? ''));
  tally.add(deps.countText(asString(call?.arguments) ?? ''));
  tally.fixed(FUNCTION_CALL_FRAMING);
}

export function countChatPrompt(body: unknown, deps: ChatCountDeps): Counted {
  const tally = new Tally();
  if (!isObject(body)) return { tokens: 0, exact: false };
  const defs = functionDefinitions(body, tally, deps);
  const perMessage = deps.legacyFraming ? 4 : 3;
  const perName = deps.legacyFraming ? -1 : 1;
  // tool_call_id → function name, so tool results can be framed like the function messages they replace.
  const callNames = new Map<string, string>();
  let padded = false;
  let hasSystem = false;

  for (const raw of asArray(body.messages)) {
    if (!isObject(raw)) {
      tally.inexact();
      continue;
    }
    const role = asString(raw.role);
    tally.fixed(perMessage);
    tally.add(deps.countText(role ?? ''));
    // With functions present, the namespace follows the first system message after a newline.
    const pad = defs.length > 0 && isSystemRole(role) && !padded;
    if (pad) padded = true;
    if (isSystemRole(role)) hasSystem = true;
    addContent(raw.content, pad, deps, tally);

    let name = asString(raw.name);
    if (role === 'tool') {
      // Not pinned by vectors: counted as the equivalent legacy function-result message.
      tally.inexact();
      name ??= callNames.get(asString(raw.tool_call_id) ?? '');
    }
    if (name !== undefined && name !== '') {
      tally.add(deps.countText(name));
      tally.fixed(perName);
    }
    if (role === 'function' || role === 'tool') tally.fixed(-FUNCTION_ROLE_SAVING);
    if (isObject(raw.function_call)) addCall(raw.function_call, deps, tally);
    for (const call of asArray(raw.tool_calls)) {
      tally.inexact();
      const fn = asObject(asObject(call)?.function);
      const id = asString(asObject(call)?.id);
      const fnName = asString(fn?.name);
      if (id !== undefined && fnName !== undefined) callNames.set(id, fnName);
      addCall(fn, deps, tally);
      // A custom tool's call: its rendering is undocumented; its name and free-form input stand for it.
      const custom = asObject(asObject(call)?.custom);
      for (const text of [asString(custom?.name), asString(custom?.input)])
        if (text !== undefined) tally.add(deps.countText(text));
    }
    if (typeof raw.refusal === 'string' && raw.refusal !== '') {
      tally.inexact();
      tally.add(deps.countText(raw.refusal));
    }
  }
  tally.fixed(REPLY_PRIMING);

  if (defs.length > 0) {
    const namespace = formatFunctionNamespace(defs);
    if (!namespace.exact) tally.inexact();
    tally.add(deps.countText(namespace.text));
    tally.fixed(FUNCTIONS_FRAMING);
    if (hasSystem) tally.fixed(-SYSTEM_MERGE_SAVING);
    forcedChoiceTokens(body.tool_choice ?? body.function_call, deps, tally);
  }
  addResponseFormat(body.response_format, deps, tally);
  return tally.result();
}

/** Structured-output schemas are injected too, in an undocumented rendering: counted as their JSON. */
function addResponseFormat(format: unknown, deps: ChatCountDeps, tally: Tally): void {
  const spec = asObject(format);
  if (spec?.type !== 'json_schema') return;
  tally.inexact();
  tally.add(deps.countText(JSON.stringify(spec.json_schema ?? {})));
}
