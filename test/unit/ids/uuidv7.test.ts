// UUIDv7: version and variant bits, time order, uniqueness.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createUuidV7 } from '../../../dataplane/ids/uuidv7.js';

describe('uuidv7', () => {
  it('has the v7 layout and the current time in its first 48 bits', () => {
    const id = createUuidV7()();
    assert.match(id, /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    const ms = parseInt(id.slice(0, 8) + id.slice(9, 13), 16);
    assert.ok(Math.abs(ms - Date.now()) < 1000);
  });

  it('is unique over many ids', () => {
    const next = createUuidV7();
    const ids = new Set(Array.from({ length: 50_000 }, () => next()));
    assert.equal(ids.size, 50_000);
  });
});
