// OpenAI and Azure refuse more than 4 stop sequences; self-hosted servers (vLLM and the like) have no limit.
import type { ChatRequestBody } from '../../api/openai-chat.js';
import { GatewayError } from '../../errors/gateway-error.js';

/** OpenAI's documented maximum for `stop`. */
const MAX_STOP_SEQUENCES = 4;

/**
 * Throws `invalid_request` naming `stop_sequences` when the request has more stop sequences than OpenAI takes.
 * The chat edge caps `stop` at 4 already, so more can only come from a translated Messages request: the
 * client's field is `stop_sequences`, and a 400 from OpenAI would name `stop`, which the client never sent.
 */
export function requireStopLimit(req: Pick<ChatRequestBody, 'stop'>): void {
  if (!Array.isArray(req.stop) || req.stop.length <= MAX_STOP_SEQUENCES) return;
  throw new GatewayError(
    'invalid_request',
    `stop_sequences has ${req.stop.length} entries; this model's provider accepts at most ${MAX_STOP_SEQUENCES}.`,
    { param: 'stop_sequences' },
  );
}
