// GET /v1/models: the models this gateway serves (once identities exist, only those the caller may use).
import { canSee } from '../../auth/index.js';
import type { Stage } from '../compose.js';

export function listModelsStage(): Stage {
  return {
    name: 'models',
    run(ctx) {
      const identity = ctx.identity;
      const visible = [...ctx.runtime.models.values()].filter(
        (m) => identity === undefined || canSee(identity, m.id),
      );
      const data = visible.map((model) => ({
        id: model.id,
        object: 'model' as const,
        created: 0,
        owned_by: model.provider.id,
      }));
      ctx.response = { kind: 'json', status: 200, body: JSON.stringify({ object: 'list', data }) };
      return Promise.resolve();
    },
  };
}
