// Which field carries the completion limit of a chat request the gateway writes itself (a Messages body
// translated for an OpenAI-flavoured upstream).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { providerSchema } from '../../../../dataplane/config/schema.js';
import { completionLimitFieldOf } from '../../../../dataplane/providers/openai/index.js';

function fieldFor(config: Record<string, unknown>) {
  const parsed = providerSchema.parse(config);
  if (parsed.type !== 'openai' && parsed.type !== 'azure-openai' && parsed.type !== 'self-hosted') {
    throw new Error('not an OpenAI flavour');
  }
  return completionLimitFieldOf(parsed);
}

describe('completionLimitFieldOf', () => {
  it("uses OpenAI's current field for OpenAI and for Azure API versions that take it", () => {
    assert.equal(fieldFor({ type: 'openai' }), 'max_completion_tokens');
    const azure = { type: 'azure-openai', base_url: 'https://r.openai.azure.com', api_key: 'k' };
    assert.equal(fieldFor(azure), 'max_completion_tokens'); // default api_version 2024-10-21
    assert.equal(fieldFor({ ...azure, api_version: '2024-09-01-preview' }), 'max_completion_tokens');
    assert.equal(fieldFor({ ...azure, api_version: '2025-04-01-preview' }), 'max_completion_tokens');
  });

  it('keeps max_tokens for older Azure API versions and OpenAI-compatible servers', () => {
    const azure = { type: 'azure-openai', base_url: 'https://r.openai.azure.com', api_key: 'k' };
    assert.equal(fieldFor({ ...azure, api_version: '2024-06-01' }), 'max_tokens');
    assert.equal(fieldFor({ ...azure, api_version: '2024-08-01-preview' }), 'max_tokens');
    assert.equal(fieldFor({ type: 'self-hosted', base_url: 'http://127.0.0.1:8000/v1' }), 'max_tokens');
  });
});
