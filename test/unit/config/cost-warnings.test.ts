// Models that cost nothing under cost budgets are named (found by black-box testing: an alias of a priced
// model without its own pricing was never charged, silently).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { freeUnderCostBudgets } from '../../../dataplane/config/cost-warnings.js';
import { parseConfig } from '../../../dataplane/config/load.js';

const models = {
  priced: { provider: 'simulator', pricing: { input_per_mtok: 1, output_per_mtok: 2 } },
  alias: { provider: 'simulator', upstream_model: 'priced' },
  cached_only: { provider: 'simulator', pricing: { cached_input_per_mtok: 0.5 } },
};
const config = (limits: Record<string, unknown>) =>
  parseConfig(
    {
      providers: { simulator: { type: 'simulator' } },
      models,
      teams: { acme: { models: ['*'], apps: { web: { limits } } } },
    },
    {},
    'test',
  );

describe('models free under cost budgets', () => {
  it('names the models without pricing when any scope has a cost budget', () => {
    assert.deepEqual(freeUnderCostBudgets(config({ cost_usd: { day: 5 } })), ['alias']);
  });

  it('names none without a cost budget (token budgets do not depend on prices)', () => {
    assert.deepEqual(freeUnderCostBudgets(config({ tokens: { day: 1000 }, rpm: 10 })), []);
  });
});
