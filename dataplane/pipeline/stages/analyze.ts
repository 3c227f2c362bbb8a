// Sends the request to the analysis worker pool once and keeps the result on the context for budgets,
// routing, security policy, the cache and the record. Disabled by config (pass-through deployments).
import type { Analysis, AnalysisRequest } from '../../analysis/types.js';
import type { GatewayMetrics } from '../../observability/gateway-metrics.js';
import { timed } from '../../observability/metrics.js';
import type { WorkerPool } from '../../workers/pool.js';
import { analysisRequestOf } from '../analysis-request.js';
import type { Stage } from '../compose.js';
import type { GatewayContext } from '../context.js';

export type AnalysisPool = WorkerPool<AnalysisRequest, Analysis>;

/**
 * Bodies from this size on are analysed with the request's signal, so a client that leaves cancels the task
 * (dropped from the queue, or its thread ended). Smaller ones finish in well under a millisecond; wiring an
 * abort listener into piscina would cost more CPU (~7 µs a task) than the abort could ever save.
 */
const ABORTABLE_BODY_BYTES = 64 * 1024;

export interface AnalyzeStageOptions {
  pool: AnalysisPool;
  metrics: GatewayMetrics;
  /**
   * Which requests are analysed; by default those `analysis.enabled` asks for, and every router's request
   * (its target is chosen by the analysis). /v1/analyze analyses all; a token count those its provider
   * cannot count.
   */
  wanted?: (ctx: GatewayContext) => boolean;
}

const byConfig = (ctx: GatewayContext): boolean =>
  ctx.runtime.config.analysis.enabled || ctx.router !== undefined;

export function analyzeStage(options: AnalyzeStageOptions): Stage {
  const { pool, metrics } = options;
  const wanted = options.wanted ?? byConfig;
  const observeWait = metrics.stageSeconds.bind({ stage: 'analyze' });
  return {
    name: 'analyze',
    async run(ctx, next) {
      const input = ctx.input;
      const route = ctx.route;
      if (input === undefined || route === undefined || !wanted(ctx)) return next();
      const signal = ctx.exchange.bytesIn >= ABORTABLE_BODY_BYTES ? ctx.signal : undefined;
      ctx.analysis = await timed(observeWait, () => pool.run(analysisRequestOf(ctx), signal));
      if (ctx.signal.aborted) throw ctx.signal.reason;
      // A count's prompt is counted among the findings when it is sent, not also when it is counted.
      if (ctx.endpoint === 'count_tokens') return next();
      for (const finding of ctx.analysis.pii) {
        metrics.analysisFindings.inc({
          kind: 'pii',
          type: finding.subtype ? `${finding.type}:${finding.subtype}` : finding.type,
        });
      }
      for (const signal of ctx.analysis.injection.signals)
        metrics.analysisFindings.inc({ kind: 'injection', type: signal });
      return next();
    },
  };
}

/** Terminal stage of POST /v1/analyze: the analysis itself is the answer; no model is called. */
export function analysisReportStage(): Stage {
  return {
    name: 'report',
    run(ctx) {
      const route = ctx.route!;
      const analysis = ctx.analysis!;
      const body = {
        ...(ctx.router === undefined ? {} : { router: ctx.router.id }),
        model: route.id,
        upstream_model: route.upstreamModel,
        provider: route.provider.id,
        ...analysis,
        // The chosen target's id beside the class (the worker reports the class; the target is config's).
        ...(analysis.routing === undefined ? {} : { routing: { ...analysis.routing, model: route.id } }),
      };
      ctx.response = { kind: 'json', status: 200, body: JSON.stringify(body) };
      return Promise.resolve();
    },
  };
}
