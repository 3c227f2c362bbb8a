// The gateway takes no command-line arguments: where its config lives and where it listens come from the
// environment (a container sets those, not argv). An argument is therefore a mistake, such as a `--config`
// that would otherwise be ignored while the example config starts on port 8080; `--help` says how instead.

export const USAGE = `Usage: node dist/dataplane/main.js   (or: npm start)

Environment:
  GATEWAY_CONFIG  the YAML config file (default: config/gateway.yaml, the simulator example)
  HOST, PORT      override server.host and server.port (PORT=0 picks a free port)

SIGHUP reloads the config (it is also watched); SIGTERM or SIGINT drains and exits.
See docs/configuration.md.
`;

export type CommandLine =
  { readonly kind: 'run' } | { readonly kind: 'help' } | { readonly kind: 'error'; readonly message: string };

/** What the arguments after the script ask for. */
export function readCommandLine(args: readonly string[]): CommandLine {
  if (args.length === 0) return { kind: 'run' };
  if (args.includes('--help') || args.includes('-h')) return { kind: 'help' };
  return {
    kind: 'error',
    message:
      `unknown argument ${JSON.stringify(args[0])}: the gateway takes no arguments; ` +
      'set GATEWAY_CONFIG for the config file and HOST/PORT for the address (--help)',
  };
}
