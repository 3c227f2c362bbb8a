// The lifecycle, drawn in docs/lifecycle.md: record → respond → parse → auth → limits → analyze → cache →
// route → scan → dispatch. `record` is outermost so it sees every outcome; `respond` is the one error handler.
import type { RecordSink } from '../../analytics/record.js';
import { GatewayError } from '../errors/gateway-error.js';
import type { GatewayMetrics } from '../observability/gateway-metrics.js';
import type { Logger } from '../observability/logger.js';
import { compose, type Stage } from './compose.js';
import type { GatewayContext } from './context.js';
import { dispatchStage } from './stages/dispatch.js';
import { listModelsStage } from './stages/models.js';
import { parseStage } from './stages/parse.js';
import { analyzeStage, authStage, cacheStage, limitsStage, scanStage } from './stages/pass-through.js';
import { recordStage } from './stages/record.js';
import { rejectStage } from './stages/reject.js';
import { respondStage } from './stages/respond.js';
import { routeStage } from './stages/route.js';

export type Pipeline = (ctx: GatewayContext) => Promise<void>;

export interface Pipelines {
  /** chat completions, messages and embeddings. */
  readonly inference: Pipeline;
  readonly models: Pipeline;
  readonly notFound: Pipeline;
  readonly methodNotAllowed: Pipeline;
  readonly shuttingDown: Pipeline;
  /** Stage names of the inference pipeline, in order (for docs and tests). */
  readonly inferenceStages: readonly string[];
}

export function buildPipelines(options: {
  metrics: GatewayMetrics;
  logger: Logger;
  sinks: readonly RecordSink[];
}): Pipelines {
  const outer: Stage[] = [recordStage(options), respondStage({ logger: options.logger })];
  const inference: Stage[] = [
    ...outer,
    parseStage(),
    authStage(),
    limitsStage(),
    analyzeStage(),
    cacheStage(),
    routeStage(),
    scanStage(),
    dispatchStage(),
  ];
  return {
    inference: compose(inference),
    models: compose([...outer, authStage(), listModelsStage()]),
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
    inferenceStages: inference.map((s) => s.name),
  };
}
