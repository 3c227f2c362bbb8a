// Speed of the PII/secrets scanner per prompt size and kind of text: plain English prose, Cyrillic/CJK
// prose, PII-dense text and source code with long identifiers and base64. The analysis worker's budget is
// about 80 µs of CPU for a 1 KB prompt, so µs per KB on ordinary text is the number to watch.
// Usage: node --import tsx bench/micro/pii-speed.ts [--module path/to/pii/index.ts] [--ms N] [--rounds N]
//        [--sizes 1,8,64,1024]
// `--module` times another copy of the scanner (e.g. a snapshot of the old code) with the same texts.
// Timing: many short batches (about `--ms` each, at least one call). The fastest batch is the cost without
// interference: on a shared machine a batch shorter than a scheduler time slice often runs uninterrupted,
// while the median also counts time spent descheduled. Both are printed.
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';

interface Scanner {
  scanText(text: string): unknown[];
}

const ENGLISH =
  'The committee reviewed the proposal in detail and asked for a clearer plan, a realistic budget and a ' +
  'schedule that leaves room for testing. Could you summarise the main risks in three bullet points? ' +
  'We expect about 40 people at the workshop in March 2025, so please keep the agenda short: an opening ' +
  'talk, two breakout sessions and a closing discussion. Thanks again for your help with the report; ' +
  'the second draft reads much better, although chapter 4 still needs work on the figures and tables. ';

const CYRILLIC_CJK =
  'Пожалуйста, помогите мне составить краткое резюме этого документа: в нём описаны миграция базы данных, ' +
  'стратегия кэширования и способы снизить задержку для пользователей в 2025 году. ' +
  '请帮我总结一下这段文字，内容涉及数据库迁移和缓存策略，以及如何降低延迟。我们计划在三月份完成第一阶段的工作，' +
  '然后再讨论预算和时间表。谢谢！ 東京の会議は来週の火曜日に予定されています。資料を事前に共有してください。';

// The PII-dense sample of bench/eval/pii.ts: phone, e-mail, IPv4/IPv6, IBAN, code, config, numbers.
const PII_DENSE = [
  'Hi, I am writing about my order. Please call me at +1 (415) 555-0132 or write to jane.doe@example.org. ',
  'The staging server is 10.20.30.40 and the fallback is 2001:db8::8a2e:370:7334; deploy with the usual key. ',
  'Ich habe eine Frage zu meiner Rechnung, die Überweisung ging an DE89 3704 0044 0532 0130 00 am Montag. ',
  '请帮我总结一下这段文字，内容涉及数据库迁移和缓存策略，以及如何降低延迟。谢谢！',
  'function retry(fn, attempts = 3) { for (let i = 0; i < attempts; i++) { try { return fn(); } catch {} } }\n',
  'config:\n  timeout_ms: 2500\n  api_key: "sk-proj-abc"\n  region: eu-west-1\n',
  'Quarterly revenue grew 12.5% to 4,310,220 EUR while costs fell 3.1%; see table 4.2.1 for details. ',
].join('');

const CODE =
  'export async function resolveUpstreamProviderConfigurationForTenantDeployment(\n' +
  '  tenantDeploymentIdentifier: string,\n' +
  '  providerConfigurationRepository: ProviderConfigurationRepository,\n' +
  '): Promise<ResolvedUpstreamProviderConfiguration | undefined> {\n' +
  '  const cachedProviderConfigurationEntry = providerConfigurationCache.get(tenantDeploymentIdentifier);\n' +
  '  if (cachedProviderConfigurationEntry !== undefined) return cachedProviderConfigurationEntry.value;\n' +
  "  const logoDataUri = 'data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAABAAAAAQCAYAAAAf8/9hAAAABHNCSVQICAgIfAhkiAAAAAlwSFlzAAAOxAAADsQBlSsOGwAAABl0RVh0U29mdHdhcmUAd3d3Lmlua3NjYXBlLm9yZ5vuPBoAAAFNSURBVDiNpZKxSgNBEIa/';\n" +
  "  const contentIntegrityDigest = 'sha256-9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08';\n" +
  '  return providerConfigurationRepository.loadResolvedConfiguration({ tenantDeploymentIdentifier, retries: 3 });\n' +
  '}\n';

const KINDS: readonly [string, string][] = [
  ['plain English prose', ENGLISH],
  ['Cyrillic/CJK prose', CYRILLIC_CJK],
  ['PII-dense text', PII_DENSE],
  ['code + base64', CODE],
];

/**
 * A text of `units` UTF-16 code units (what the scanner indexes), repeating `unit`. The JSON round trip
 * makes it a flat string, as request bodies are after JSON.parse (a sliced or concatenated string is slower
 * to read character by character).
 */
function textOf(unit: string, units: number): string {
  return JSON.parse(JSON.stringify(unit.repeat(Math.ceil(units / unit.length)).slice(0, units))) as string;
}

/** ns per call over `iterations` calls. */
function batch(scanner: Scanner, text: string, iterations: number): number {
  const start = process.hrtime.bigint();
  for (let i = 0; i < iterations; i++) scanner.scanText(text);
  return Number(process.hrtime.bigint() - start) / iterations;
}

interface Timing {
  best: number;
  median: number;
}

/** ns per call: warm-up (also for the JIT), calibration to `batchMs` per batch, then `rounds` batches. */
function measure(scanner: Scanner, text: string, batchMs: number, rounds: number): Timing {
  const warmUntil = performance.now() + Math.max(200, batchMs * 10);
  while (performance.now() < warmUntil) scanner.scanText(text);
  let iterations = 1;
  while (batch(scanner, text, iterations) * iterations < batchMs * 1e6 && iterations < 1 << 20)
    iterations *= 2;
  const samples: number[] = [];
  for (let r = 0; r < rounds; r++) samples.push(batch(scanner, text, iterations));
  samples.sort((a, b) => a - b);
  return { best: samples[0]!, median: samples[Math.floor(samples.length / 2)]! };
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      module: { type: 'string', default: 'dataplane/analysis/pii/index.ts' },
      ms: { type: 'string', default: '2' },
      rounds: { type: 'string', default: '60' },
      sizes: { type: 'string', default: '1,8,64,1024' },
    },
  });
  const url = pathToFileURL(resolve(values.module)).href;
  const { createPiiScanner } = (await import(url)) as { createPiiScanner: () => Scanner };
  const scanner = createPiiScanner();
  const sizes = values.sizes.split(',').map((kb) => Number(kb) * 1024);
  console.log(`# PII scan speed: ${values.module}\n`);
  console.log('| text | size | µs per scan (best) | µs per KB (best) | µs per KB (median) |');
  console.log('|---|---|---|---|---|');
  for (const [kind, unit] of KINDS) {
    for (const units of sizes) {
      const text = textOf(unit, units);
      const t = measure(scanner, text, Number(values.ms), Number(values.rounds));
      const label = units >= 1 << 20 ? `${units >> 20} MB` : `${units >> 10} KB`;
      const perKb = (ns: number): string => (ns / 1e3 / (units / 1024)).toFixed(2);
      console.log(
        `| ${kind} | ${label} | ${(t.best / 1e3).toFixed(1)} | ${perKb(t.best)} | ${perKb(t.median)} |`,
      );
    }
  }
}

await main();
