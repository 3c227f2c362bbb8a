// JSON parse of chat bodies: what the gateway does to every request before anything else — JSON.parse and
// validation with the edge schema — at the bench's three prompt sizes.
import type { chatRequestSchema as ChatRequestSchema } from '../../../dataplane/api/openai-chat.js';
import { chatBody } from '../../load/chat-request.js';
import type { MicroCase } from './case.js';

function parseCase(bytes: number, label: string): MicroCase {
  return {
    id: `chat-parse-${label}`,
    title: `JSON.parse + chatRequestSchema: ${label} prompt`,
    module: 'dataplane/api/openai-chat.ts',
    prepare(module) {
      const schema = module.chatRequestSchema as typeof ChatRequestSchema | undefined;
      if (schema === undefined || typeof schema.safeParse !== 'function') return undefined;
      const body = chatBody('bench-model', bytes, false);
      return () => {
        const result = schema.safeParse(JSON.parse(body));
        if (!result.success) throw new Error('the bench body should be valid');
        return result.data;
      };
    },
  };
}

export const chatParseCases: MicroCase[] = [
  parseCase(200, '200B'),
  parseCase(8 * 1024, '8KB'),
  parseCase(64 * 1024, '64KB'),
];
