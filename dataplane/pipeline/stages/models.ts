// GET /v1/models and GET /v1/models/{id}: the models this gateway serves (once identities exist, only those the
// caller may use), in OpenAI's shape, or in Anthropic's when the request carries `anthropic-version` (what
// Anthropic's SDKs send), so that both SDKs' `models.list()` and `models.retrieve()` work.
import { canSee } from '../../auth/index.js';
import type { Runtime } from '../../config/runtime.js';
import type { Stage } from '../compose.js';
import { modelNotFound } from '../model-not-found.js';

const PREFIX = '/v1/models/';

/** A model id clients may send: a configured model (owned by its provider) or a router (by the gateway). */
interface Listed {
  readonly id: string;
  readonly ownedBy: string;
}

/** Routers are owned by the gateway itself: it, not one provider, decides where their requests go. */
const ROUTER_OWNER = 'gateway';

function listed(runtime: Runtime, id: string): Listed | undefined {
  const model = runtime.models.get(id);
  if (model !== undefined) return { id, ownedBy: model.provider.id };
  return runtime.routers.has(id) ? { id, ownedBy: ROUTER_OWNER } : undefined;
}

export function listModelsStage(): Stage {
  return {
    name: 'models',
    run(ctx) {
      const identity = ctx.identity;
      const visible = (model: Listed | undefined): model is Listed =>
        model !== undefined && (identity === undefined || canSee(identity, model.id));
      const anthropic = ctx.headers['anthropic-version'] !== undefined;
      const shape = (model: Listed): { id: string } =>
        anthropic ? anthropicModel(model) : openAIModel(model);
      let body: object;
      if (ctx.path.startsWith(PREFIX)) {
        // Ids may hold slashes (`meta-llama/Llama-3.1-8B`): the SDKs send them percent-encoded, or not.
        // The path may carry a query (`?api-version=…` from Azure-style clients): the id ends before it.
        const rest = ctx.path.slice(PREFIX.length);
        const query = rest.indexOf('?');
        const id = decoded(query === -1 ? rest : rest.slice(0, query));
        const model = listed(ctx.runtime, id);
        if (!visible(model)) throw modelNotFound(id);
        body = shape(model);
      } else {
        const ids = [...ctx.runtime.models.keys(), ...ctx.runtime.routers.keys()];
        const data = ids
          .map((id) => listed(ctx.runtime, id))
          .filter(visible)
          .map(shape);
        body = anthropic
          ? { data, has_more: false, first_id: data[0]?.id ?? null, last_id: data.at(-1)?.id ?? null }
          : { object: 'list', data };
      }
      ctx.response = { kind: 'json', status: 200, body: JSON.stringify(body) };
      return Promise.resolve();
    },
  };
}

function openAIModel(model: Listed) {
  return { id: model.id, object: 'model' as const, created: 0, owned_by: model.ownedBy };
}

function anthropicModel(model: Listed) {
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
