// A router of the config made live: its targets resolved to models, and the part of it the analysis task
// needs (targets' tokenizers, thresholds) built once per config rather than per request.
import type { AnalysisTarget, ComplexityClass, RoutingRequest } from '../analysis/types.js';
import type { RoutableModel } from '../config/runtime.js';
import type { GatewayConfig, RouterConfig } from '../config/schema.js';
import { analysisTargetOf, sameTokenization } from './analysis-target.js';

export interface ComplexityRouter {
  /** The id clients send as `model`. */
  readonly id: string;
  readonly targets: Readonly<Record<ComplexityClass, RoutableModel>>;
  /** Sent with the analysis task, which picks the class and counts tokens for its target. */
  readonly routing: RoutingRequest;
  /**
   * The target the route stage holds until the analysis has chosen: the stages before it (the cache's
   * policy and prefetch) need a route, and the analysis counts the length feature with its tokenizer.
   */
  readonly provisional: RoutableModel;
}

const CLASSES: readonly ComplexityClass[] = ['simple', 'medium', 'complex'];

/** The config's schema has checked that every target is a chat model of `models`. */
export function buildRouters(
  config: GatewayConfig,
  models: ReadonlyMap<string, RoutableModel>,
): Map<string, ComplexityRouter> {
  const routers = new Map<string, ComplexityRouter>();
  for (const [id, router] of Object.entries(config.routers)) {
    routers.set(id, buildRouter(id, router, models, config.providers));
  }
  return routers;
}

function buildRouter(
  id: string,
  config: RouterConfig,
  models: ReadonlyMap<string, RoutableModel>,
  providers: GatewayConfig['providers'],
): ComplexityRouter {
  const resolve = (cls: ComplexityClass): RoutableModel => models.get(config.targets[cls])!;
  const targets = { simple: resolve('simple'), medium: resolve('medium'), complex: resolve('complex') };
  const provisional = targets.medium;
  const counted = analysisTargetOf(provisional, providers);
  const recount: Partial<Record<ComplexityClass, AnalysisTarget>> = {};
  for (const cls of CLASSES) {
    const target = analysisTargetOf(targets[cls], providers);
    if (!sameTokenization(counted, target)) recount[cls] = target;
  }
  const thresholds = { ...config.thresholds };
  return {
    id,
    targets,
    // Sent with every task of the router: kept as small as the targets allow.
    routing: Object.keys(recount).length === 0 ? { thresholds } : { thresholds, recount },
    provisional,
  };
}
