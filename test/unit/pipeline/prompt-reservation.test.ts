// The prompt's share of a reservation when the analysis could not count every part (audio, files).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { choicesOf, promptReservation } from '../../../dataplane/pipeline/prompt-reservation.js';

const base = { counted: 12, completionBound: 50, uncountedParts: 1, contextWindow: 2_000, choices: 1 };

describe('promptReservation', () => {
  it('is the count when every part was counted, or when no context window is configured', () => {
    assert.equal(promptReservation({ ...base, uncountedParts: 0 }), 12);
    assert.equal(promptReservation({ ...base, contextWindow: undefined }), 12);
  });

  it('makes prompt and completion together the window for one choice', () => {
    assert.equal(promptReservation(base) + base.completionBound, 2_000);
    // Without max_tokens the bound is what the window leaves after the count: the count stands.
    assert.equal(promptReservation({ ...base, completionBound: 2_000 - 12 }), 12);
  });

  it('adds the other choices bounds when n > 1 (each choice shares the window with the prompt)', () => {
    const twoChoices = { ...base, completionBound: 100, choices: 2 };
    assert.equal(promptReservation(twoChoices) + twoChoices.completionBound, 2_000 + 50);
  });

  it('never reserves less than the count (a completion bound larger than the window)', () => {
    assert.equal(promptReservation({ ...base, completionBound: 5_000 }), 12);
  });

  it('reads n from a chat body', () => {
    assert.equal(choicesOf({ n: 3 }), 3);
    assert.equal(choicesOf({ n: 1 }), 1);
    assert.equal(choicesOf({}), 1);
    assert.equal(choicesOf({ n: '2' }), 1);
    assert.equal(choicesOf(undefined), 1);
  });
});
