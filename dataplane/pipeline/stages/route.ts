// Static routing: the requested model id names one configured model and its provider.
import { authorizeModel } from '../../auth/index.js';
import { GatewayError } from '../../errors/gateway-error.js';
import type { Stage } from '../compose.js';
import { modelNotFound } from '../model-not-found.js';

export function routeStage(): Stage {
  return {
    name: 'route',
    run(ctx, next) {
      const input = ctx.input;
      if (input === undefined) return next();
      const model = ctx.runtime.models.get(input.body.model);
      if (model === undefined) throw modelNotFound(input.body.model);
      const wantsEmbeddings = input.endpoint === 'embeddings';
      // Analysing an embeddings model's input as a chat is meaningless, so the same rule applies there.
      if (wantsEmbeddings !== (model.config.kind === 'embeddings')) {
        throw new GatewayError(
          'unsupported_operation',
          wantsEmbeddings
            ? `The model '${model.id}' is a chat model; it does not create embeddings.`
            : `The model '${model.id}' is an embeddings model; it does not chat.`,
          { param: 'model' },
        );
      }
      if (ctx.identity !== undefined) authorizeModel(ctx.identity, model.id);
      ctx.route = model;
      return next();
    },
  };
}
