// Which tiktoken encoding an OpenAI model name uses, by family prefix (dated snapshots and suffixes included).
// Facts from OpenAI's tiktoken model table: gpt-4o/4.1/4.5/5 and the o-series use o200k_base; gpt-4/3.5 cl100k_base.
import type { EncodingName } from './encoder-cache.js';

export interface ModelEncoding {
  readonly encoding: EncodingName;
  /** False when the name matched no family: the encoding is then a guess (o200k, the current default). */
  readonly known: boolean;
}

// A family matches the whole name or the name followed by `-suffix` (dated snapshot, -mini, -preview, ...).
const FAMILIES: readonly (readonly [RegExp, EncodingName])[] = [
  [/^gpt-5(\.\d+)?(-|$)/, 'o200k_base'],
  [/^gpt-4\.1(-|$)/, 'o200k_base'],
  [/^gpt-4\.5(-|$)/, 'o200k_base'],
  [/^gpt-4o(-|$)/, 'o200k_base'],
  [/^chatgpt-4o(-|$)/, 'o200k_base'],
  [/^o[134](-|$)/, 'o200k_base'],
  [/^codex-mini(-|$)/, 'o200k_base'],
  [/^computer-use-preview(-|$)/, 'o200k_base'],
  [/^gpt-4(-|$)/, 'cl100k_base'],
  // Azure spells the family without the dot in model names.
  [/^gpt-3\.5-turbo(-|$)/, 'cl100k_base'],
  [/^gpt-35-turbo(-|$)/, 'cl100k_base'],
  [/^text-embedding-3-(small|large)$/, 'cl100k_base'],
  [/^text-embedding-ada-002$/, 'cl100k_base'],
];

/** Lower-cases and strips wrappers that do not change the tokenizer: `ft:` fine-tunes and `vendor/` prefixes. */
export function normalizeModel(model: string): string {
  let name = model.trim().toLowerCase();
  if (name.startsWith('ft:')) name = name.slice(3).split(':')[0] ?? name;
  const slash = name.lastIndexOf('/');
  if (slash >= 0) name = name.slice(slash + 1);
  return name;
}

export function encodingForModel(model: string): ModelEncoding {
  const name = normalizeModel(model);
  for (const [pattern, encoding] of FAMILIES) {
    if (pattern.test(name)) return { encoding, known: true };
  }
  return { encoding: 'o200k_base', known: false };
}

/** gpt-3.5-turbo-0301 framed messages differently (4 tokens per message, name replaces role). */
export function usesLegacyChatFraming(model: string): boolean {
  const name = normalizeModel(model);
  return name === 'gpt-3.5-turbo-0301' || name === 'gpt-35-turbo-0301';
}
