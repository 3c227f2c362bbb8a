// The whole per-request analysis (tokens, complexity, PII, injection) that the full pipeline runs in its
// worker pool, on chat requests with a 200 B and an 8 KB prompt.
import type { createAnalyzer as CreateAnalyzer } from '../../../dataplane/analysis/analyze.js';
import { chatBody } from '../../load/chat-request.js';
import type { MicroCase } from './case.js';

function analyzeCase(bytes: number, label: string): MicroCase {
  return {
    id: `analyze-${label}`,
    title: `full request analysis: ${label} prompt`,
    module: 'dataplane/analysis/analyze.ts',
    prepare(module) {
      if (typeof module.createAnalyzer !== 'function') return undefined;
      const analyze = (module.createAnalyzer as typeof CreateAnalyzer)();
      const request = {
        endpoint: 'chat' as const,
        body: JSON.parse(chatBody('gpt-4o-mini', bytes, false)) as unknown,
        upstreamModel: 'gpt-4o-mini',
        provider: 'openai' as const,
      };
      return () => analyze(request);
    },
  };
}

export const analyzeCases: MicroCase[] = [analyzeCase(200, '200B'), analyzeCase(8 * 1024, '8KB')];
