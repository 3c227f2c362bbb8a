// GET /v1/models and GET /v1/models/{id}: the models this gateway serves (once identities exist, only those the
// caller may use), in OpenAI's shape, or in Anthropic's when the request carries `anthropic-version` (what
// Anthropic's SDKs send), so that both SDKs' `models.list()` and `models.retrieve()` work.
import { canSee } from '../../auth/index.js';
import type { Runtime } from '../../config/runtime.js';
import type { Stage } from '../compose.js';
import { GatewayError } from '../../errors/gateway-error.js';
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
        const all = ids.map((id) => listed(ctx.runtime, id)).filter(visible);
        if (anthropic) {
          const mark = ctx.path.indexOf('?');
          const query = new URLSearchParams(mark === -1 ? '' : ctx.path.slice(mark + 1));
          const page = anthropicPage(all, query);
          const data = page.items.map(anthropicModel);
          body = {
            data,
            has_more: page.hasMore,
            first_id: data[0]?.id ?? null,
            last_id: data.at(-1)?.id ?? null,
          };
        } else body = { object: 'list', data: all.map(openAIModel) };
      }
      ctx.response = { kind: 'json', status: 200, body: JSON.stringify(body) };
      return Promise.resolve();
    },
  };
}

/** Anthropic's page size when the request names none, and the most it allows. */
const ANTHROPIC_DEFAULT_LIMIT = 20;
const ANTHROPIC_MAX_LIMIT = 1000;

/**
 * One page of Anthropic's cursor pagination (`limit`, `after_id`, `before_id`), over the list in config order.
 * The SDKs page on by `last_id` while `has_more`; a cursor that is not in the list is a 400 (a model removed
 * by a reload between two pages: the client starts again rather than skipping or repeating models).
 */
function anthropicPage(
  all: readonly Listed[],
  query: URLSearchParams,
): { items: readonly Listed[]; hasMore: boolean } {
  for (const name of ['limit', 'after_id', 'before_id']) {
    if (query.getAll(name).length > 1)
      throw new GatewayError('invalid_request', `The query parameter '${name}' is repeated.`, {
        param: name,
      });
  }
  const limitText = query.get('limit');
  // Digits only: Number() would also take "2.0", "1e1", "0x3" and " 2".
  const limit =
    limitText === null ? ANTHROPIC_DEFAULT_LIMIT : /^\d{1,4}$/.test(limitText) ? Number(limitText) : NaN;
  if (!Number.isInteger(limit) || limit < 1 || limit > ANTHROPIC_MAX_LIMIT) {
    throw new GatewayError(
      'invalid_request',
      `limit must be a whole number from 1 to ${ANTHROPIC_MAX_LIMIT}.`,
      { param: 'limit' },
    );
  }
  const after = query.get('after_id');
  const before = query.get('before_id');
  if (after !== null && before !== null) {
    throw new GatewayError('invalid_request', 'Give after_id or before_id, not both.', {
      param: 'before_id',
    });
  }
  const at = (param: string, id: string): number => {
    const index = all.findIndex((model) => model.id === id);
    if (index === -1) {
      throw new GatewayError(
        'invalid_request',
        `${param} '${id.slice(0, 200)}' is not a model in this list.`,
        {
          param,
        },
      );
    }
    return index;
  };
  if (before !== null) {
    // The page that ends just before the cursor; has_more says whether models come before it.
    const end = at('before_id', before);
    const start = Math.max(0, end - limit);
    return { items: all.slice(start, end), hasMore: start > 0 };
  }
  const start = after === null ? 0 : at('after_id', after) + 1;
  return { items: all.slice(start, start + limit), hasMore: start + limit < all.length };
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
