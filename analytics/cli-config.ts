// Config for the analytics CLIs (migrate, report): the same file and the same validation as the gateway, so a
// CLI can never talk to another database than the gateway that writes it.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { loadConfigFile } from '../dataplane/config/load.js';
import type { GatewayConfig } from '../dataplane/config/schema.js';

/** GATEWAY_CONFIG, else the example config of the repo (from analytics/ or dist/analytics/). */
export function cliConfigPath(env: NodeJS.ProcessEnv): string {
  if (env.GATEWAY_CONFIG !== undefined && env.GATEWAY_CONFIG !== '') return env.GATEWAY_CONFIG;
  for (const relative of ['../config/gateway.yaml', '../../config/gateway.yaml']) {
    const path = fileURLToPath(new URL(relative, import.meta.url));
    if (existsSync(path)) return path;
  }
  throw new Error('config/gateway.yaml not found; set GATEWAY_CONFIG');
}

export function loadCliConfig(env: NodeJS.ProcessEnv): Promise<GatewayConfig> {
  return loadConfigFile(cliConfigPath(env), env);
}

/** True when the module at `moduleUrl` is the script node was started with. */
export function isMainModule(moduleUrl: string): boolean {
  const entry = process.argv[1];
  return entry !== undefined && fileURLToPath(moduleUrl) === entry;
}
