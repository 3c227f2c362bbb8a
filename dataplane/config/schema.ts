// The one config schema. Unknown keys are rejected everywhere (strictObject) and errors name the bad path.
import { z } from 'zod';
import { analyticsConfigSchema } from '../../analytics/config-schema.js';
import { cacheConfigSchema } from '../cache/schema.js';
import { limitsConfigSchema } from '../limits/schema.js';
import { authConfigSchema, teamsSchema } from './auth-schema.js';
import { routersSchema } from './routers-schema.js';

const ms = (fallback: number) => z.number().int().positive().default(fallback);

/** Upstream timeouts; each one maps to a 504 `upstream_timeout` when it fires. */
export const timeoutsSchema = z.strictObject({
  /** TCP + TLS connect, milliseconds. */
  connect_ms: ms(5_000),
  /** From request sent to response headers, milliseconds. */
  first_byte_ms: ms(120_000),
  /** Longest silence between two body chunks, milliseconds. */
  idle_ms: ms(60_000),
});

export const poolSchema = z.strictObject({
  /** Keep-alive sockets per upstream origin. */
  connections: z.number().int().positive().default(256),
  /** Idle keep-alive socket lifetime, milliseconds. */
  keep_alive_ms: ms(30_000),
});

const headersSchema = z.record(z.string(), z.string()).default({});

const common = {
  timeouts: timeoutsSchema.prefault({}),
  pool: poolSchema.prefault({}),
  /** Extra headers sent upstream on every call. */
  headers: headersSchema,
  /** Where this deployment runs (recorded with each request). */
  region: z.string().optional(),
};

export const openaiProviderSchema = z.strictObject({
  type: z.literal('openai'),
  base_url: z.url().default('https://api.openai.com/v1'),
  api_key: z.string().optional(),
  organization: z.string().optional(),
  project: z.string().optional(),
  ...common,
});

/** Azure OpenAI: the model's `upstream_model` is the deployment name. */
export const azureProviderSchema = z.strictObject({
  type: z.literal('azure-openai'),
  /** The resource endpoint, e.g. https://my-resource.openai.azure.com */
  base_url: z.url(),
  api_key: z.string(),
  api_version: z.string().default('2024-10-21'),
  ...common,
});

/** Any OpenAI-compatible server, e.g. vLLM, TGI, llama.cpp, Ollama. */
export const selfHostedProviderSchema = z.strictObject({
  type: z.literal('self-hosted'),
  base_url: z.url(),
  api_key: z.string().optional(),
  /**
   * How /v1/messages/count_tokens counts for its models: `estimate` (the analysis, the model's tokenizer being
   * unknown here) or `tokenize` (vLLM's `POST /tokenize`, beside `/v1`: the server's own chat template and
   * tokenizer, exact).
   */
  count_tokens: z.enum(['estimate', 'tokenize']).default('estimate'),
  ...common,
});

export const anthropicProviderSchema = z.strictObject({
  type: z.literal('anthropic'),
  base_url: z.url().default('https://api.anthropic.com'),
  api_key: z.string().optional(),
  /** anthropic-version header. */
  version: z.string().default('2023-06-01'),
  /** Default max_tokens when an OpenAI-shaped request omits it (Anthropic requires one). */
  default_max_tokens: z.number().int().positive().default(4096),
  /**
   * Beta features (`anthropic-beta` names) a client may ask for on /v1/messages; others it names are dropped.
   * Empty by default: some betas change pricing, reach the organisation's files, or make Anthropic fetch
   * URLs of the client's choosing.
   */
  client_betas: z.array(z.string().regex(/^[A-Za-z0-9._-]+$/)).default([]),
  ...common,
});

export const simulationSchema = z.strictObject({
  /** Delay before the first token, milliseconds. */
  ttft_ms: z.number().int().nonnegative().optional(),
  /** Output speed; 0 means as fast as possible. */
  tokens_per_second: z.number().nonnegative().optional(),
  /** Fixed answer text; by default the simulator writes a deterministic answer about the prompt. */
  answer: z.string().optional(),
  /** Number of output tokens when no fixed answer is set (capped by max_tokens). */
  output_tokens: z.number().int().positive().optional(),
});

export const simulatorProviderSchema = z.strictObject({
  type: z.literal('simulator'),
  ttft_ms: z.number().int().nonnegative().default(50),
  tokens_per_second: z.number().nonnegative().default(200),
  output_tokens: z.number().int().positive().default(32),
  answer: z.string().optional(),
  /** How long `sim-slow-first-byte` waits before its first byte, milliseconds. */
  slow_first_byte_ms: z.number().int().nonnegative().default(3_000),
  timeouts: timeoutsSchema.prefault({}),
  region: z.string().optional(),
});

export const providerSchema = z.discriminatedUnion('type', [
  openaiProviderSchema,
  azureProviderSchema,
  selfHostedProviderSchema,
  anthropicProviderSchema,
  simulatorProviderSchema,
]);

export const pricingSchema = z.strictObject({
  /** USD per 1M input tokens. */
  input_per_mtok: z.number().nonnegative().default(0),
  /** USD per 1M output tokens. */
  output_per_mtok: z.number().nonnegative().default(0),
  /** USD per 1M cached input tokens (prompt-cache reads); defaults to the input price. */
  cached_input_per_mtok: z.number().nonnegative().optional(),
  /** USD per 1M input tokens written to the prompt cache (Anthropic: 1.25× input for 5 minutes, 2× for 1 hour); defaults to the input price. */
  cache_write_per_mtok: z.number().nonnegative().optional(),
});

export const modelSchema = z.strictObject({
  provider: z.string().min(1),
  /** Name sent upstream; defaults to the model id. For Azure, the deployment name. */
  upstream_model: z.string().min(1).optional(),
  kind: z.enum(['chat', 'embeddings']).default('chat'),
  pricing: pricingSchema.prefault({}),
  context_window: z.number().int().positive().optional(),
  max_output_tokens: z.number().int().positive().optional(),
  /** Simulator knobs for this model (simulator provider only). */
  simulation: simulationSchema.optional(),
});

export const serverSchema = z.strictObject({
  /** Overridden by the HOST environment variable. */
  host: z.string().default('127.0.0.1'),
  /** Overridden by the PORT environment variable; 0 picks a free port. */
  port: z.number().int().min(0).max(65_535).default(8080),
  /** Largest accepted request body, bytes; larger gets 413. */
  max_body_bytes: z
    .number()
    .int()
    .positive()
    .default(16 * 1024 * 1024),
  /** How long SIGTERM waits for in-flight requests, milliseconds. */
  shutdown_grace_ms: z.number().int().nonnegative().default(30_000),
  /** Trust X-Forwarded-For for the client address. */
  trust_proxy: z.boolean().default(false),
  /**
   * Web origins whose browser requests are accepted (`*`: any). A request with an `Origin` header comes from a
   * web page; by default it is refused, so that a page cannot spend a caller's access (see docs/auth.md).
   */
  browser_origins: z
    .array(
      z.string().refine(
        (o) =>
          o === '*' ||
          o === 'null' ||
          (URL.canParse(o) && new URL(o).origin === o) ||
          // Extension and app schemes, whose URL origin Node reports as "null": scheme://host, lower case.
          (!/^https?:/.test(o) && /^[a-z][a-z0-9+.-]*:\/\/[^/?#\sA-Z]+$/.test(o)),
        'an origin is scheme://host[:port] as a browser sends it (no path, no trailing slash, lower case, no default port), or *',
      ),
    )
    .default([]),
});

const defaultProviders = { simulator: { type: 'simulator' as const } };
const defaultModels = {
  'sim-1': { provider: 'simulator' },
  'sim-embed': { provider: 'simulator', kind: 'embeddings' as const },
};

export const configSchema = z
  .strictObject({
    server: serverSchema.prefault({}),
    providers: z.record(z.string().min(1), providerSchema).prefault(defaultProviders),
    models: z.record(z.string().min(1), modelSchema).prefault(defaultModels),
    /** Model ids whose target is chosen per request (config/routers-schema.ts). */
    routers: routersSchema,
    auth: authConfigSchema.prefault({}),
    teams: teamsSchema,
    limits: limitsConfigSchema.prefault({}),
    workers: z
      .strictObject({
        /** Analysis worker threads; 0 = one per core but one (at least 1): the event loop keeps a core. At start. */
        threads: z.number().int().nonnegative().default(0),
        /** Tasks that may wait for a thread; beyond, requests get 503 `overloaded`. */
        max_queue: z.number().int().nonnegative().default(4096),
        /** Idle threads above the minimum exit after this long, milliseconds. */
        idle_timeout_ms: z.number().int().positive().default(60_000),
      })
      .prefault({}),
    analysis: z
      .strictObject({
        /** Analyse every chat/messages request (tokens, complexity, PII, injection) in the worker pool. */
        enabled: z.boolean().default(true),
      })
      .prefault({}),
    analytics: analyticsConfigSchema.prefault({}),
    cache: cacheConfigSchema.prefault({}),
    logging: z
      .strictObject({
        level: z.enum(['debug', 'info', 'warn', 'error']).default('info'),
        /** One JSON line per request on stdout. */
        access_log: z.boolean().default(false),
      })
      .prefault({}),
  })
  .superRefine((config, ctx) => {
    for (const [id, router] of Object.entries(config.routers)) {
      if (Object.hasOwn(config.models, id)) {
        ctx.addIssue({
          code: 'custom',
          path: ['routers', id],
          message: `"${id}" is also a model id: a router needs an id of its own`,
        });
      }
      for (const [cls, target] of Object.entries(router.targets)) {
        const model = Object.hasOwn(config.models, target) ? config.models[target] : undefined;
        const problem =
          model === undefined
            ? `unknown model "${target}" (known: ${Object.keys(config.models).join(', ')})`
            : model.kind === 'embeddings'
              ? `"${target}" is an embeddings model; a router's targets are chat models`
              : undefined;
        if (problem !== undefined)
          ctx.addIssue({ code: 'custom', path: ['routers', id, 'targets', cls], message: problem });
      }
    }
    for (const [id, model] of Object.entries(config.models)) {
      const provider = config.providers[model.provider];
      if (provider === undefined) {
        ctx.addIssue({
          code: 'custom',
          path: ['models', id, 'provider'],
          message:
            `unknown provider "${model.provider}" (known: ${Object.keys(config.providers).join(', ')})` +
            (id in defaultModels && model.provider === 'simulator'
              ? `; "${id}" is a default model, there because the config has no models: section (add one for your providers)`
              : ''),
        });
      } else if (model.simulation !== undefined && provider.type !== 'simulator') {
        ctx.addIssue({
          code: 'custom',
          path: ['models', id, 'simulation'],
          message: 'only models of a simulator provider take simulation settings',
        });
      } else if (model.kind === 'embeddings' && provider.type === 'anthropic') {
        ctx.addIssue({
          code: 'custom',
          path: ['models', id, 'kind'],
          message: 'Anthropic has no embeddings API',
        });
      }
    }
  });

export type GatewayConfig = z.infer<typeof configSchema>;
export type { RouterConfig } from './routers-schema.js';
export type ProviderConfig = z.infer<typeof providerSchema>;
export type ModelConfig = z.infer<typeof modelSchema>;
export type Pricing = z.infer<typeof pricingSchema>;
export type Timeouts = z.infer<typeof timeoutsSchema>;
export type Simulation = z.infer<typeof simulationSchema>;
