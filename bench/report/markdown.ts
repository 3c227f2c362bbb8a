// The Markdown summary of a run: headline checks, throughput and latency per scenario and target, the
// streaming timings, ours-versus-peer ratios, and what the generator and mock themselves cost.
import type { RunResults } from '../runner/results.js';
import { loadLabel, type Scenario } from '../scenarios.js';
import { TARGET_LABELS } from '../targets/target.js';
import type { Percentile } from '../stats/percentiles.js';
import { isSustained, type AggregateRow } from './aggregate.js';
import { ms, num, pm, ratio, signedMs } from './format.js';

function table(header: string[], rows: string[][]): string {
  const line = (cells: string[]): string => `| ${cells.join(' | ')} |`;
  return [line(header), line(header.map(() => '---')), ...rows.map(line)].join('\n');
}

function notes(row: AggregateRow): string {
  const out: string[] = [];
  if (row.busyRepeats > 0) out.push(`busy machine in ${row.busyRepeats}/${row.repeats}`);
  if (!row.p999Reliable) out.push('p99.9 from <1000 samples');
  if (row.upstreamCallsPerRequest !== null && Math.abs(row.upstreamCallsPerRequest - 1) > 0.005) {
    out.push(`${row.upstreamCallsPerRequest.toFixed(3)} upstream calls/req`);
  }
  // Computed here rather than read from row.sustained, which older result files lack.
  if (row.offeredRps !== null && !isSustained(row.rps.median, row.offeredRps)) {
    out.push(`not sustained (${row.rps.median.toFixed(0)} of ${row.offeredRps}/s)`);
  } else if (row.sustained === false) {
    out.push('not sustained in a repeat');
  }
  if (row.censored > 0) out.push(`${row.censored} never completed, in the percentiles at the deadline`);
  const kinds = Object.entries(row.errorKinds);
  if (kinds.length > 0) out.push(kinds.map(([k, v]) => `${k}×${v}`).join(' '));
  if (row.warmupTimeouts > 0) out.push(`warm-up timeouts×${row.warmupTimeouts} (not in the error rate)`);
  return out.join('; ');
}

/** "≥ x" for a percentile that is only a lower bound (it reaches into requests that never completed). */
function bound(row: AggregateRow, key: Percentile, text: string): string {
  // Older result files have no lowerBound.
  return (row.lowerBound ?? []).includes(key) ? `≥ ${text}` : text;
}

export function renderMarkdown(results: RunResults): string {
  const { machine, settings } = results;
  const scenarioById = new Map<string, Scenario>(results.scenarios.map((s) => [s.id, s]));
  const label = (row: AggregateRow): string => TARGET_LABELS[row.target];
  const out: string[] = [];
  out.push(`## Bench results (${settings.mode}, ${results.startedAt})`);
  out.push('');
  out.push(`Command: \`${results.command}\``);
  out.push('');
  out.push(
    `Machine: ${machine.cores} cores (${machine.cpuModel}), ${machine.memoryGiB} GiB, Linux ${machine.kernel}, ` +
      `Node ${machine.node}, CLK_TCK ${machine.clockTicksPerSecond}, load average at start ${num(machine.loadAvg1AtStart, 2)}. ` +
      `Code: ${machine.gitCommit}${machine.gitDirtyFiles > 0 ? ` + ${machine.gitDirtyFiles} uncommitted files` : ''}. ` +
      `Repeats ${settings.repeats}, warm-up ${settings.warmupS} s, window ${settings.durationS} s per measurement` +
      `${settings.nice === 0 ? '' : `, bench processes at nice ${settings.nice}`}. ` +
      `Pre-run check: other processes used ${results.preflight.foreignCores.toFixed(2)} cores.`,
  );
  out.push('');
  out.push(
    'Targets: ' +
      results.targets
        .map((t) => `${t.label} — ${t.available ? t.version : `**missing**: ${t.reason ?? ''}`}`)
        .join('; ') +
      '.',
  );
  out.push('');
  out.push('### Headline checks');
  out.push('');
  out.push(
    table(
      ['check', 'goal', 'measured', 'errors', 'verdict', 'bare hop (floor)'],
      results.headlines.map((h) => [
        h.check,
        h.goal,
        h.measured,
        // Older result files have no error column.
        h.errors ?? '–',
        (h.status === 'pass' ? 'pass' : `**${h.status}**`) + (h.reason === undefined ? '' : ` (${h.reason})`),
        // Older result files (before the floor target) have no floor.
        h.floor ?? '–',
      ]),
    ),
  );
  out.push('');
  out.push('### Throughput and latency');
  out.push('');
  out.push(
    'Median over repeats; each ± is half the spread (max−min) of the repeats relative to the median of the ' +
      'column before it. Latency in ms, ' +
      'from the send (closed loop) or from the scheduled send time (open loop). Requests that never completed ' +
      '(timed out or never sent) enter the percentiles at the time to the deadline; a percentile that reaches ' +
      'into them is a lower bound, shown "≥" when so in at least half the repeats. req/s is successful completions inside the window ÷ its length. ' +
      '"p99 − direct p99" is the difference of the two p99s within each repeat, median over repeats (not the ' +
      'p99 of the added latency). CPU is the target process (all threads) per completed request. RSS is the ' +
      "highest sample in any repeat's window (max over repeats). Errors are measured requests only.",
  );
  out.push('');
  out.push(
    table(
      [
        'scenario',
        'target',
        'req/s',
        '±',
        'p50',
        'p90',
        'p99',
        '±',
        'p99.9',
        'p50 − direct p50',
        'p99 − direct p99',
        'CPU µs/req',
        '±',
        'cores',
        'peak RSS MB (max)',
        'errors',
        'notes',
      ],
      results.rows.map((r) => [
        `${r.scenario} (${loadLabel(scenarioById.get(r.scenario)!.load)})`,
        label(r),
        num(r.rps.median),
        pm(r.rps),
        bound(r, 'p50', ms(r.p50.median)),
        bound(r, 'p90', ms(r.p90.median)),
        bound(r, 'p99', ms(r.p99.median)),
        pm(r.p99),
        bound(r, 'p999', ms(r.p999.median)),
        r.addedP50 === null ? '' : bound(r, 'p50', signedMs(r.addedP50.median)),
        r.addedP99 === null ? '' : bound(r, 'p99', signedMs(r.addedP99.median)),
        num(r.targetUsPerReq?.median, 1),
        pm(r.targetUsPerReq),
        num(r.targetCores?.median, 2),
        num(r.rssPeakMb, 0),
        r.errors === 0 ? '0' : `${r.errors} (${(r.errorRate * 100).toFixed(2)}%)`,
        notes(r),
      ]),
    ),
  );
  const stageRows = results.rows.filter((r) => r.stages !== null && Object.keys(r.stages).length > 0);
  if (stageRows.length > 0) {
    out.push('');
    out.push("### Time inside our gateway's stages");
    out.push('');
    out.push(
      "From the gateway's own `gateway_stage_seconds` histogram, read at the window's edges: what a request " +
        'waited on each stage (authentication, the analysis worker, limit admission, cache lookup), ms. ' +
        'p50/p99 are the upper edges of the histogram buckets holding them (edges at 0.1, 0.15, 0.2, 0.3, 0.4, ' +
        '0.5, 0.75, 1 ms …), medians over repeats.',
    );
    out.push('');
    out.push(
      table(
        ['scenario', 'target', 'stage', 'requests', 'mean', 'p50 ≤', 'p99 ≤'],
        stageRows.flatMap((r) =>
          Object.entries(r.stages!).map(([stage, s]) => [
            r.scenario,
            label(r),
            stage,
            String(s.count),
            ms(s.meanUs.median),
            ms(s.p50UpperUs.median),
            ms(s.p99UpperUs.median),
          ]),
        ),
      ),
    );
  }
  const streamRows = results.rows.filter((r) => r.firstChunkP50 !== null);
  if (streamRows.length > 0) {
    out.push('');
    out.push('### Streaming');
    out.push('');
    out.push(
      'Times from the send, ms, medians over repeats: headers, first SSE data line, last byte; chunk counts checked.',
    );
    out.push('');
    out.push(
      table(
        [
          'scenario',
          'target',
          'headers p50',
          'first chunk p50',
          'first chunk p99',
          'last byte p50',
          'first chunk p50 − direct',
        ],
        streamRows.map((r) => [
          r.scenario,
          label(r),
          ms(r.headersP50.median),
          ms(r.firstChunkP50?.median),
          ms(r.firstChunkP99?.median),
          ms(r.p50.median),
          r.addedFirstChunkP50 === null ? '' : signedMs(r.addedFirstChunkP50.median),
        ]),
      ),
    );
  }
  out.push('');
  out.push('### Throughput ratios');
  out.push('');
  const scenarios = [...new Set(results.rows.map((r) => r.scenario))];
  const rps = (scenario: string, target: AggregateRow['target']): number | undefined =>
    results.rows.find((r) => r.scenario === scenario && r.target === target)?.rps.median;
  out.push(
    table(
      ['scenario', 'ours/Portkey', 'full/Portkey', 'ours/direct', 'full/direct', 'ours/bare hop'],
      scenarios.map((s) => [
        s,
        ratio(rps(s, 'gateway'), rps(s, 'portkey')),
        ratio(rps(s, 'gateway-full'), rps(s, 'portkey')),
        ratio(rps(s, 'gateway'), rps(s, 'direct')),
        ratio(rps(s, 'gateway-full'), rps(s, 'direct')),
        ratio(rps(s, 'gateway'), rps(s, 'hop')),
      ]),
    ),
  );
  out.push('');
  out.push('### Cost of the bench itself');
  out.push('');
  out.push(
    'The generator and the mock share the 2 cores with the target; their CPU is what the target could not use.',
  );
  out.push('');
  out.push(
    table(
      [
        'scenario',
        'target',
        'generator µs/req',
        'generator cores',
        'mock µs/req',
        'open-loop send lag p99 ms',
      ],
      results.rows.map((r) => [
        r.scenario,
        label(r),
        num(r.generatorUsPerReq.median, 1),
        num(r.generatorCores.median, 2),
        num(r.mockUsPerReq.median, 1),
        r.sendLagP99 === null ? '' : ms(r.sendLagP99.median),
      ]),
    ),
  );
  out.push('');
  return out.join('\n');
}
