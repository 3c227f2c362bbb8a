// Replicas whose clocks disagree still share one limit: each Redis store counts in Redis' time (TIME, see
// dataplane/limits/shared-clock.ts), so a replica whose wall clock runs a day ahead neither finds the rate
// window refilled, nor the other replica's concurrency slots expired, nor a fresh budget in "tomorrow's" period.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { connect, createServer, type AddressInfo, type Socket } from 'node:net';
import { describe, it } from 'node:test';
import { isGatewayError } from '../../dataplane/errors/gateway-error.js';
import { request, scope, testLimiter } from '../support/limiter-cases.js';
import { redisCommand, startPrivateRedis } from '../support/redis.js';
import { limitStoresOnPrivateRedis } from '../support/redis-stores.js';

const DAY = 86_400_000;

/** A TCP relay to 127.0.0.1:`port` that holds every chunk `delayMs` in each direction. */
async function slowProxy(port: number, delayMs: number) {
  const sockets = new Set<Socket>();
  const relay = (from: Socket, to: Socket) => {
    from.on('data', (chunk) => setTimeout(() => to.write(chunk), delayMs));
    from.on('close', () => setTimeout(() => to.destroy(), delayMs));
    from.on('error', () => to.destroy());
  };
  const server = createServer((client) => {
    const upstream = connect(port, '127.0.0.1');
    sockets.add(client).add(upstream);
    relay(client, upstream);
    relay(upstream, client);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    close: () => {
      for (const socket of sockets) socket.destroy();
      server.close();
    },
  };
}

describe('limits across replicas with skewed clocks', () => {
  const suite = limitStoresOnPrivateRedis();

  /** Two replicas on one Redis and one key prefix; the second's wall clock runs `skewMs` ahead. */
  async function replicas(skewMs: number) {
    const prefix = `t${randomBytes(4).toString('hex')}:`;
    const make = (localNow?: () => number) =>
      suite.store({ keyPrefix: prefix, ...(localNow === undefined ? {} : { localNow, wallNow: localNow }) });
    const right = make();
    const ahead = make(() => Date.now() + skewMs);
    // Before it reads Redis' clock it runs on its own.
    assert.ok(Math.abs(ahead.now() - (Date.now() + skewMs)) < 50);
    assert.equal(await right.start(), true);
    assert.equal(await ahead.start(), true);
    // Both now read Redis' time (the same machine's clock), whatever their own says.
    assert.ok(Math.abs(ahead.now() - right.now()) < 50, `${ahead.now() - right.now()} ms apart`);
    return {
      right: testLimiter(right),
      ahead: testLimiter(ahead),
      // The counterfactual: the same replica counting in its own wall clock, as limits did before.
      aheadOnItsOwnClock: testLimiter(ahead, { now: () => Date.now() + skewMs }),
    };
  }

  const refusedWith = (code: string) => (e: unknown) => {
    assert.ok(isGatewayError(e), String(e));
    assert.equal(e.status, 429);
    assert.equal(e.code, code);
    return true;
  };

  it('a rate window filled by one replica is full for the other', async () => {
    const { right, ahead, aheadOnItsOwnClock } = await replicas(DAY);
    const s = [scope('rate', { rpm: 10 })];
    for (let i = 0; i < 10; i++) await right.admit(request(`a${i}`, s));
    await assert.rejects(ahead.admit(request('b0', s)), refusedWith('rate_limited'));
    // On its own clock a day has passed and GCRA's whole burst is back.
    await aheadOnItsOwnClock.admit(request('b1', s));
  });

  it("one replica's concurrency slots are not expired for the other", async () => {
    const { right, ahead, aheadOnItsOwnClock } = await replicas(DAY);
    const s = [scope('cc', { concurrency: 2 })];
    await right.admit(request('a0', s));
    await right.admit(request('a1', s));
    await assert.rejects(ahead.admit(request('b0', s)), refusedWith('rate_limited'));
    // On its own clock both slots' reservations expired long ago.
    await aheadOnItsOwnClock.admit(request('b1', s));
  });

  it('a replica that starts while Redis is away writes nothing in its own clock once Redis is back', async () => {
    const own = await startPrivateRedis();
    // 20 ms each way between the store and Redis: the reading of Redis' clock after the connection is ready
    // takes ≈ 0.1 s, long enough for admissions to arrive in between.
    const proxy = await slowProxy(Number(new URL(own.url).port), 20);
    try {
      await own.kill();
      const store = suite.store({
        url: `redis://127.0.0.1:${proxy.port}`,
        keyPrefix: 'late:',
        commandTimeoutMs: 500,
        connectTimeoutMs: 500,
        localNow: () => Date.now() + DAY,
        wallNow: () => Date.now() + DAY,
      });
      assert.equal(await store.start(), false);
      const limiter = testLimiter(store);
      const s = [scope('late', { rpm: 1000, on_backend_error: { rate: 'open' } })];
      // Redis away: admitted by the fail-open policy, nothing written.
      assert.equal((await limiter.admit(request('r0', s))).degraded, true);
      await own.restart();
      // Admissions arrive every 2 ms while the store reconnects; whatever reaches Redis must be in its time.
      const admissions: Promise<boolean>[] = [];
      for (let i = 1; i < 400; i++) {
        admissions.push(limiter.admit(request(`r${i}`, s)).then((t) => !t.degraded));
        await new Promise((resolve) => setTimeout(resolve, 2));
      }
      assert.ok((await Promise.all(admissions)).some(Boolean), 'admissions reached Redis');
      const [seconds] = (await redisCommand(own.url, ['TIME'])) as string[];
      const tat = Number(await redisCommand(own.url, ['GET', 'late:rpm:late']));
      // At most the admitted requests' share of the minute ahead of Redis' time, not a day.
      assert.ok(Math.abs(tat - Number(seconds) * 1000) < 60_000, `${tat - Number(seconds) * 1000} ms off`);
    } finally {
      proxy.close();
      await own.stop();
    }
  });

  it("a day's budget spent through one replica is spent for the other", async () => {
    const { right, ahead, aheadOnItsOwnClock } = await replicas(DAY);
    const s = [scope('budget', { tokens: { day: 300 } })];
    // 100 tokens reserved per request (10 prompt + 90 upper bound): three fill the day.
    for (let i = 0; i < 3; i++) await right.admit(request(`a${i}`, s));
    await assert.rejects(ahead.admit(request('b0', s)), refusedWith('budget_exceeded'));
    // On its own clock it is tomorrow, with a budget of its own.
    await aheadOnItsOwnClock.admit(request('b1', s));
  });
});
