// Model name → tiktoken encoding, including dated snapshots, Azure spellings and unknown names.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { encodingForModel, normalizeModel } from '../../../../dataplane/analysis/tokens/model-encoding.js';

describe('encodingForModel', () => {
  const o200k = [
    'gpt-4o',
    'gpt-4o-2024-08-06',
    'gpt-4o-mini',
    'gpt-4o-mini-2024-07-18',
    'chatgpt-4o-latest',
    'gpt-4.1',
    'gpt-4.1-nano',
    'gpt-4.1-mini-2025-04-14',
    'gpt-4.5-preview',
    'o1',
    'o1-mini',
    'o1-2024-12-17',
    'o3',
    'o3-mini',
    'o4-mini',
    'o4-mini-2025-04-16',
    'gpt-5',
    'gpt-5-mini',
    'gpt-5-nano-2025-08-07',
    'gpt-5-chat-latest',
    'gpt-5.1',
    'GPT-4o',
    'ft:gpt-4o-mini-2024-07-18:acme::abc123',
    'openai/gpt-4o',
  ];
  const cl100k = [
    'gpt-4',
    'gpt-4-0613',
    'gpt-4-32k',
    'gpt-4-turbo',
    'gpt-4-turbo-2024-04-09',
    'gpt-4-1106-preview',
    'gpt-3.5-turbo',
    'gpt-3.5-turbo-0125',
    'gpt-3.5-turbo-16k',
    'gpt-35-turbo',
    'text-embedding-3-small',
    'text-embedding-3-large',
    'text-embedding-ada-002',
  ];

  for (const model of o200k) {
    it(`${model} → o200k_base`, () =>
      assert.deepEqual(encodingForModel(model), { encoding: 'o200k_base', known: true }));
  }
  for (const model of cl100k) {
    it(`${model} → cl100k_base`, () =>
      assert.deepEqual(encodingForModel(model), { encoding: 'cl100k_base', known: true }));
  }

  it('guesses o200k for unknown names, flagged unknown', () => {
    for (const model of ['gpt-6', 'o5', 'my-deployment', 'gpt-4x', 'o10', 'llama-3.1-70b']) {
      assert.deepEqual(encodingForModel(model), { encoding: 'o200k_base', known: false }, model);
    }
  });

  it('normalizes case, fine-tune and vendor prefixes', () => {
    assert.equal(normalizeModel(' GPT-4o '), 'gpt-4o');
    assert.equal(normalizeModel('ft:gpt-3.5-turbo-0125:org:suffix:id'), 'gpt-3.5-turbo-0125');
    assert.equal(normalizeModel('azure/gpt-4'), 'gpt-4');
  });
});
