// GET /v1/models and GET /v1/models/{id}: the models this gateway serves (once identities exist, only those the
// caller may use), in OpenAI's shape, or in Anthropic's when the request carries `anthropic-version` (what
// Anthropic's SDKs send), so that both SDKs' `models.list()` and `models.retrieve()` work.
import { canSee } from '../../auth/index.js';
import type { RoutableModel } from '../../config/runtime.js';
import type { Stage } from '../compose.js';
import { modelNotFound } from '../model-not-found.js';

const PREFIX = '/v1/models/';

export function listModelsStage(): Stage {
  return {
    name: 'models',
    run(ctx) {
      const identity = ctx.identity;
      const visible = (model: RoutableModel | undefined): model is RoutableModel =>
        model !== undefined && (identity === undefined || canSee(identity, model.id));
      const anthropic = ctx.headers['anthropic-version'] !== undefined;
      const shape = (model: RoutableModel): { id: string } =>
        anthropic ? anthropicModel(model) : openAIModel(model);
      let body: object;
      if (ctx.path.startsWith(PREFIX)) {
        // Ids may hold slashes (`meta-llama/Llama-3.1-8B`): the SDKs send them percent-encoded, or not.
        // The path may carry a query (`?api-version=…` from Azure-style clients): the id ends before it.
        const rest = ctx.path.slice(PREFIX.length);
        const query = rest.indexOf('?');
        const id = decoded(query === -1 ? rest : rest.slice(0, query));
        const model = ctx.runtime.models.get(id);
        if (!visible(model)) throw modelNotFound(id);
        body = shape(model);
      } else {
        const data = [...ctx.runtime.models.values()].filter(visible).map(shape);
        body = anthropic
          ? { data, has_more: false, first_id: data[0]?.id ?? null, last_id: data.at(-1)?.id ?? null }
          : { object: 'list', data };
      }
      ctx.response = { kind: 'json', status: 200, body: JSON.stringify(body) };
      return Promise.resolve();
    },
  };
}

function openAIModel(model: RoutableModel) {
  return { id: model.id, object: 'model' as const, created: 0, owned_by: model.provider.id };
}

function anthropicModel(model: RoutableModel) {
  return { type: 'model' as const, id: model.id, display_name: model.id, created_at: EPOCH };
}

/** The gateway does not know when a model was released; both APIs require a time, so it says the epoch. */
const EPOCH = new Date(0).toISOString();

function decoded(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}
