// GET /v1/models: the models this gateway serves (once identities exist, only those the caller may use).
import type { Stage } from '../compose.js';

export function listModelsStage(): Stage {
  return {
    name: 'models',
    run(ctx) {
      const data = [...ctx.runtime.models.values()].map((model) => ({
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
