// Micro-benchmarks of hot functions, old versus new: each case runs against the working tree and against
// the same module at a git ref (default HEAD), interleaved, and prints ns/op and the new/old ratio.
// Usage: node --import tsx bench/micro/run.ts [--old REF|DIR] [--cases a,b] [--rounds N] [--batch-ms N]
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { repoRoot } from '../targets/paths.js';
import { MICRO_CASES } from './cases/index.js';
import type { MicroCase } from './cases/case.js';
import { timeVariants, type MicroOp, type Timed } from './harness.js';
import { resolveOldSource } from './old-source.js';

const log = (line: string): void => {
  process.stderr.write(`${line}\n`);
};

async function load(root: string, c: MicroCase): Promise<MicroOp | undefined> {
  const file = join(root, c.module);
  if (!existsSync(file)) return undefined;
  return c.prepare((await import(pathToFileURL(file).href)) as Record<string, unknown>);
}

function fmt(t: Timed | undefined): string {
  if (t === undefined) return '–';
  const ns = t.nsPerOp.median;
  const value =
    ns >= 1e6
      ? `${(ns / 1e6).toFixed(2)} ms`
      : ns >= 1e3
        ? `${(ns / 1e3).toFixed(2)} µs`
        : `${ns.toFixed(0)} ns`;
  return `${value} ±${((t.nsPerOp.relative / 2) * 100).toFixed(1)}%`;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      old: { type: 'string', default: 'HEAD' },
      cases: { type: 'string' },
      rounds: { type: 'string', default: '15' },
      'batch-ms': { type: 'string', default: '20' },
    },
  });
  const wanted = values.cases?.split(',');
  const cases = MICRO_CASES.filter((c) => wanted === undefined || wanted.includes(c.id));
  const old = resolveOldSource(repoRoot, values.old, log);
  const options = { rounds: Number(values.rounds), batchMs: Number(values['batch-ms']) };
  const rows: { id: string; title: string; new?: Timed; old?: Timed; ratio?: number }[] = [];
  for (const c of cases) {
    const newOp = await load(repoRoot, c);
    const oldOp = old === undefined ? undefined : await load(old.root, c);
    if (newOp === undefined) {
      log(`${c.id}: ${c.module} has nothing to measure in the working tree; skipped`);
      continue;
    }
    const timed = await timeVariants(oldOp === undefined ? [newOp] : [newOp, oldOp], options);
    const row = { id: c.id, title: c.title, new: timed[0], old: timed[1] };
    rows.push({
      ...row,
      ...(row.old === undefined ? {} : { ratio: row.new!.nsPerOp.median / row.old.nsPerOp.median }),
    });
    log(`${c.id}: new ${fmt(row.new)}${row.old === undefined ? '' : `, old ${fmt(row.old)}`}`);
  }
  const lines = [
    `Micro-benchmarks, new = working tree, old = ${old?.label ?? 'none'}; Node ${process.version}. new/old < 1 is faster.`,
    '',
    '| case | new | old | new/old |',
    '| --- | --- | --- | --- |',
    ...rows.map(
      (r) =>
        `| ${r.title} | ${fmt(r.new)} | ${fmt(r.old)} | ${r.ratio === undefined ? '–' : r.ratio.toFixed(3)} |`,
    ),
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
  const dir = join(repoRoot, 'bench/results');
  mkdirSync(dir, { recursive: true });
  const stamp = new Date().toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 15);
  writeFileSync(
    join(dir, `micro-${stamp}.json`),
    `${JSON.stringify({ node: process.version, old: old?.label ?? null, rows }, null, 1)}\n`,
  );
}

main().catch((error: unknown) => {
  log(error instanceof Error ? (error.stack ?? error.message) : String(error));
  process.exit(1);
});
