// Settings the running process reads once, at start: the listen socket, the worker threads, the limit store and
// its calendar, the warehouse writer, the cache's backend and model. A reload that changes them is applied
// everywhere else and told about these (they keep the values the process started with), rather than silently
// keeping them: an operator who adds `limits.redis` on reload would otherwise keep per-replica limits unknowingly.
import type { GatewayConfig } from './schema.js';

const RESTART_ONLY: readonly (readonly string[])[] = [
  ['server', 'host'],
  ['server', 'port'],
  ['workers'],
  ['limits', 'redis'],
  ['limits', 'timezone'],
  ['limits', 'reservation_ttl_s'],
  ['analytics'],
  ['cache', 'redis'],
  ['cache', 'memory'],
  ['cache', 'embeddings'],
];

function at(config: unknown, path: readonly string[]): unknown {
  let value = config;
  for (const key of path) value = (value as Record<string, unknown> | undefined)?.[key];
  return value;
}

/** The dotted names of the restart-only settings that differ between the two configs. */
export function restartOnlyChanges(previous: GatewayConfig, next: GatewayConfig): string[] {
  const changed = RESTART_ONLY.filter(
    (path) => JSON.stringify(at(previous, path)) !== JSON.stringify(at(next, path)),
  ).map((path) => path.join('.'));
  // The cache is built at start only when it was on: switching it on needs a restart (off works on reload).
  if (!previous.cache.enabled && next.cache.enabled) changed.push('cache.enabled');
  return changed;
}
