// The exchange's abort listeners (the request's signal without an AbortSignal) and the abortable delay.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { AbortListeners, delay } from '../../../dataplane/net/abortable.js';

describe('AbortListeners', () => {
  it('runs each listener once, in order, with the reason set; later aborts change nothing', () => {
    const signal = new AbortListeners();
    const calls: string[] = [];
    signal.addEventListener('abort', () => calls.push(`a:${String(signal.reason)}`));
    signal.addEventListener('abort', () => calls.push('b'));
    assert.equal(signal.aborted, false);
    signal.abort('gone');
    signal.abort('again');
    assert.deepEqual(calls, ['a:gone', 'b']);
    assert.equal(signal.aborted, true);
    assert.equal(signal.reason, 'gone');
  });

  it('skips removed listeners, also ones removed by another listener during the abort', () => {
    const signal = new AbortListeners();
    const calls: string[] = [];
    const removed = () => calls.push('removed');
    const late = () => calls.push('late');
    signal.addEventListener('abort', removed);
    signal.removeEventListener('abort', removed);
    signal.addEventListener('abort', () => {
      calls.push('first');
      signal.removeEventListener('abort', late);
    });
    signal.addEventListener('abort', late);
    signal.abort(new Error('x'));
    // The listeners are taken when the abort starts, as an AbortSignal's are: `late` still runs.
    assert.deepEqual(calls, ['first', 'late']);
  });

  it('never calls a listener added after the abort, as an AbortSignal does not', () => {
    const signal = new AbortListeners();
    signal.abort('gone');
    let called = false;
    signal.addEventListener('abort', () => (called = true));
    assert.equal(called, false);
  });
});

describe('delay', () => {
  it('resolves after the time and leaves no listener behind', async () => {
    const signal = new AbortListeners();
    await delay(5, signal);
    let called = false;
    signal.addEventListener('abort', () => (called = true));
    signal.abort('later');
    assert.equal(called, true);
  });

  it('rejects with the reason at once when aborted, before or during the wait', async () => {
    const before = new AbortListeners();
    before.abort(new Error('left before'));
    await assert.rejects(delay(10_000, before), /left before/);
    const during = new AbortListeners();
    const started = performance.now();
    const waiting = delay(10_000, during);
    setTimeout(() => during.abort(new Error('left during')), 5);
    await assert.rejects(waiting, /left during/);
    assert.ok(performance.now() - started < 5_000);
  });

  it('takes a real AbortSignal too', async () => {
    await assert.rejects(delay(10_000, AbortSignal.abort(new Error('aborted signal'))), /aborted signal/);
  });
});
