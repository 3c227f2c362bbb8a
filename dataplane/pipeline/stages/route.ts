// Routing: the requested model id names one configured model and its provider, or a complexity router, whose
// target the analysis chooses (route-by-complexity stage); until then the request holds a provisional target.
import { authorizeModel } from '../../auth/index.js';
import type { RoutableModel } from '../../config/runtime.js';
import { GatewayError } from '../../errors/gateway-error.js';
import type { Stage } from '../compose.js';
import { modelNotFound } from '../model-not-found.js';

export function routeStage(): Stage {
  return {
    name: 'route',
    run(ctx, next) {
      const input = ctx.input;
      if (input === undefined) return next();
      const id = input.body.model;
      const router = ctx.runtime.routers.get(id);
      const model: RoutableModel | undefined = router?.provisional ?? ctx.runtime.models.get(id);
      if (model === undefined) throw modelNotFound(id);
      // Access is granted to the id the client sends: a key allowed a router may reach each of its targets
      // through it (the router's owner chose them), not directly. Checked first: a caller not allowed the
      // model learns nothing more of it (not even its kind).
      if (ctx.identity !== undefined) authorizeModel(ctx.identity, id);
      const wantsEmbeddings = input.endpoint === 'embeddings';
      // Analysing an embeddings model's input as a chat is meaningless, so the same rule applies there.
      if (wantsEmbeddings !== (model.config.kind === 'embeddings')) {
        throw new GatewayError(
          'unsupported_operation',
          wantsEmbeddings
            ? `The model '${id}' is a chat model; it does not create embeddings.`
            : `The model '${model.id}' is an embeddings model; it does not chat.`,
          { param: 'model' },
        );
      }
      ctx.route = model;
      if (router === undefined) ctx.routeReason = 'static';
      else ctx.router = router;
      return next();
    },
  };
}
