// `npm run report -- --period week --by app --format md`: cost, tokens, requests, latency, error and cache-hit
// rates per team/app/model/user, budget burn and top users, from the same store the gateway writes.
import { parseArgs } from 'node:util';
import { createAnalyticsClient } from './clickhouse.js';
import { isMainModule, loadCliConfig } from './cli-config.js';
import { buildReport, GROUPINGS, type Grouping } from './report/build.js';
import { FORMATS, formatReport, type ReportFormat } from './report/format.js';
import { PERIODS, reportWindow, type Period } from './report/period.js';

export interface ReportArgs {
  period: Period;
  by: Grouping;
  format: ReportFormat;
  from?: Date;
  to?: Date;
  top: number;
}

const USAGE = `usage: report [--period day|week|month] [--by team|app|model|user] [--format md|csv|json]
              [--from ISO-8601] [--to ISO-8601] [--top N]`;

export function parseReportArgs(argv: string[]): ReportArgs {
  const { values } = parseArgs({
    args: argv,
    strict: true,
    options: {
      period: { type: 'string', default: 'week' },
      by: { type: 'string', default: 'app' },
      format: { type: 'string', default: 'md' },
      from: { type: 'string' },
      to: { type: 'string' },
      top: { type: 'string', default: '10' },
    },
  });
  const top = Number(values.top);
  if (!Number.isInteger(top) || top < 0) throw new Error(`--top must be a non-negative integer\n${USAGE}`);
  return {
    period: oneOf('--period', values.period, PERIODS),
    by: oneOf('--by', values.by, GROUPINGS),
    format: oneOf('--format', values.format, FORMATS),
    ...(values.from === undefined ? {} : { from: instant('--from', values.from) }),
    ...(values.to === undefined ? {} : { to: instant('--to', values.to) }),
    top,
  };
}

function oneOf<T extends string>(flag: string, value: string, allowed: readonly T[]): T {
  if ((allowed as readonly string[]).includes(value)) return value as T;
  throw new Error(`${flag} must be one of ${allowed.join(', ')}, got "${value}"\n${USAGE}`);
}

function instant(flag: string, value: string): Date {
  const date = new Date(value);
  if (Number.isNaN(date.getTime())) throw new Error(`${flag}: not a date: "${value}"`);
  return date;
}

async function main(): Promise<void> {
  const args = parseReportArgs(process.argv.slice(2));
  const config = await loadCliConfig(process.env);
  const window = reportWindow({
    period: args.period,
    now: new Date(),
    timeZone: config.limits.timezone,
    ...(args.from === undefined ? {} : { from: args.from }),
    ...(args.to === undefined ? {} : { to: args.to }),
  });
  const handle = createAnalyticsClient(config.analytics);
  try {
    const report = await buildReport(handle.client, {
      database: config.analytics.database,
      teams: config.teams,
      window,
      by: args.by,
      topUsers: args.top,
    });
    process.stdout.write(formatReport(report, args.format));
  } finally {
    await handle.close();
  }
}

if (isMainModule(import.meta.url)) {
  main().catch((error: unknown) => {
    process.stderr.write(`report: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 1;
  });
}
