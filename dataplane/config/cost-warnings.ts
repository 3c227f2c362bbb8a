// Cost budgets count what pricing says a request cost: a model without `pricing` (or priced at 0) costs
// nothing, so traffic to it never reaches a cost budget. Legitimate for a free self-hosted model; a mistake
// for an alias of a paid one. Reported at start and on every applied reload, never refused.
import type { LimitSpec } from '../limits/schema.js';
import type { GatewayConfig } from './schema.js';

function hasCostBudget(spec: LimitSpec | undefined): boolean {
  return spec?.cost_usd !== undefined;
}

function anyCostBudget(config: GatewayConfig): boolean {
  if (hasCostBudget(config.limits.global)) return true;
  for (const team of Object.values(config.teams)) {
    if (hasCostBudget(team.limits) || hasCostBudget(team.user_limits)) return true;
    for (const app of Object.values(team.apps)) {
      if (hasCostBudget(app.limits) || hasCostBudget(app.user_limits)) return true;
      if (app.keys.some((key) => hasCostBudget(key.limits))) return true;
    }
  }
  return false;
}

/** Ids of the models that count $0 against the config's cost budgets; empty when it has none. */
export function freeUnderCostBudgets(config: GatewayConfig): string[] {
  if (!anyCostBudget(config)) return [];
  return Object.entries(config.models)
    .filter(([, model]) => {
      const p = model.pricing;
      return (
        p.input_per_mtok === 0 &&
        p.output_per_mtok === 0 &&
        !(p.cached_input_per_mtok ?? 0) &&
        !(p.cache_write_per_mtok ?? 0)
      );
    })
    .map(([id]) => id);
}
