// Entry point of the load-test bench: starts the mock upstream and the targets on 127.0.0.1, runs the
// scenario matrix, writes bench/results/<time>-<mode>.json and .md, and prints the Markdown summary.
// `--compare A.json B.json` instead prints the ratios between two earlier runs.
import { mkdirSync, writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join, relative } from 'node:path';
import { aggregate } from './report/aggregate.js';
import { loadResults, renderComparison } from './report/compare.js';
import { headlines } from './report/headlines.js';
import { renderMarkdown } from './report/markdown.js';
import { clockTicksPerSecond } from './proc/cpu-ticks.js';
import { machineFacts } from './proc/machine-facts.js';
import { applyNice } from './proc/priority.js';
import { prepareGateway, type GatewayBuild } from './runner/build-gateway.js';
import { preflight } from './runner/preflight.js';
import type { RunResults } from './runner/results.js';
import { runMatrix } from './runner/run-matrix.js';
import { warmTargets } from './runner/warm-targets.js';
import { startTargets } from './runner/start-targets.js';
import { parseRunOptions, USAGE, type RunOptions } from './run-options.js';
import { SCENARIOS } from './scenarios.js';
import { startMock, type MockProcess } from './targets/mock-process.js';
import { repoRoot } from './targets/paths.js';
import type { Target } from './targets/target.js';

const log = (line: string): void => {
  process.stderr.write(`${line}\n`);
};

function stamp(date: Date): string {
  return date.toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 15);
}

async function run(options: RunOptions): Promise<number> {
  const started = new Date();
  const { settings } = options;
  const cores = availableParallelism();
  const ticksPerSecond = clockTicksPerSecond();
  const check = await preflight(ticksPerSecond, cores);
  if (check.busy) {
    log(`machine is busy before the run: ${check.reason}`);
    if (!options.allowBusy) {
      log('refusing to measure; stop the other work or pass --allow-busy (results will be flagged)');
      return 2;
    }
  }
  let gateway: GatewayBuild = { entry: '', note: 'not used' };
  if (options.targets.some((t) => t === 'gateway' || t === 'gateway-full')) {
    gateway = prepareGateway(repoRoot, options.gatewayRef, options.build, log);
  }
  const scenarios = SCENARIOS.filter((s) => options.scenarios.includes(s.id));
  const estimate =
    scenarios.length *
    settings.repeats *
    options.targets.length *
    (settings.warmupS + settings.durationS + 0.4);
  log(
    `${scenarios.length} scenarios × ${options.targets.length} targets × ${settings.repeats} repeats, about ${Math.ceil(estimate)} s`,
  );

  let mock: MockProcess | undefined;
  let targets: Target[] = [];
  const stopAll = async (): Promise<void> => {
    await Promise.allSettled(targets.map((t) => t.stop()));
    await mock?.stop();
  };
  const onSignal = (): void => {
    void stopAll().finally(() => process.exit(130));
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    mock = await startMock();
    log(
      `mock upstream on 127.0.0.1:${mock.port} (pid ${mock.pid}, uWS ${mock.native ? 'native' : 'FALLBACK'})`,
    );
    const launched = await startTargets(options.targets, mock, log, gateway);
    targets = launched.running;
    if (settings.nice !== 0) {
      const pids = [process.pid, mock.pid, ...targets.flatMap((t) => (t.pid === undefined ? [] : [t.pid]))];
      const refused = applyNice(pids, settings.nice);
      if (refused !== undefined) log(`could not set nice ${settings.nice}: ${refused}`);
      else log(`bench processes run at nice ${settings.nice}`);
    }
    log('warming up the targets...');
    await warmTargets(targets, mock, settings.mode === 'quick' ? 1.5 : 3);
    const measurementCount = scenarios.length * settings.repeats * targets.length;
    const { measurements, failed } = await runMatrix({
      scenarios,
      targets,
      mock,
      settings,
      cores,
      log,
      // Quick mode has to stay under 3 minutes even on a noisy machine.
      remeasureBudget: Math.ceil(measurementCount * (settings.mode === 'quick' ? 0.1 : 0.5)),
    });
    for (const info of launched.info) {
      const reason = failed.get(info.name);
      if (reason !== undefined) info.reason = `failed during the run: ${reason}`;
    }
    const rows = aggregate(
      measurements,
      scenarios.map((s) => s.id),
      options.targets,
    );
    const results: RunResults = {
      schema: 1,
      command: `npm run bench -- ${process.argv.slice(2).join(' ')}`.trim(),
      startedAt: started.toISOString(),
      finishedAt: new Date().toISOString(),
      settings,
      machine: machineFacts(repoRoot),
      preflight: check,
      targets: launched.info,
      scenarios,
      measurements,
      rows,
      headlines: headlines(rows),
    };
    const outDir = options.outDir ?? join(repoRoot, 'bench/results');
    mkdirSync(outDir, { recursive: true });
    const base = join(outDir, `${stamp(started)}-${settings.mode}`);
    const markdown = renderMarkdown(results);
    writeFileSync(`${base}.json`, `${JSON.stringify(results, null, 1)}\n`);
    writeFileSync(`${base}.md`, markdown);
    process.stdout.write(`${markdown}\n`);
    log(`results: ${relative(process.cwd(), base)}.json and .md`);
    return 0;
  } finally {
    await stopAll();
  }
}

async function main(): Promise<number> {
  let options: RunOptions;
  try {
    options = parseRunOptions(process.argv.slice(2));
  } catch (error) {
    log(`${error instanceof Error ? error.message : String(error)}\n${USAGE}`);
    return 2;
  }
  if (options.help) {
    log(USAGE);
    return 0;
  }
  if (options.compare !== undefined) {
    const [a, b] = options.compare;
    process.stdout.write(`${renderComparison(a, b, loadResults(a), loadResults(b))}\n`);
    return 0;
  }
  return run(options);
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    log(error instanceof Error ? (error.stack ?? error.message) : String(error));
    process.exit(1);
  },
);
