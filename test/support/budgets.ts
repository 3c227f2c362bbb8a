// GET /v1/budgets as the tests read it: the caller's budget rows (docs/limits.md), and one day's token budget
// of a scope.
import assert from 'node:assert/strict';

export interface BudgetRow {
  scope: string;
  unit: 'tokens' | 'cost_usd';
  period: string;
  period_id: string;
  limit: number;
  used: number;
  reserved: number;
  resets_at: string;
}

export async function budgetRows(url: string, headers: Record<string, string> = {}): Promise<BudgetRow[]> {
  const response = await fetch(`${url}/v1/budgets`, { headers });
  const text = await response.text();
  assert.equal(response.status, 200, text);
  return (JSON.parse(text) as { data: BudgetRow[] }).data;
}

/** The day's token budget of `scope` as the caller sees it (`global`, `app:team/app`, ...); asserted present. */
export async function dayTokenBudget(
  url: string,
  headers: Record<string, string>,
  scope: string,
): Promise<BudgetRow> {
  const rows = await budgetRows(url, headers);
  const row = rows.find((r) => r.scope === scope && r.unit === 'tokens' && r.period === 'day');
  assert.ok(row !== undefined, `no day token budget for ${scope}: ${JSON.stringify(rows)}`);
  return row;
}
