// Terminal stage for requests refused before any work (unknown route, wrong method, draining): they still
// pass through respond and record, so every request leaves a record.
import type { GatewayError } from '../../errors/gateway-error.js';
import type { Stage } from '../compose.js';
import type { GatewayContext } from '../context.js';

export function rejectStage(error: (ctx: GatewayContext) => GatewayError): Stage {
  return {
    name: 'reject',
    run(ctx) {
      return Promise.reject(error(ctx));
    },
  };
}
