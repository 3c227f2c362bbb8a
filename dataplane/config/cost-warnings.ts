// Cost budgets count what pricing says a request cost: a model without `pricing` (or priced at 0) costs
// nothing, so traffic to it never reaches a cost budget. Legitimate for a free self-hosted model; a mistake
// for an alias of a paid one. Reported at start and on every applied reload, never refused.
import { limitSpecs } from './limit-specs.js';
import type { GatewayConfig } from './schema.js';

/** Ids of the models that count $0 against the config's cost budgets; empty when it has none. */
export function freeUnderCostBudgets(config: GatewayConfig): string[] {
  if (![...limitSpecs(config)].some((spec) => spec.cost_usd !== undefined)) return [];
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
