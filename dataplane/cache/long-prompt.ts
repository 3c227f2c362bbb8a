// A last user turn longer than the embedding model reads (max_input_chars, or max_tokens once tokenised).
// Embedding its beginning would match every prompt that begins the same way (a long document followed by
// different questions), so it is never cut at the model's limit. Instead, with `semantic.long_prompts:
// last_paragraph`, the model reads the turn's last paragraph (what follows its last line break: the question
// under the document, typically) and everything before it joins the partition's fingerprint. Two long prompts
// then match only when all but their last paragraphs are identical and those are paraphrases; the
// look-alike check compares the last paragraphs. The split point does not depend on the last paragraph's
// length, so "<document>\nHow do I …?" and "<document>\nHow can I …?" land in the same partition.
import { createHash } from 'node:crypto';
import type { CacheConfig } from './schema.js';

/** The text the semantic layer embeds and the fingerprint of what else conditions the answer. */
export interface SemanticInput {
  readonly text: string;
  readonly fingerprint: string;
}

export function splitLastParagraph(text: string): { head: string; tail: string } | undefined {
  const trimmed = text.trimEnd();
  const cut = trimmed.lastIndexOf('\n');
  if (cut === -1) return undefined;
  const head = trimmed.slice(0, cut);
  const tail = trimmed.slice(cut + 1).trim();
  // A tail of nothing but whitespace cannot be: `trimmed` ends in a character that is not.
  if (head.trim() === '') return undefined;
  return { head, tail };
}

/** The input's last paragraph, in a partition of its own head; undefined when the text has no line break. */
export function lastParagraphInput(input: SemanticInput): SemanticInput | undefined {
  const split = splitLastParagraph(input.text);
  if (split === undefined) return undefined;
  const fingerprint = createHash('sha256')
    .update(input.fingerprint)
    .update('\0head\0')
    .update(split.head)
    .digest('hex');
  return { text: split.tail, fingerprint };
}

/**
 * The text a prefetch should embed for this last user turn: the lookup's first attempt, as far as characters
 * tell (a turn too long only in tokens is found out by the model, during the lookup). Undefined: nothing.
 */
export function prefetchText(config: CacheConfig, text: string): string | undefined {
  if (text.length <= config.embeddings.max_input_chars) return text;
  return config.semantic.long_prompts === 'last_paragraph' ? splitLastParagraph(text)?.tail : undefined;
}
