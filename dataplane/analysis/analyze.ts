// The whole analysis of one request, in one pass: tokens, complexity, PII and injection signals. Pure CPU;
// it runs inside the analysis worker pool (workers/tasks/analyze.ts), never on the event loop.
import { createComplexityScorer } from './complexity/index.js';
import { extractDefinitionSegments, extractSegments } from './extract.js';
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
    const segments = extractSegments(request.endpoint, request.body);
    const counted = tokens.count(request);
    return {
      tokens: counted,
      complexity: complexity.score(request, segments, counted.prompt),
      pii: pii.scan([...segments, ...extractDefinitionSegments(request.endpoint, request.body)]),
      injection: injection.detect(segments),
    };
  };
}
