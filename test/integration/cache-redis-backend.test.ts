// The Redis cache backend's key lifetimes, against real Redis 8 (REDIS_URL).
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import type { CacheBackend } from '../../dataplane/cache/backend.js';
import { createRedisBackend } from '../../dataplane/cache/redis-backend.js';
import { keySegment } from '../../dataplane/cache/tenant.js';
import { NO_USAGE } from '../../dataplane/pipeline/context.js';
import { redisCommand, redisUrl } from '../support/redis.js';
import { waitFor } from '../support/wait.js';

describe('redis cache backend', () => {
  const prefix = `gwc-backend-${randomBytes(4).toString('hex')}:`;
  let backend: CacheBackend;
  before(async () => {
    backend = createRedisBackend({
      url: redisUrl(),
      keyPrefix: prefix,
      commandTimeoutMs: 2000,
      connectTimeoutMs: 2000,
      quantization: 'q8',
      sweepMaxSets: 10,
      sweepMaxMembers: 100,
      onError: () => undefined,
    });
    await waitFor(() => backend.ready(), 'the backend to connect');
  });
  after(() => backend.close());

  it("never shortens a vector set's life below its entries' (a lowered ttl_s after a restart)", async () => {
    const partition = { tenant: 'acme/a', model: 'm', fingerprint: 'f1' };
    const answer = { endpoint: 'chat' as const, body: '{}', usage: NO_USAGE, storedAt: Date.now() };
    const vector = (x: number) => Float32Array.from({ length: 8 }, (_, i) => (i === 0 ? x : 0.1));
    await backend.add(partition, 'id1', vector(1), 'first prompt', answer, 3600);
    await backend.add(partition, 'id2', vector(0.5), 'second prompt', answer, 2);
    const vset = `${prefix}v:${keySegment(partition.tenant)}:${keySegment(partition.model)}:${partition.fingerprint}`;
    const ttl = Number(await redisCommand(redisUrl(), ['TTL', vset]));
    assert.ok(ttl > 3500, `the set expires in ${ttl} s, before its first entry (3600 s)`);
    // A new set gets an expiry (GT alone would leave a set without one forever).
    await backend.add({ ...partition, fingerprint: 'f2' }, 'id3', vector(1), 'third', answer, 60);
    const fresh = Number(await redisCommand(redisUrl(), ['TTL', vset.replace(/f1$/, 'f2')]));
    assert.ok(fresh > 0 && fresh <= 60, `new set TTL ${fresh}`);
  });
});
