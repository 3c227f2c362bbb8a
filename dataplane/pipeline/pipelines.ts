// The lifecycle, drawn in docs/lifecycle.md: record → respond → auth → parse → route →
// cache-prefetch → analyze → route-by-complexity → limits → cache → scan → dispatch. `record` is outermost so it sees every outcome; `respond` is
// the one error handler.
// route comes before analyze because the tokenizer depends on the model, and analyze before limits because
// budgets reserve the counted tokens.
import type { BodySink } from '../../analytics/bodies/record.js';
import type { RecordSink } from '../../analytics/record.js';
import { GatewayError } from '../errors/gateway-error.js';
import type { GatewayMetrics } from '../observability/gateway-metrics.js';
import type { Logger } from '../observability/logger.js';
import { compose, type Stage } from './compose.js';
import type { GatewayContext } from './context.js';
import { dispatchStage } from './stages/dispatch.js';
import { listModelsStage } from './stages/models.js';
import { parseStage } from './stages/parse.js';
import { analysisReportStage, analyzeStage, type AnalysisPool } from './stages/analyze.js';
import { authStage } from './stages/auth.js';
import { countTokensStage, providerCounts } from './stages/count-tokens.js';
import { limitsStage } from './stages/limits.js';
import { scanStage } from './stages/pass-through.js';
import { cachePrefetchStage } from './stages/cache-prefetch.js';
import { cacheStage } from './stages/cache.js';
import { cachePurgeStage } from './stages/cache-admin.js';
import type { ResponseCache } from '../cache/response-cache.js';
import { adminUsageStage, ownBudgetsStage } from './stages/usage.js';
import type { Limiter } from '../limits/limiter.js';
import { captureBodiesStage } from './stages/capture-bodies.js';
import { recordStage } from './stages/record.js';
import { rejectStage } from './stages/reject.js';
import { respondStage } from './stages/respond.js';
import { routeStage } from './stages/route.js';
import { routeByComplexityStage } from './stages/route-by-complexity.js';

export type Pipeline = (ctx: GatewayContext) => Promise<void>;

export interface Pipelines {
  /** chat completions, messages and embeddings. */
  readonly inference: Pipeline;
  readonly analyze: Pipeline;
  /** POST /v1/messages/count_tokens. */
  readonly countTokens: Pipeline;
  readonly models: Pipeline;
  readonly budgets: Pipeline;
  readonly adminUsage: Pipeline;
  /** DELETE /admin/cache. */
  readonly cachePurge: Pipeline;
  readonly notFound: Pipeline;
  readonly methodNotAllowed: Pipeline;
  readonly shuttingDown: Pipeline;
  /** Requests whose body framing is ambiguous (repeated Content-Length): refused, connection closed. */
  readonly ambiguousFraming: Pipeline;
  /** Stage names of the inference pipeline, in order (for docs and tests). */
  readonly inferenceStages: readonly string[];
}

export interface PipelineOptions {
  metrics: GatewayMetrics;
  logger: Logger;
  sinks: readonly RecordSink[];
  /** The audit log of bodies: present when analytics.bodies is on (fixed at start). */
  bodies?: { sinks: readonly BodySink[]; maxBytes: number };
  analysisPool: AnalysisPool;
  limiter: Limiter;
  /** Absent when the cache is off at start. */
  cache?: ResponseCache;
}

export function buildPipelines(options: PipelineOptions): Pipelines {
  const outer: Stage[] = [
    recordStage({ ...options, ...(options.bodies === undefined ? {} : { bodySinks: options.bodies.sinks }) }),
    respondStage({ logger: options.logger }),
  ];
  // Only the pipelines that parse a body capture one.
  const withBodies: Stage[] =
    options.bodies === undefined
      ? outer
      : [...outer, captureBodiesStage({ maxBytes: options.bodies.maxBytes })];
  const inference: Stage[] = [
    ...withBodies,
    authStage(options.metrics),
    parseStage(),
    routeStage(),
    cachePrefetchStage({ cache: options.cache }),
    analyzeStage({ pool: options.analysisPool, metrics: options.metrics }),
    routeByComplexityStage({ metrics: options.metrics }),
    limitsStage({ limiter: options.limiter, metrics: options.metrics }),
    cacheStage({ cache: options.cache, metrics: options.metrics }),
    scanStage(),
    dispatchStage(),
  ];
  return {
    inference: compose(inference),
    analyze: compose([
      ...withBodies,
      authStage(options.metrics),
      parseStage(),
      routeStage(),
      analyzeStage({ pool: options.analysisPool, metrics: options.metrics, wanted: () => true }),
      routeByComplexityStage({ metrics: options.metrics }),
      analysisReportStage(),
    ]),
    // Free, like Anthropic's: no budgets or cost (the limits stage applies only rpm and concurrency, before the
    // analysis, so a caller over its rate cannot fill the analysis pool with counts), no cache, no prompt scan
    // (nothing is generated).
    countTokens: compose([
      ...withBodies,
      authStage(options.metrics),
      parseStage(),
      routeStage(),
      limitsStage({ limiter: options.limiter, metrics: options.metrics }),
      analyzeStage({
        pool: options.analysisPool,
        metrics: options.metrics,
        wanted: (ctx) => ctx.router !== undefined || !providerCounts(ctx),
      }),
      routeByComplexityStage({ metrics: options.metrics }),
      countTokensStage(),
    ]),
    models: compose([...outer, authStage(options.metrics), listModelsStage()]),
    budgets: compose([...outer, authStage(options.metrics), ownBudgetsStage({ limiter: options.limiter })]),
    adminUsage: compose([
      ...outer,
      authStage(options.metrics),
      adminUsageStage({ limiter: options.limiter }),
    ]),
    cachePurge: compose([...outer, authStage(options.metrics), cachePurgeStage({ cache: options.cache })]),
    notFound: compose([
      ...outer,
      rejectStage((ctx) => new GatewayError('not_found', `Unknown route: ${ctx.method} ${ctx.path}.`)),
    ]),
    methodNotAllowed: compose([
      ...outer,
      rejectStage(
        (ctx) =>
          new GatewayError('method_not_allowed', `Method ${ctx.method} is not allowed on ${ctx.path}.`),
      ),
    ]),
    shuttingDown: compose([...outer, rejectStage(() => new GatewayError('shutting_down'))]),
    ambiguousFraming: compose([
      ...outer,
      rejectStage(
        (ctx) =>
          new GatewayError(
            'ambiguous_framing',
            ctx.framingProblem === undefined
              ? undefined
              : `${ctx.framingProblem}; its body cannot be framed safely, so the connection was closed without an answer.`,
          ),
      ),
    ]),
    inferenceStages: inference.map((s) => s.name),
  };
}
