// How a last user turn longer than the model reads is split: its last paragraph is embedded, the rest joins
// the fingerprint, and the split point does not move with the last paragraph's length.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  lastParagraphInput,
  prefetchText,
  splitLastParagraph,
} from '../../../dataplane/cache/long-prompt.js';
import { cacheConfigSchema } from '../../../dataplane/cache/schema.js';

describe('long prompts: the last paragraph', () => {
  it('splits at the last line break, trimming the tail and ignoring trailing blank lines', () => {
    assert.deepEqual(splitLastParagraph('doc line 1\ndoc line 2\n\n  How do I reset it?  \n\n'), {
      head: 'doc line 1\ndoc line 2\n',
      tail: 'How do I reset it?',
    });
  });

  it('has no split without a line break, or when nothing but blanks comes before the last one', () => {
    assert.equal(splitLastParagraph('one long paragraph, no break at all'), undefined);
    assert.equal(splitLastParagraph('   \n\nonly a question?'), undefined);
  });

  it('puts two questions under one document in one partition, and under two documents in two', () => {
    const input = (text: string) => lastParagraphInput({ text, fingerprint: 'context' })!;
    const a = input('The document.\n\nHow do I reset my password?');
    const b = input('The document.\n\nCould you tell me, please, how one resets a password here?');
    const c = input('The documents.\n\nHow do I reset my password?');
    assert.equal(a.text, 'How do I reset my password?');
    assert.equal(a.fingerprint, b.fingerprint);
    assert.notEqual(a.fingerprint, c.fingerprint);
    assert.notEqual(a.fingerprint, 'context');
    // The fingerprint of the rest of the request still counts.
    assert.notEqual(
      a.fingerprint,
      lastParagraphInput({ text: 'The document.\n\nHow do I reset my password?', fingerprint: 'other' })!
        .fingerprint,
    );
  });

  it('prefetches what the lookup will embed first: the turn, or its last paragraph when too long in characters', () => {
    const config = cacheConfigSchema.parse({ embeddings: { max_input_chars: 40 } });
    assert.equal(prefetchText(config, 'How do I reset my password?'), 'How do I reset my password?');
    const long = `${'A document line. '.repeat(5)}\n\nHow do I reset my password?`;
    assert.equal(prefetchText(config, long), 'How do I reset my password?');
    assert.equal(prefetchText(config, 'x'.repeat(41)), undefined, 'no line break: nothing to embed');
    const skip = cacheConfigSchema.parse({
      embeddings: { max_input_chars: 40 },
      semantic: { long_prompts: 'skip' },
    });
    assert.equal(prefetchText(skip, long), undefined);
  });
});
