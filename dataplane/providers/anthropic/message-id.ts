// The Anthropic message id of a translated OpenAI-shaped answer.
import { createUuidV7 } from '../../ids/uuidv7.js';

/**
 * `msg_` + the upstream's id; an upstream that sent an empty one (Azure's first stream chunk) gets a fresh id,
 * so that answers are not all "msg_". A generator per call: this fallback is rare.
 */
export function anthropicMessageId(upstreamId: string): string {
  if (upstreamId.startsWith('msg_') && upstreamId.length > 'msg_'.length) return upstreamId;
  if (upstreamId !== '' && upstreamId !== 'msg_') return `msg_${upstreamId}`;
  return `msg_${createUuidV7()().replaceAll('-', '')}`;
}
