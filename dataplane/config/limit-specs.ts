// Every limit spec a config holds (global, team, team users, app, app users, key), for the checks that
// depend on which limits exist anywhere: cost budgets without prices, whether Redis is needed to serve.
import type { LimitSpec } from '../limits/schema.js';
import type { GatewayConfig } from './schema.js';

export function* limitSpecs(config: GatewayConfig): Generator<LimitSpec> {
  if (config.limits.global !== undefined) yield config.limits.global;
  for (const team of Object.values(config.teams)) {
    if (team.limits !== undefined) yield team.limits;
    if (team.user_limits !== undefined) yield team.user_limits;
    for (const app of Object.values(team.apps)) {
      if (app.limits !== undefined) yield app.limits;
      if (app.user_limits !== undefined) yield app.user_limits;
      for (const key of app.keys) if (key.limits !== undefined) yield key.limits;
    }
  }
}

/**
 * Whether some limit refuses requests when its backend cannot answer (`on_backend_error: closed` on a limit
 * that is set): then a replica without Redis cannot serve that traffic. When every limit fails open, requests
 * are served without Redis (uncounted), and taking the replica out of rotation would turn a counting outage
 * into an outage.
 */
export function limitsNeedBackend(config: GatewayConfig): boolean {
  for (const spec of limitSpecs(config)) {
    const rate = spec.rpm !== undefined || spec.tpm !== undefined || spec.concurrency !== undefined;
    const budget = spec.tokens !== undefined || spec.cost_usd !== undefined;
    if (rate && spec.on_backend_error.rate === 'closed') return true;
    if (budget && spec.on_backend_error.budget === 'closed') return true;
  }
  return false;
}
