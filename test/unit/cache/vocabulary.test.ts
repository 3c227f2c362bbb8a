// The verifier's table of the characters the embedding model's vocabulary spells (dataplane/cache/verify/
// vocabulary.ts) must be the provisioned model's: checked against its tokenizer.json, so that a model with
// another vocabulary is noticed rather than verified against the wrong table.
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { defaultModelsDir } from '../../../dataplane/cache/embeddings/model.js';
import { VOCABULARY_CHARACTERS } from '../../../dataplane/cache/verify/vocabulary.js';

describe('the verifier’s vocabulary table', () => {
  it('holds exactly the non-ASCII characters of the provisioned model’s WordPiece vocabulary', async () => {
    const file = join(defaultModelsDir(), 'Xenova', 'all-MiniLM-L6-v2', 'tokenizer.json');
    const tokenizer = JSON.parse(await readFile(file, 'utf8')) as {
      model: { type: string; vocab: Record<string, number> };
      normalizer: { type: string; lowercase: boolean };
    };
    assert.equal(tokenizer.model.type, 'WordPiece');
    // The verifier lowercases and strips accents as this normaliser does.
    assert.equal(tokenizer.normalizer.type, 'BertNormalizer');
    assert.equal(tokenizer.normalizer.lowercase, true);
    const chars = new Set<string>();
    for (const piece of Object.keys(tokenizer.model.vocab)) {
      const ch = piece.startsWith('##') ? piece.slice(2) : piece;
      if ([...ch].length === 1 && ch.charCodeAt(0) >= 0x80) chars.add(ch);
    }
    assert.deepEqual([...VOCABULARY_CHARACTERS].sort(), [...chars].sort());
  });
});
