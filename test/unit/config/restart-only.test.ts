import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseConfig } from '../../../dataplane/config/load.js';
import { restartOnlyChanges } from '../../../dataplane/config/restart-only.js';

const config = (doc: Record<string, unknown>) => parseConfig(doc, {});

describe('restartOnlyChanges', () => {
  it('names the changed settings a reload cannot apply, and only those', () => {
    const before = config({ limits: { timezone: 'UTC' }, cache: { enabled: false } });
    const after = config({
      limits: { timezone: 'Asia/Tokyo', redis: { url: 'redis://127.0.0.1:6379' }, global: { rpm: 10 } },
      analytics: { client_ip: 'drop' },
      cache: { enabled: true },
      server: { port: 9999, shutdown_grace_ms: 1000 },
    });
    assert.deepEqual(restartOnlyChanges(before, after).sort(), [
      'analytics',
      'cache.enabled',
      'limits.redis',
      'limits.timezone',
      'server.port',
    ]);
  });

  it('switching the semantic layer on, and its index settings, need a restart', () => {
    const before = config({ cache: { enabled: true, semantic: { enabled: false } } });
    const after = config({ cache: { enabled: true, semantic: { enabled: true, quantization: 'bin' } } });
    assert.deepEqual(restartOnlyChanges(before, after).sort(), [
      'cache.semantic.enabled',
      'cache.semantic.quantization',
    ]);
  });

  it('is empty when only reloadable settings change (limits, models, the cache switched off)', () => {
    const before = config({ cache: { enabled: true } });
    const after = config({ limits: { global: { rpm: 5 } }, cache: { enabled: false } });
    assert.deepEqual(restartOnlyChanges(before, after), []);
  });
});
