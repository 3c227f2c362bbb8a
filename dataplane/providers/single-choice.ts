// Providers that answer with one choice refuse `n > 1` with a 400 naming the parameter, rather than answering
// one choice where the client asked for several.
import type { ChatRequest } from '../api/openai-chat.js';
import { GatewayError } from '../errors/gateway-error.js';

/** Throws `unsupported_operation` (param `n`) when the request asks for more than one choice; `who` answers. */
export function requireSingleChoice(req: Pick<ChatRequest, 'n'>, who: string): void {
  if (req.n !== undefined && req.n !== null && req.n > 1) {
    throw new GatewayError('unsupported_operation', `${who} return a single choice: n must be 1.`, {
      param: 'n',
    });
  }
}
