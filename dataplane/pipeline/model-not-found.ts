// The answer to a model id that names no model the caller may use, wherever one is looked up (the route of a
// request, GET /v1/models/{id}).
import { GatewayError } from '../errors/gateway-error.js';

/** An unknown id is the client's text, of any length: the message quotes at most 200 characters of it. */
export function modelNotFound(id: string): GatewayError {
  const shown = id.length > 200 ? `${id.slice(0, 200)}…` : id;
  return new GatewayError(
    'model_not_found',
    `The model '${shown}' does not exist or you do not have access to it.`,
    {
      param: 'model',
    },
  );
}
