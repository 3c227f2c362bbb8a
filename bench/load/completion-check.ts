// Is a non-streamed 2xx body really a chat completion? Used by the start-up probe, and by the generator for
// an answer that lacks the expected content bytes (exchange.ts checks those first, without parsing). Cost: one
// JSON.parse of the body, paid on the generator's thread after the response's last byte, never in the
// measured latency.

/** Bodies larger than this are not kept whole; the answer counts as `bad_body`. */
export const MAX_CHECKED_BODY = 1 << 20;

export type BodyProblem = 'bad_body' | 'bad_content';

/**
 * `bad_body` unless the text is a JSON object whose `choices[0].message.content` is a string; `bad_content`
 * when `expectedContent` is given and differs (the mock's answer is known, and the targets pass it through).
 */
export function checkCompletionBody(
  text: string,
  expectedContent: string | undefined,
): BodyProblem | undefined {
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    return 'bad_body';
  }
  const content = completionContent(body);
  if (content === undefined) return 'bad_body';
  if (expectedContent !== undefined && content !== expectedContent) return 'bad_content';
  return undefined;
}

/** `choices[0].message.content` when it is a string. */
export function completionContent(body: unknown): string | undefined {
  if (typeof body !== 'object' || body === null) return undefined;
  const choices = (body as { choices?: unknown }).choices;
  if (!Array.isArray(choices) || choices.length === 0) return undefined;
  const first: unknown = choices[0];
  if (typeof first !== 'object' || first === null) return undefined;
  const message = (first as { message?: unknown }).message;
  if (typeof message !== 'object' || message === null) return undefined;
  const content = (message as { content?: unknown }).content;
  return typeof content === 'string' ? content : undefined;
}
