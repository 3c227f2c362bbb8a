// The verifier's table of the characters the embedding model's vocabulary spells (dataplane/cache/verify/
// vocabulary.ts) must be the provisioned model's: checked against its tokenizer.json, so that a model with
// another vocabulary is noticed rather than verified against the wrong table.
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { defaultModelsDir } from '../../../dataplane/cache/embeddings/model.js';
import { VOCABULARY_CHARACTERS } from '../../../dataplane/cache/verify/vocabulary.js';
import { unknownWords } from '../../../dataplane/cache/verify/unseen.js';

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

  it('finds the words the model’s own tokenizer reads as [UNK], no more, no fewer', async () => {
    // The tokenizer the embeddings workers run (transformers.js, from the provisioned folder): its normaliser
    // strips only U+0300–U+036F, deletes control and format characters, and splits off punctuation and CJK.
    const { AutoTokenizer, env } = (await import('@xenova/transformers')) as unknown as {
      AutoTokenizer: { from_pretrained(id: string): Promise<Tokenizer> };
      env: { localModelPath: string; allowRemoteModels: boolean };
    };
    interface Tokenizer {
      encode(text: string, pair: null, options: { add_special_tokens: boolean }): number[];
      model: { convert_ids_to_tokens(ids: number[]): string[] };
    }
    env.localModelPath = defaultModelsDir();
    env.allowRemoteModels = false;
    const tokenizer = await AutoTokenizer.from_pretrained('Xenova/all-MiniLM-L6-v2');
    const samples = [
      'Translate ありがとうございます to English',
      'What does ごはん mean?',
      'मैं खुश हूँ',
      'Say नमस्ते to mom',
      'I am eating pizza\u200D😋 now',
      'What does 👍 mean?',
      '什么是猫？',
      'เมืองหลวงของไทย',
      'What does 한국 mean?',
      'Is ｙｅｓ the answer?',
      'Convert 30°C to °F',
      'café résumé naïve',
      'مرحبا بالعالم',
      'שלום עולם',
      `${'ab'.repeat(60)} x`,
      'What is ٥ plus ٣?',
      '★★★★ rating',
      '👨‍👩‍👧 family',
      'Привет мир',
    ];
    for (const text of samples) {
      const tokens = tokenizer.model.convert_ids_to_tokens(
        tokenizer.encode(text, null, { add_special_tokens: false }),
      );
      assert.equal(unknownWords(text).length, tokens.filter((t) => t === '[UNK]').length, text);
    }
  });
});
