// The whole analysis of one request, in one pass: tokens, complexity, PII and injection signals. Pure CPU;
// it runs inside the analysis worker pool (workers/tasks/analyze.ts), never on the event loop.
import { classify, createComplexityScorer } from './complexity/index.js';
import { extractDefinitionSegments, extractEmbeddingSegments, extractSegments } from './extract.js';
import { createInjectionDetector } from './injection/index.js';
import { createPiiScanner } from './pii/index.js';
import { createTokenCounter } from './tokens/index.js';
import type { Analysis, AnalysisRequest } from './types.js';

export function createAnalyzer(): (request: AnalysisRequest) => Analysis {
  const tokens = createTokenCounter();
  const pii = createPiiScanner();
  const injection = createInjectionDetector();
  const complexity = createComplexityScorer();
  return (request) => {
    // Embeddings: what budgets need (the input's exact tokens) and what leaves for the provider (PII); there is
    // no conversation to score, nor instructions to a model.
    if (request.endpoint === 'embeddings') {
      return {
        tokens: tokens.count(request),
        complexity: { score: 0, class: 'simple', features: {} },
        pii: pii.scan(extractEmbeddingSegments(request.body)),
        injection: { score: 0, signals: [] },
      };
    }
    const segments = extractSegments(request.endpoint, request.body);
    const counted = tokens.count(request);
    const scored = complexity.score(request, segments, counted.prompt);
    const analysis: Analysis = {
      tokens: counted,
      complexity: scored,
      pii: pii.scan([...segments, ...extractDefinitionSegments(request.endpoint, request.body)]),
      injection: injection.detect(segments),
    };
    const routing = request.routing;
    if (routing !== undefined) {
      const chosen = classify(scored.score, routing.thresholds);
      analysis.routing = { class: chosen, score: scored.score };
      // The complexity was scored with the first count (its length feature); what budgets reserve and the
      // record keeps must be the chosen model's own count, when its tokenizer or limits differ.
      const target = routing.recount?.[chosen];
      if (target !== undefined)
        analysis.tokens = tokens.count({ endpoint: request.endpoint, body: request.body, ...target });
    }
    return analysis;
  };
}
