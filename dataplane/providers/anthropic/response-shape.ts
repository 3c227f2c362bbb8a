// The fields the translations read from an upstream's 200 answer, checked before they are read: a body
// without them is the upstream's fault (502 upstream_invalid_response), not a gateway bug (500).
import { z } from 'zod';
import type { ChatCompletion } from '../../api/openai-chat.js';
import type { AnthropicMessage } from '../../api/anthropic-messages.js';
import { GatewayError } from '../../errors/gateway-error.js';

const anthropicMessageShape = z.looseObject({
  id: z.string(),
  model: z.string(),
  content: z.array(
    z.union([
      z.looseObject({ type: z.literal('text'), text: z.string() }),
      z.looseObject({ type: z.literal('tool_use'), id: z.string(), name: z.string() }),
      z.looseObject({ type: z.string().refine((t) => t !== 'text' && t !== 'tool_use') }),
    ]),
  ),
  // Some Anthropic-compatible servers leave usage out; the translation then reports zero.
  usage: z.looseObject({}).nullish(),
});

const chatCompletionShape = z.looseObject({
  id: z.string(),
  choices: z
    .array(
      z.looseObject({
        message: z.looseObject({
          tool_calls: z
            .array(z.looseObject({ id: z.string(), function: z.looseObject({ name: z.string() }) }))
            .nullish(),
        }),
      }),
    )
    .min(1),
});

/** The body, checked; typed as the upstream claims until then. A missing usage becomes zero usage. */
export function checkAnthropicMessage(body: unknown): AnthropicMessage {
  const result = anthropicMessageShape.safeParse(body);
  if (!result.success) throw invalid('message', result.error);
  const message = body as AnthropicMessage;
  return result.data.usage === undefined || result.data.usage === null
    ? { ...message, usage: { input_tokens: 0, output_tokens: 0 } }
    : message;
}

export function checkChatCompletion(body: unknown): ChatCompletion {
  const result = chatCompletionShape.safeParse(body);
  if (!result.success) throw invalid('chat completion', result.error);
  return body as ChatCompletion;
}

function invalid(what: string, error: z.ZodError): GatewayError {
  const issue = error.issues[0];
  const at = issue === undefined || issue.path.length === 0 ? '' : ` (at ${issue.path.join('.')})`;
  return new GatewayError(
    'upstream_invalid_response',
    `The upstream's answer is not a well-formed ${what}${at}.`,
    { cause: error },
  );
}
