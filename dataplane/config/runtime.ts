// A config turned into live objects: providers with their connection pools and a model table. Requests
// keep the runtime they started with, so a reload never changes a request half-way.
import type { GatewayConfig, ProviderConfig } from './schema.js';
import { createAuthenticator, type Authenticator, type AuthenticatorDeps } from '../auth/index.js';
import type { Identity } from '../auth/identity.js';
import type { LimitScope } from '../limits/limiter.js';
import { createScopeResolver } from '../limits/scopes.js';
import type { Provider, ResolvedModel } from '../providers/types.js';
import { createOpenAIProvider } from '../providers/openai/index.js';
import { createAnthropicProvider } from '../providers/anthropic/index.js';
import { createSimulatorProvider } from '../providers/simulator/index.js';
import { buildRouters, type ComplexityRouter } from '../routing/complexity-router.js';

export interface RoutableModel extends ResolvedModel {
  readonly provider: Provider;
}

export interface Runtime {
  readonly config: GatewayConfig;
  readonly models: ReadonlyMap<string, RoutableModel>;
  /** Model ids whose target the analysis chooses per request (`routers:`). */
  readonly routers: ReadonlyMap<string, ComplexityRouter>;
  readonly providers: ReadonlyMap<string, Provider>;
  readonly authenticator: Authenticator;
  /** The limit scopes (global, team, app, key, user) a request of this identity is counted in. */
  readonly scopes: (identity: Identity | undefined) => readonly LimitScope[];
  /**
   * This runtime is now the live one (at start, or a reload that passed every check): state shared across
   * configs, the remote JWKS, is updated only now, so that a refused reload leaves it as it was.
   */
  activate(): void;
  /** A request starts using this runtime (it keeps it to its end, whatever reloads happen meanwhile). */
  acquire(): void;
  /** That request is over. */
  release(): void;
  /**
   * A reload replaced this runtime: its providers' pools close when the last request that acquired it is
   * over (at once if none), so requests in flight finish on the config they started with.
   */
  retire(): Promise<void>;
  /** Closes the providers' pools now (shutdown, after the drain). */
  close(): Promise<void>;
}

export function createProvider(id: string, config: ProviderConfig): Provider {
  switch (config.type) {
    case 'openai':
    case 'azure-openai':
    case 'self-hosted':
      return createOpenAIProvider(id, config);
    case 'anthropic':
      return createAnthropicProvider(id, config);
    case 'simulator':
      return createSimulatorProvider(id, config);
  }
}

/** What outlives one config: remote JWKS (fetched keys must survive a reload) and who logs their failures. */
export type RuntimeDeps = Pick<AuthenticatorDeps, 'jwksSets' | 'onJwksFetchFailed'>;

export function buildRuntime(config: GatewayConfig, deps: RuntimeDeps = {}): Runtime {
  const providers = new Map<string, Provider>();
  for (const [id, providerConfig] of Object.entries(config.providers)) {
    providers.set(id, createProvider(id, providerConfig));
  }
  const models = new Map<string, RoutableModel>();
  for (const [id, model] of Object.entries(config.models)) {
    models.set(id, {
      id,
      upstreamModel: model.upstream_model ?? id,
      config: model,
      provider: providers.get(model.provider)!,
    });
  }
  let users = 0;
  let retired: (() => void) | undefined;
  let closed: Promise<void> | undefined;
  const close = () =>
    (closed ??= Promise.allSettled([...providers.values()].map((p) => p.close())).then(() => {}));
  const authenticator = createAuthenticator({ auth: config.auth, teams: config.teams }, deps);
  return {
    config,
    models,
    routers: buildRouters(config, models),
    providers,
    authenticator,
    scopes: createScopeResolver({ global: config.limits.global, teams: config.teams }),
    activate: () => authenticator.activate(),
    acquire() {
      users += 1;
    },
    release() {
      users -= 1;
      if (users === 0) retired?.();
    },
    retire() {
      if (users === 0) return close();
      return new Promise<void>((resolve) => {
        retired = () => resolve(close());
      });
    },
    close,
  };
}
