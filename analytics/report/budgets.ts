// Budget burn: what each team and app with a budget for the period has used, as a share of the budget, and
// where it ends up at the current pace (used / elapsed share of the period).
import type { TeamsConfig } from '../../dataplane/config/auth-schema.js';
import type { LimitSpec } from '../../dataplane/limits/schema.js';
import type { Period } from './period.js';

export interface SpendRow {
  team: string;
  app: string;
  total_tokens: number | string;
  cost_nano_usd: number | string;
}

export interface BudgetBurn {
  scope: 'team' | 'app';
  team: string;
  /** Empty for a team's own budget. */
  app: string;
  metric: 'tokens' | 'cost_usd';
  used: number;
  limit: number;
  /** used / limit, 0..∞. */
  used_ratio: number;
  /** Usage at the end of the period if the pace so far holds; null before any of the period elapsed. */
  projected: number | null;
  projected_ratio: number | null;
}

interface Usage {
  tokens: number;
  costUsd: number;
}

const NANO = 1e9;

export function budgetBurn(
  teams: TeamsConfig,
  period: Period,
  spend: readonly SpendRow[],
  elapsed: number,
): BudgetBurn[] {
  const byTeam = new Map<string, Usage>();
  const byApp = new Map<string, Usage>();
  for (const row of spend) {
    const tokens = Number(row.total_tokens);
    const costUsd = Number(row.cost_nano_usd) / NANO;
    add(byTeam, row.team, tokens, costUsd);
    add(byApp, appKey(row.team, row.app), tokens, costUsd);
  }
  const rows: BudgetBurn[] = [];
  for (const [team, teamConfig] of Object.entries(teams)) {
    rows.push(...burnOf('team', team, '', teamConfig.limits, period, byTeam.get(team), elapsed));
    for (const [app, appConfig] of Object.entries(teamConfig.apps)) {
      rows.push(...burnOf('app', team, app, appConfig.limits, period, byApp.get(appKey(team, app)), elapsed));
    }
  }
  return rows;
}

function burnOf(
  scope: BudgetBurn['scope'],
  team: string,
  app: string,
  limits: LimitSpec | undefined,
  period: Period,
  usage: Usage | undefined,
  elapsed: number,
): BudgetBurn[] {
  const rows: BudgetBurn[] = [];
  const metrics = [
    ['tokens', limits?.tokens?.[period], usage?.tokens ?? 0],
    ['cost_usd', limits?.cost_usd?.[period], usage?.costUsd ?? 0],
  ] as const;
  for (const [metric, limit, used] of metrics) {
    if (limit === undefined) continue;
    const projected = elapsed > 0 ? used / elapsed : null;
    rows.push({
      scope,
      team,
      app,
      metric,
      used,
      limit,
      used_ratio: used / limit,
      projected,
      projected_ratio: projected === null ? null : projected / limit,
    });
  }
  return rows;
}

function add(map: Map<string, Usage>, key: string, tokens: number, costUsd: number): void {
  const current = map.get(key) ?? { tokens: 0, costUsd: 0 };
  map.set(key, { tokens: current.tokens + tokens, costUsd: current.costUsd + costUsd });
}

// A NUL cannot occur in a configured name, so the pair cannot collide with another team/app pair.
const appKey = (team: string, app: string) => `${team}\u0000${app}`;
