// The answer of a streamed response, assembled from its SSE frames (OpenAI chat chunks or Anthropic
// message events): the text an auditor reads, and the text PII redaction must see whole. In the frames, a
// value like an email address is split over several deltas, where no detector would find it.

interface ChatChunkLike {
  choices?: {
    index?: number;
    delta?: { content?: unknown; tool_calls?: { function?: { arguments?: unknown } }[] };
  }[];
}
interface MessagesEventLike {
  type?: unknown;
  delta?: { type?: unknown; text?: unknown; partial_json?: unknown };
}

/** The concatenated deltas, or undefined when the frames carry none (then the frames are stored as sent). */
export function assembleSseAnswer(frames: string): string | undefined {
  const parts: string[] = [];
  let found = false;
  for (const line of frames.split('\n')) {
    if (!line.startsWith('data:')) continue;
    const data = line.slice(5).trim();
    if (data === '' || data === '[DONE]') continue;
    let event: unknown;
    try {
      event = JSON.parse(data);
    } catch {
      // A frame cut by the capture bound, or not JSON: nothing to assemble from it.
      continue;
    }
    if (typeof event !== 'object' || event === null) continue;
    const chat = event as ChatChunkLike;
    if (Array.isArray(chat.choices)) {
      found = true;
      // The first choice only: with n > 1 the choices' deltas interleave, and one answer is what is audited.
      for (const choice of chat.choices) {
        if ((choice.index ?? 0) !== 0) continue;
        if (typeof choice.delta?.content === 'string') parts.push(choice.delta.content);
        // Tool calls: their argument fragments, so that an answer made only of calls is not empty.
        for (const call of choice.delta?.tool_calls ?? [])
          if (typeof call.function?.arguments === 'string') parts.push(call.function.arguments);
      }
      continue;
    }
    const message = event as MessagesEventLike;
    if (message.type === 'content_block_delta') {
      found = true;
      if (typeof message.delta?.text === 'string') parts.push(message.delta.text);
      else if (typeof message.delta?.partial_json === 'string') parts.push(message.delta.partial_json);
    }
  }
  return found ? parts.join('') : undefined;
}
