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
  ['cache', 'semantic', 'quantization'],
  ['cache', 'semantic', 'max_entries_per_partition'],
  ['cache', 'semantic', 'sweep'],
];

function at(config: unknown, path: readonly string[]): unknown {
  let value = config;
  for (const key of path) value = (value as Record<string, unknown> | undefined)?.[key];
  return value;
}

/**
 * The dotted names of the restart-only settings in which `next` differs from the config the process started
 * with (not the last reload's: a setting changed by an earlier reload is still not applied).
 */
export function restartOnlyChanges(started: GatewayConfig, next: GatewayConfig): string[] {
  const changed = RESTART_ONLY.filter(
    (path) => JSON.stringify(at(started, path)) !== JSON.stringify(at(next, path)),
  ).map((path) => path.join('.'));
  // The cache and its embedder are built at start only when they were on: switching them on needs a restart
  // (off, and back on, works on reload).
  if (!started.cache.enabled && next.cache.enabled) changed.push('cache.enabled');
  if (!started.cache.semantic.enabled && next.cache.semantic.enabled) changed.push('cache.semantic.enabled');
  return changed;
}
