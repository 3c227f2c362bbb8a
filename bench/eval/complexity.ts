// Evaluates the complexity scorer and prints Markdown: class accuracy on the hand-labelled sets, confusion
// matrix, score spread per class, score distribution of real prompts from the shared eval data, throughput.
// Usage: node --import tsx bench/eval/complexity.ts [eval-dir]
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CLASS_THRESHOLDS, createComplexityScorer } from '../../dataplane/analysis/complexity/index.js';
import type { ComplexityAnalysis, ComplexityClass } from '../../dataplane/analysis/types.js';
import {
  CALIBRATION,
  FRESH,
  HOLDOUT,
  estimateTokens,
  toRequest,
  type CalibrationItem,
} from '../../test/unit/analysis/complexity/calibration.js';

const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));
const CLASSES: readonly ComplexityClass[] = ['simple', 'medium', 'complex'];
const scorer = createComplexityScorer();

function table(header: readonly string[], rows: readonly (readonly (string | number)[])[]): string {
  const line = (cells: readonly (string | number)[]): string => `| ${cells.join(' | ')} |`;
  return [line(header), line(header.map(() => '---')), ...rows.map(line)].join('\n');
}

function scoreItem(item: CalibrationItem): ComplexityAnalysis {
  const { request, segments, promptTokens } = toRequest(item);
  return scorer.score(request, segments, promptTokens);
}

function scorePrompt(prompt: string): ComplexityAnalysis {
  return scoreItem({ prompt, label: 'simple' });
}

function quantile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
}

function accuracyRows(): string[][] {
  const sets: [string, readonly CalibrationItem[], string][] = [
    ['calibration', CALIBRATION, 'weights were set on it'],
    ['holdout', HOLDOUT, 'unseen at first (22/30 = 0.733); its misses then led to lexicon additions'],
    ['fresh', FRESH, 'written and scored once after all tuning'],
  ];
  return sets.map(([name, items, note]) => {
    const correct = items.filter((item) => scoreItem(item).class === item.label).length;
    return [name, String(items.length), String(correct), (correct / items.length).toFixed(3), note];
  });
}

function confusion(items: readonly CalibrationItem[]): string {
  const counts = new Map<string, number>();
  for (const item of items) {
    const key = `${item.label}>${scoreItem(item).class}`;
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  return table(
    ['label \\ scored', ...CLASSES],
    CLASSES.map((label) => [label, ...CLASSES.map((got) => String(counts.get(`${label}>${got}`) ?? 0))]),
  );
}

function spread(items: readonly CalibrationItem[]): string {
  return table(
    ['label', 'n', 'min', 'p50', 'mean', 'max'],
    CLASSES.map((label) => {
      const scores = items
        .filter((i) => i.label === label)
        .map((i) => scoreItem(i).score)
        .sort((a, b) => a - b);
      const mean = scores.reduce((s, x) => s + x, 0) / scores.length;
      return [
        label,
        scores.length,
        scores[0]!.toFixed(3),
        quantile(scores, 0.5).toFixed(3),
        mean.toFixed(3),
        scores[scores.length - 1]!.toFixed(3),
      ];
    }),
  );
}

function readJsonl(path: string): Record<string, unknown>[] {
  return readFileSync(path, 'utf8')
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

function realPrompts(evalDir: string): [string, string[]][] {
  const out: [string, string[]][] = [];
  const qqp = join(evalDir, 'paraphrase/qqp_gptcache_sample4000.jsonl');
  if (existsSync(qqp)) out.push(['Quora questions (QQP s1)', readJsonl(qqp).map((r) => String(r.s1 ?? ''))]);
  const injection = join(evalDir, 'injection/combined_injection_eval.jsonl');
  if (existsSync(injection)) {
    const rows = readJsonl(injection).filter((r) => r.label === 0);
    const by = (prefix: string): string[] =>
      rows.filter((r) => String(r.category ?? '').startsWith(prefix)).map((r) => String(r.text ?? ''));
    out.push(['NotInject benign prompts', by('benign_with_trigger_words')]);
    out.push(['awesome-chatgpt-prompts (role-play)', by('roleplay_benign')]);
    out.push(['WildGuard benign prompts', by('wildguard_benign')]);
  }
  return out.filter(([, prompts]) => prompts.length > 0);
}

function distribution(evalDir: string): string {
  const rows = realPrompts(evalDir).map(([name, prompts]) => {
    const results = prompts.map(scorePrompt);
    const scores = results.map((r) => r.score).sort((a, b) => a - b);
    const share = (c: ComplexityClass): string =>
      (results.filter((r) => r.class === c).length / results.length).toFixed(2);
    return [
      name,
      results.length,
      share('simple'),
      share('medium'),
      share('complex'),
      quantile(scores, 0.1).toFixed(3),
      quantile(scores, 0.5).toFixed(3),
      quantile(scores, 0.9).toFixed(3),
    ];
  });
  if (rows.length === 0) return `No shared eval data found under \`${evalDir}\`.`;
  return table(['prompts', 'n', 'simple', 'medium', 'complex', 'p10', 'p50', 'p90'], rows);
}

function throughput(): string {
  const unit = CALIBRATION.map((i) => i.prompt).join('\n\n');
  const rows: string[][] = [];
  for (const size of [1024, 8192, 65_536]) {
    let text = unit;
    while (text.length < size) text += `\n\n${unit}`;
    text = text.slice(0, size);
    const prepared = toRequest({ prompt: text, label: 'complex' });
    const tokens = estimateTokens([text]);
    const iterations = Math.max(20, Math.floor(2_000_000 / size));
    for (let i = 0; i < 20; i++) scorer.score(prepared.request, prepared.segments, tokens);
    const start = process.hrtime.bigint();
    for (let i = 0; i < iterations; i++) scorer.score(prepared.request, prepared.segments, tokens);
    const micros = Number(process.hrtime.bigint() - start) / 1000 / iterations;
    rows.push([`${size / 1024} KB`, micros.toFixed(0), (micros / (size / 1024)).toFixed(1)]);
  }
  return table(['prompt size', 'µs per prompt', 'µs per KB'], rows);
}

function main(): void {
  const evalDir = resolve(process.argv[2] ?? resolve(REPO_ROOT, '../shared/eval'));
  const all = [...CALIBRATION, ...HOLDOUT, ...FRESH];
  const out: string[] = [];
  out.push('# Complexity score: evaluation');
  out.push('');
  out.push(
    `Classes: simple < ${CLASS_THRESHOLDS.medium} <= medium < ${CLASS_THRESHOLDS.complex} <= complex. ` +
      'Labels are hand-assigned by the nature of the task; prompt tokens are estimated (~4 chars/token).',
  );
  out.push('');
  out.push('## Class accuracy');
  out.push('');
  out.push(table(['set', 'n', 'correct', 'accuracy', 'note'], accuracyRows()));
  out.push('');
  out.push(`## Confusion matrix (all ${all.length} labelled prompts)`);
  out.push('');
  out.push(confusion(all));
  out.push('');
  out.push('## Score spread per label (all labelled prompts)');
  out.push('');
  out.push(spread(all));
  out.push('');
  out.push('## Score distribution of real prompts (unlabelled)');
  out.push('');
  out.push(distribution(evalDir));
  out.push('');
  out.push('## Throughput (calibration prompts concatenated, one user message, this machine)');
  out.push('');
  out.push(throughput());
  process.stdout.write(`${out.join('\n')}\n`);
}

main();
