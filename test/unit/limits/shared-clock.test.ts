// The shared clock's arithmetic on a scripted server: the offset comes from the read with the shortest round
// trip (the midpoint of that read), a failed synchronisation keeps the previous offset, and concurrent
// synchronisations share one set of reads.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createSharedClock } from '../../../dataplane/limits/shared-clock.js';

/** A local clock that a scripted server advances: each read takes `delays[i]` ms of local time. */
function scripted(serverAhead: number, delays: number[], failAt: number[] = []) {
  const local = { t: 1_000_000 };
  let i = 0;
  const readTime = async () => {
    const k = i++;
    if (failAt.includes(k)) throw new Error('connection lost');
    const delay = delays[k % delays.length]!;
    // The server reads its clock after a quarter of the round trip (not the middle: the estimate's error).
    const server = local.t + delay / 4 + serverAhead;
    local.t += delay;
    return server;
  };
  return { local, readTime, reads: () => i };
}

describe('shared clock', () => {
  it('keeps the read with the shortest round trip, off by at most half of it', async () => {
    const server = scripted(30_000, [80, 4, 50]);
    const clock = createSharedClock({ readTime: server.readTime, localNow: () => server.local.t });
    assert.equal(clock.synchronised(), false);
    assert.equal(await clock.sync(), true);
    assert.equal(server.reads(), 3);
    assert.equal(clock.uncertaintyMs(), 2);
    // The second read (4 ms) was taken: its midpoint is 1 ms after the server's reading, so the estimate runs
    // 1 ms behind.
    const expected = server.local.t + 30_000;
    assert.equal(clock.now() - expected, -1);
    assert.ok(Math.abs(clock.now() - expected) <= clock.uncertaintyMs());
    // The offset is reported against the process's wall clock (the scripted local clock stands still here).
    assert.ok(Math.abs(clock.offsetMs() - (clock.now() - Date.now())) < 50);
  });

  it('runs on the local clock until synchronised, and keeps the last offset when a read fails', async () => {
    // Reads 0 and 4 fail: the first synchronisation and the third.
    const server = scripted(-5_000, [1], [0, 4]);
    const clock = createSharedClock({
      readTime: server.readTime,
      localNow: () => server.local.t,
      onError: () => undefined,
    });
    const before = clock.now();
    assert.equal(await clock.sync(), false);
    assert.equal(clock.synchronised(), false);
    assert.equal(clock.offsetMs(), 0);
    assert.equal(clock.now(), before);
    assert.equal(await clock.sync(), true);
    const synced = clock.now() - server.local.t;
    assert.ok(Math.abs(synced - -5_000) <= 0.5);
    // A later failure leaves the offset as it was.
    server.local.t += 60_000;
    assert.equal(await clock.sync(), false);
    assert.equal(server.reads(), 5);
    assert.equal(clock.synchronised(), true);
    assert.equal(clock.now() - server.local.t, synced);
  });

  it('shares one synchronisation between concurrent callers', async () => {
    const server = scripted(0, [1]);
    const clock = createSharedClock({
      readTime: server.readTime,
      localNow: () => server.local.t,
      samples: 2,
    });
    const [a, b] = await Promise.all([clock.sync(), clock.sync()]);
    assert.deepEqual([a, b], [true, true]);
    assert.equal(server.reads(), 2);
    await clock.sync();
    assert.equal(server.reads(), 4);
  });
});
