// Estimated prompt tokens of an Anthropic Messages body. Claude's tokenizer is not public, so text is counted
// with a stand-in encoding (scaled by the caller); tool-use system prompts and images use Anthropic's numbers.
import { imageSizeFromBase64 } from './image-size.js';
import { anthropicImageTokens } from './image-tokens.js';
import { asArray, asString, isObject, type JsonObject } from './json.js';
import { normalizeModel } from './model-encoding.js';
import { Tally, type Counted } from './tally.js';

export interface MessagesCountDeps {
  countText(text: string): Counted;
  model: string;
  /** Add Claude's hidden tool-use system prompt (not when a Messages body goes to a non-Anthropic upstream). */
  claudeToolPrompt: boolean;
}

// Role markers and turn separators around each message, and the prompt's start and end: a few Claude tokens,
// chosen so that Anthropic's count_tokens example (a short system prompt and one message: 14) comes out close.
const PER_MESSAGE = 3;
const PER_REQUEST = 3;
const PER_TOOL_CALL = 3;

// Anthropic's documented tool-use system prompt sizes: [auto/none, any/tool]; newer models share one pair.
const TOOL_PROMPTS: readonly (readonly [RegExp, number, number])[] = [
  [/^claude-3-opus/, 530, 281],
  [/^claude-3-sonnet/, 159, 235],
  [/^claude-3(-5)?-haiku/, 264, 340],
];
const TOOL_PROMPT_DEFAULT: readonly [number, number] = [346, 313];

function toolSystemPrompt(model: string, choice: unknown): number {
  const name = normalizeModel(model);
  const row = TOOL_PROMPTS.find(([pattern]) => pattern.test(name));
  const [auto, forced] = row ? [row[1], row[2]] : TOOL_PROMPT_DEFAULT;
  const type = isObject(choice) ? choice.type : undefined;
  return type === 'any' || type === 'tool' ? forced : auto;
}

function imageTokens(block: JsonObject): number {
  const source = isObject(block.source) ? block.source : {};
  const data = source.type === 'base64' ? asString(source.data) : undefined;
  return anthropicImageTokens(data === undefined ? undefined : imageSizeFromBase64(data));
}

function addBlocks(content: unknown, deps: MessagesCountDeps, tally: Tally): void {
  if (typeof content === 'string') return tally.add(deps.countText(content));
  for (const block of asArray(content)) {
    if (!isObject(block)) continue;
    switch (block.type) {
      case 'text':
        tally.add(deps.countText(asString(block.text) ?? ''));
        break;
      case 'thinking':
        tally.add(deps.countText(asString(block.thinking) ?? ''));
        break;
      case 'image':
        tally.fixed(imageTokens(block));
        break;
      case 'tool_use':
        tally.add(deps.countText(asString(block.name) ?? ''));
        tally.add(deps.countText(JSON.stringify(block.input ?? {})));
        tally.fixed(PER_TOOL_CALL);
        break;
      case 'tool_result':
        addBlocks(block.content, deps, tally);
        tally.fixed(PER_TOOL_CALL);
        break;
      case 'document': {
        // Plain-text and content documents are counted; PDFs (1.5-3k tokens a page) are not decoded here.
        const source = isObject(block.source) ? block.source : {};
        if (source.type === 'text') tally.add(deps.countText(asString(source.data) ?? ''));
        else if (source.type === 'content') addBlocks(source.content, deps, tally);
        else tally.notCounted();
        break;
      }
      default:
        // Unknown blocks (server tool results, redacted thinking, ...): their JSON approximates their size.
        tally.add(deps.countText(JSON.stringify(block)));
    }
  }
}

/** Always an estimate: the result carries exact: false. */
export function countMessagesPrompt(body: unknown, deps: MessagesCountDeps): Counted {
  const tally = new Tally();
  if (!isObject(body)) return { tokens: 0, exact: false };
  tally.fixed(PER_REQUEST);
  addBlocks(body.system, deps, tally);
  for (const message of asArray(body.messages)) {
    if (!isObject(message)) continue;
    tally.fixed(PER_MESSAGE);
    addBlocks(message.content, deps, tally);
  }
  const tools = asArray(body.tools);
  if (tools.length > 0) {
    if (deps.claudeToolPrompt) tally.fixed(toolSystemPrompt(deps.model, body.tool_choice));
    for (const tool of tools) {
      if (!isObject(tool)) continue;
      const { name, description, input_schema: schema, ...rest } = tool;
      tally.add(deps.countText(asString(name) ?? ''));
      tally.add(deps.countText(asString(description) ?? ''));
      // Server tools (web search, bash, ...) have no schema; their remaining fields stand in for it.
      tally.add(deps.countText(JSON.stringify(schema ?? rest)));
    }
  }
  return tally.result(false);
}
