// Process entry point: reads the environment, loads the config, starts the gateway and wires signals
// (SIGHUP reloads, SIGTERM/SIGINT drain and exit). Everything else is built by startGateway.
// First: V8 flags must be set before the rest of the gateway is loaded (ES modules run in import order).
import './runtime/v8-flags.js';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { loadConfigFile } from './config/load.js';
import { startGateway } from './gateway.js';
import { createLogger } from './observability/logger.js';
import { readCommandLine, USAGE } from './runtime/command-line.js';
import { loadNativeUws } from './server/uws.js';

/** The example config shipped in the repo, found from the source tree or from dist/. */
function defaultConfigPath(): string {
  for (const relative of ['../config/gateway.yaml', '../../config/gateway.yaml']) {
    const path = fileURLToPath(new URL(relative, import.meta.url));
    if (existsSync(path)) return path;
  }
  throw new Error('config/gateway.yaml not found; set GATEWAY_CONFIG');
}

async function main(): Promise<void> {
  const env = process.env;
  const logger = createLogger('info');
  const commandLine = readCommandLine(process.argv.slice(2));
  if (commandLine.kind === 'help') {
    process.stdout.write(USAGE);
    return;
  }
  if (commandLine.kind === 'error') {
    logger.error('refusing to start', { err: new Error(commandLine.message) });
    process.exitCode = 2;
    return;
  }
  let uws;
  let configPath: string;
  let config;
  try {
    uws = loadNativeUws();
    configPath = env.GATEWAY_CONFIG ?? defaultConfigPath();
    config = await loadConfigFile(configPath, env);
  } catch (error) {
    logger.error('refusing to start', { err: error });
    process.exitCode = 1;
    return;
  }
  logger.setLevel(config.logging.level);
  const port = env.PORT === undefined || env.PORT === '' ? undefined : Number(env.PORT);
  if (port !== undefined && (!Number.isInteger(port) || port < 0 || port > 65_535)) {
    logger.error('refusing to start', {
      err: new Error(`PORT must be an integer 0-65535, got "${env.PORT}"`),
    });
    process.exitCode = 1;
    return;
  }
  let gateway;
  try {
    gateway = await startGateway({
      config,
      configPath,
      watchConfig: true,
      ...(env.HOST === undefined || env.HOST === '' ? {} : { host: env.HOST }),
      ...(port === undefined ? {} : { port }),
      env,
      logger,
      uws,
    });
  } catch (error) {
    // What only start-up can find (a JWKS file, the embedding model, the listen port, the warehouse): the
    // same line as a bad config, then out, whatever threads and handles the half-started gateway holds.
    logger.error('refusing to start', { err: error });
    process.exit(1);
  }
  process.on('SIGHUP', () => void gateway.reload());
  const stop = (signal: string) => {
    logger.info('signal received', { signal });
    void gateway.shutdown().then(() => process.exit(0));
  };
  process.once('SIGTERM', () => stop('SIGTERM'));
  process.once('SIGINT', () => stop('SIGINT'));
}

await main();
