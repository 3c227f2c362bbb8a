// Token counting: the analysis worker's prompt counter (exact o200k_base for an OpenAI model) over a chat
// request with an 8 KB and a 64 KB prompt.
import type { createTokenCounter as CreateTokenCounter } from '../../../dataplane/analysis/tokens/index.js';
import { chatBody } from '../../load/chat-request.js';
import type { MicroCase } from './case.js';

function countCase(bytes: number, label: string): MicroCase {
  return {
    id: `token-count-${label}`,
    title: `prompt token count (o200k_base): ${label} prompt`,
    module: 'dataplane/analysis/tokens/index.ts',
    prepare(module) {
      if (typeof module.createTokenCounter !== 'function') return undefined;
      const counter = (module.createTokenCounter as typeof CreateTokenCounter)();
      const request = {
        endpoint: 'chat' as const,
        body: JSON.parse(chatBody('gpt-4o-mini', bytes, false)) as unknown,
        upstreamModel: 'gpt-4o-mini',
        provider: 'openai' as const,
      };
      return () => counter.count(request).prompt;
    },
  };
}

export const tokenCountCases: MicroCase[] = [countCase(8 * 1024, '8KB'), countCase(64 * 1024, '64KB')];
