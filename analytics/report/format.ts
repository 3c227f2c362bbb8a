// Renders a report as Markdown (for people), CSV (for spreadsheets: one section per table, each introduced by a
// `# name` line and separated by a blank line) or JSON (the Report object as is, for scripts).
import type { BudgetBurn } from './budgets.js';
import { GROUP_COLUMNS, type Report } from './build.js';

export const FORMATS = ['md', 'csv', 'json'] as const;
export type ReportFormat = (typeof FORMATS)[number];

type Cell = string | number | null;

interface Table {
  name: string;
  title: string;
  columns: string[];
  rows: Cell[][];
}

export function formatReport(report: Report, format: ReportFormat): string {
  if (format === 'json') return `${JSON.stringify(report, null, 2)}\n`;
  const tables = reportTables(report, format === 'md');
  if (format === 'csv') return tables.map(csvTable).join('\n');
  const heading =
    `# AI gateway report: ${report.period} by ${report.by}\n\n` +
    `${report.from} → ${report.to} (${report.time_zone}` +
    (report.period === 'custom' ? ')\n' : `, ${percent(report.elapsed)} of the period elapsed)\n`);
  return [heading, ...tables.map(markdownTable)].join('\n');
}

/** Dollars with cents, or three significant digits below a cent ($0.00153), where cents would read as nothing. */
function dollars(n: number): string {
  return n >= 0.01 || n === 0 ? `$${n.toFixed(2)}` : `$${Number(n.toPrecision(3))}`;
}

function reportTables(report: Report, human: boolean): Table[] {
  const usd = (n: number) => (human ? dollars(n) : round(n, 6));
  const rate = (n: number) => (human ? percent(n) : round(n, 4));
  const ms = (n: number | null) => (n === null ? null : round(n, human ? 0 : 3));
  const groupColumns = [...GROUP_COLUMNS[report.by]];
  return [
    {
      name: 'usage',
      title: `Usage by ${report.by}`,
      columns: [
        ...groupColumns,
        'requests',
        'prompt_tokens',
        'completion_tokens',
        'total_tokens',
        'cost_usd',
        'p50_latency_ms',
        'p95_latency_ms',
        'error_rate',
        'cache_hit_rate',
        'cost_avoided_usd',
      ],
      rows: report.usage.map((row) => [
        ...groupColumns.map((column) => row.group[column] ?? ''),
        row.requests,
        row.prompt_tokens,
        row.completion_tokens,
        row.total_tokens,
        usd(row.cost_usd),
        ms(row.p50_latency_ms),
        ms(row.p95_latency_ms),
        rate(row.error_rate),
        rate(row.cache_hit_rate),
        usd(row.cost_avoided_usd),
      ]),
    },
    {
      name: 'budgets',
      title: 'Budget burn',
      columns: ['scope', 'team', 'app', 'metric', 'used', 'limit', 'used_pct', 'projected', 'projected_pct'],
      rows: report.budgets.map((row) => budgetCells(row, human)),
    },
    {
      name: 'top_users',
      title: 'Top users',
      columns: ['team', 'app', 'user', 'requests', 'total_tokens', 'cost_usd'],
      rows: report.top_users.map((u) => [u.team, u.app, u.user, u.requests, u.total_tokens, usd(u.cost_usd)]),
    },
  ];
}

function budgetCells(row: BudgetBurn, human: boolean): Cell[] {
  const amount = (n: number | null) =>
    n === null ? null : row.metric === 'cost_usd' ? (human ? dollars(n) : round(n, 6)) : Math.round(n);
  const pct = (n: number | null) => (n === null ? null : human ? percent(n) : round(n * 100, 2));
  return [
    row.scope,
    row.team,
    row.app,
    row.metric,
    amount(row.used),
    amount(row.limit),
    pct(row.used_ratio),
    amount(row.projected),
    pct(row.projected_ratio),
  ];
}

function markdownTable(table: Table): string {
  const head = `## ${table.title}\n\n`;
  if (table.rows.length === 0) return `${head}(none)\n`;
  const escape = (cell: Cell) =>
    cell === null ? '–' : String(cell).replaceAll('|', '\\|').replaceAll('\n', ' ');
  const line = (cells: string[]) => `| ${cells.join(' | ')} |`;
  return (
    head +
    [
      line(table.columns),
      line(table.columns.map(() => '---')),
      ...table.rows.map((r) => line(r.map(escape))),
    ].join('\n') +
    '\n'
  );
}

function csvTable(table: Table): string {
  const quote = (cell: Cell) => {
    const text = cell === null ? '' : String(cell);
    return /[",\n\r]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
  };
  return (
    [`# ${table.name}`, table.columns.join(','), ...table.rows.map((r) => r.map(quote).join(','))].join(
      '\n',
    ) + '\n'
  );
}

const percent = (n: number) => `${(n * 100).toFixed(1)}%`;
const round = (n: number, digits: number) => Number(n.toFixed(digits));
