// The configured teams and apps, compiled once per config: model matchers and role lists, looked up by name
// for API keys (at build time) and for token claims (per token).
import type { TeamsConfig } from '../config/auth-schema.js';
import { compileModelPatterns, intersectMatchers, type ModelMatcher } from './model-matcher.js';

export interface TeamEntry {
  readonly id: string;
  readonly roles: readonly string[];
  readonly models: ModelMatcher;
  /** App id → the app's effective matcher (already narrowed by the team's). */
  readonly apps: ReadonlyMap<string, ModelMatcher>;
}

export interface Directory {
  readonly size: number;
  team(id: string): TeamEntry | undefined;
}

export function createDirectory(teams: TeamsConfig): Directory {
  const entries = new Map<string, TeamEntry>();
  for (const [teamId, team] of Object.entries(teams)) {
    const models = compileModelPatterns(team.models);
    const apps = new Map<string, ModelMatcher>();
    for (const [appId, app] of Object.entries(team.apps)) {
      apps.set(
        appId,
        app.models === undefined ? models : intersectMatchers(models, compileModelPatterns(app.models)),
      );
    }
    entries.set(teamId, Object.freeze({ id: teamId, roles: Object.freeze([...team.roles]), models, apps }));
  }
  return {
    size: entries.size,
    // Own-property lookup through a Map: a claim like "__proto__" must not reach Object.prototype.
    team: (id) => entries.get(id),
  };
}
