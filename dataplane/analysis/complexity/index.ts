// Complexity of a request: deterministic features of the latest user message and its context, turned into
// saturating factors, combined into a 0–1 score and a simple/medium/complex class that routing can use.
import type { AnalysisRequest, ComplexityAnalysis, TextSegment } from '../types.js';
import { CODE_PATTERNS, codeFeatures, type CodeFeatures } from './code-features.js';
import { requestFeatures } from './request-features.js';
import { createScreener } from './screen.js';
import { detectScript } from './script.js';
import { TEXT_LEXICONS, TEXT_PATTERNS, textFeatures, type TextFeatures } from './text-features.js';
import { classify, combine, factor, type FactorName } from './weights.js';

export { CLASS_THRESHOLDS, FACTORS, classify, type ClassThresholds } from './weights.js';

export interface ComplexityScorer {
  score(request: AnalysisRequest, segments: readonly TextSegment[], promptTokens: number): ComplexityAnalysis;
}

// Context (system prompt, earlier turns, tool output) counts, but less than what is asked now.
const CONTEXT_WEIGHT = 0.5;

function round(value: number, places = 3): number {
  const scale = 10 ** places;
  return Math.round(value * scale) / scale;
}

/** Up to three factors of at least 0.05, largest first, ties by name: the order `top_factors` reports. */
function topFactors(names: readonly FactorName[], contributions: readonly number[]): FactorName[] {
  const ranked: [FactorName, number][] = [];
  names.forEach((name, i) => {
    if (contributions[i]! >= 0.05) ranked.push([name, contributions[i]!]);
  });
  ranked.sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
  return ranked.slice(0, 3).map(([name]) => name);
}

function blend(focus: TextFeatures, context: TextFeatures, key: keyof TextFeatures): number {
  return focus[key] + CONTEXT_WEIGHT * context[key];
}

export function createComplexityScorer(): ComplexityScorer {
  // Built once: the anchor words of every pattern, so that each text is scanned once and patterns whose
  // words are absent are never run.
  const screener = createScreener([...TEXT_PATTERNS, ...CODE_PATTERNS], TEXT_LEXICONS);
  // The features of empty text (no context, or no user message), worked out once by the same code.
  const none = screener('');
  const emptyText = Object.freeze(textFeatures('', none));
  const emptyCode = Object.freeze(codeFeatures('', none));
  return {
    score(
      request: AnalysisRequest,
      segments: readonly TextSegment[],
      promptTokens: number,
    ): ComplexityAnalysis {
      const req = requestFeatures(request, segments);
      const focusScreen = req.focus === '' ? none : screener(req.focus.toLowerCase());
      const contextScreen = req.context === '' ? none : screener(req.context.toLowerCase());
      const focus = req.focus === '' ? emptyText : textFeatures(req.focus, focusScreen);
      const context = req.context === '' ? emptyText : textFeatures(req.context, contextScreen);
      const focusCode = req.focus === '' ? emptyCode : codeFeatures(req.focus, focusScreen);
      const contextCode = req.context === '' ? emptyCode : codeFeatures(req.context, contextScreen);
      const languages = [...new Set([...focusCode.languages, ...contextCode.languages])].sort();
      const codeAmount = (c: CodeFeatures): number => c.blocks + c.unfencedLines / 8 + c.requests;
      const script =
        req.focus === ''
          ? detectScript(req.context, contextScreen.ascii)
          : detectScript(req.focus, focusScreen.ascii);

      // What is being asked (reasoning, tasks, questions, output) comes from the latest message only; what
      // the model must handle (math, constraints, technical depth) also from the context, at half weight.
      const x: Record<FactorName, number> = {
        length: Math.max(0, promptTokens),
        code: codeAmount(focusCode) + CONTEXT_WEIGHT * codeAmount(contextCode) + languages.length * 0.4,
        math:
          blend(focus, context, 'mathLatex') * 0.5 +
          blend(focus, context, 'mathExpressions') * 0.3 +
          blend(focus, context, 'mathTerms') * 0.4,
        reasoning: focus.reasoning,
        constraints: blend(focus, context, 'constraints') + 0.5 * focus.listItems,
        tasks: Math.max(0, focus.taskVerbs - 1) + 0.2 * focus.separators,
        technical: blend(focus, context, 'technicalTerms'),
        questions: Math.max(0, focus.questions - 1),
        output: focus.outputDemand,
        tools: req.tools + 0.5 * req.toolResults,
        depth: Math.max(0, req.userTurns - 1),
        structured: req.structuredOutput ? 1 : 0,
        language: (script.script === 'latin' || script.script === 'none' ? 0 : 1) + (script.mixed ? 1 : 0),
      };
      // In the order of `x` (the order the factors are combined and reported in).
      const names = Object.keys(x) as FactorName[];
      const contributions = names.map((name) => factor(name, x[name]));
      const score = round(combine(contributions), 4);
      const top = topFactors(names, contributions);

      const result: ComplexityAnalysis = {
        score,
        class: classify(score),
        features: {
          prompt_tokens: promptTokens,
          focus_chars: req.focus.length,
          code_blocks: focusCode.blocks + contextCode.blocks,
          code_languages: languages.join(','),
          code_lines_unfenced: focusCode.unfencedLines + contextCode.unfencedLines,
          code_requests: focusCode.requests,
          math_latex: blend(focus, context, 'mathLatex'),
          math_expressions: blend(focus, context, 'mathExpressions'),
          math_terms: blend(focus, context, 'mathTerms'),
          reasoning_cues: round(focus.reasoning, 2),
          constraints: round(x.constraints, 2),
          list_items: focus.listItems,
          task_verbs: focus.taskVerbs,
          separators: focus.separators,
          technical_terms: round(x.technical, 2),
          questions: focus.questions,
          output_demand: focus.outputDemand,
          tools: req.tools,
          tool_results: req.toolResults,
          turns: req.turns,
          user_turns: req.userTurns,
          structured_output: req.structuredOutput,
          script: script.script,
          mixed_scripts: script.mixed,
          top_factors: top.join(','),
        },
      };
      // Appended one by one (a spread into the literal above takes V8's slow path).
      names.forEach((name, i) => {
        result.features[`factor_${name}`] = round(contributions[i]!);
      });
      return result;
    },
  };
}
