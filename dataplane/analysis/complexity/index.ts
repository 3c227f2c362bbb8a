// Complexity of a request: deterministic features of the latest user message and its context, turned into
// saturating factors, combined into a 0–1 score and a simple/medium/complex class that routing can use.
import type { AnalysisRequest, ComplexityAnalysis, TextSegment } from '../types.js';
import { codeFeatures, type CodeFeatures } from './code-features.js';
import { requestFeatures } from './request-features.js';
import { detectScript } from './script.js';
import { textFeatures, type TextFeatures } from './text-features.js';
import { classify, combine, factor, type FactorName } from './weights.js';

export { CLASS_THRESHOLDS, FACTORS, classify } from './weights.js';

export interface ComplexityScorer {
  score(request: AnalysisRequest, segments: readonly TextSegment[], promptTokens: number): ComplexityAnalysis;
}

// Context (system prompt, earlier turns, tool output) counts, but less than what is asked now.
const CONTEXT_WEIGHT = 0.5;

function round(value: number, places = 3): number {
  const scale = 10 ** places;
  return Math.round(value * scale) / scale;
}

function blend(focus: TextFeatures, context: TextFeatures, key: keyof TextFeatures): number {
  return focus[key] + CONTEXT_WEIGHT * context[key];
}

export function createComplexityScorer(): ComplexityScorer {
  return {
    score(
      request: AnalysisRequest,
      segments: readonly TextSegment[],
      promptTokens: number,
    ): ComplexityAnalysis {
      const req = requestFeatures(request, segments);
      const focusLower = req.focus.toLowerCase();
      const contextLower = req.context.toLowerCase();
      const focus = textFeatures(req.focus, focusLower);
      const context = textFeatures(req.context, contextLower);
      const focusCode = codeFeatures(req.focus, focusLower);
      const contextCode = codeFeatures(req.context, contextLower);
      const languages = [...new Set([...focusCode.languages, ...contextCode.languages])].sort();
      const codeAmount = (c: CodeFeatures): number => c.blocks + c.unfencedLines / 8 + c.requests;
      const script = detectScript(req.focus === '' ? req.context : req.focus);

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
      };
      const contributions = Object.fromEntries(
        (Object.keys(x) as FactorName[]).map((name) => [name, factor(name, x[name])]),
      ) as Record<FactorName, number>;
      const score = round(combine(Object.values(contributions)), 4);
      const top = (Object.entries(contributions) as [FactorName, number][])
        .filter(([, c]) => c >= 0.05)
        .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))
        .slice(0, 3)
        .map(([name]) => name);

      return {
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
          ...Object.fromEntries(
            Object.entries(contributions).map(([name, c]) => [`factor_${name}`, round(c)]),
          ),
        },
      };
    },
  };
}
