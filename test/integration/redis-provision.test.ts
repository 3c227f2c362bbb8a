// Checks the Redis that the tests get: the shared server at REDIS_URL is 8.x with vector sets, and
// startPrivateRedis gives a server a test can kill and bring back at the same URL.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { RedisReplyError, redisCommand, redisUrl, startPrivateRedis } from '../support/redis.js';

describe('Redis provisioning', { timeout: 60_000 }, () => {
  it('REDIS_URL is a Redis 8.x', async () => {
    const info = await redisCommand(redisUrl(), ['INFO', 'server']);
    assert.equal(typeof info, 'string');
    const version = /^redis_version:(\S+)/m.exec(info as string)?.[1];
    assert.match(version ?? '(none)', /^8\./, `expected Redis 8.x at ${redisUrl()}`);
  });

  it('vector sets answer VADD and VSIM (the semantic cache depends on them)', async () => {
    const url = redisUrl();
    // A key of its own, so parallel or repeated runs against the same server do not collide.
    const key = `test:redis-provision:${process.pid}:${Date.now()}`;
    try {
      assert.equal(await redisCommand(url, ['VADD', key, 'VALUES', 3, 0.1, 0.2, 0.3, 'e1']), 1);
      assert.equal(await redisCommand(url, ['VADD', key, 'VALUES', 3, -0.3, 0.1, 0.9, 'e2']), 1);
      assert.equal(await redisCommand(url, ['VCARD', key]), 2);
      assert.equal(await redisCommand(url, ['VDIM', key]), 3);
      const reply = await redisCommand(url, ['VSIM', key, 'VALUES', 3, 0.1, 0.2, 0.3, 'WITHSCORES']);
      // RESP2 flattens WITHSCORES into element, score pairs, most similar first.
      assert.ok(Array.isArray(reply), `VSIM replied ${JSON.stringify(reply)}`);
      assert.equal(reply.length, 4);
      assert.equal(reply[0], 'e1');
      assert.ok(Math.abs(Number(reply[1]) - 1) < 1e-3, `self-similarity ${String(reply[1])}`);
      assert.equal(reply[2], 'e2');
      assert.ok(Number(reply[3]) < Number(reply[1]));
    } finally {
      await redisCommand(url, ['DEL', key]);
    }
  });

  it('error replies reject with RedisReplyError', async () => {
    await assert.rejects(redisCommand(redisUrl(), ['NOSUCHCOMMAND']), RedisReplyError);
  });

  it('startPrivateRedis starts a server that can be killed and restarted at the same URL', async () => {
    const redis = await startPrivateRedis();
    try {
      assert.equal(redis.url, `redis://127.0.0.1:${redis.port}`);
      assert.notEqual(redis.url, process.env.REDIS_URL);
      assert.equal(await redisCommand(redis.url, ['PING']), 'PONG');
      assert.equal(await redisCommand(redis.url, ['SET', 'k', 'v']), 'OK');

      await redis.kill();
      await assert.rejects(redisCommand(redis.url, ['PING']), { code: 'ECONNREFUSED' });

      await redis.restart();
      assert.equal(await redisCommand(redis.url, ['PING']), 'PONG');
      // No persistence: a restarted server comes back empty, as tests of a Redis crash expect.
      assert.equal(await redisCommand(redis.url, ['GET', 'k']), null);
    } finally {
      await redis.stop();
    }
    await assert.rejects(redisCommand(redis.url, ['PING']), { code: 'ECONNREFUSED' });
  });
});
