// The response cache's back-off after a failed backend command: lookups bypass the backend for a while, then
// one request probes it alone, and its answered command ends the pause. A busy embedder is not a backend
// failure (found by review: it paused the whole cache, exact hits included, and kept re-arming under load).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { compileModelPatterns } from '../../../dataplane/auth/model-matcher.js';
import type { Identity } from '../../../dataplane/auth/identity.js';
import type { CacheBackend } from '../../../dataplane/cache/backend.js';
import { EmbedderBusyError, type Embedder } from '../../../dataplane/cache/embedder.js';
import { createMemoryBackend } from '../../../dataplane/cache/memory-backend.js';
import { BACKOFF_MS, createResponseCache } from '../../../dataplane/cache/response-cache.js';
import { cacheConfigSchema } from '../../../dataplane/cache/schema.js';
import { createGatewayMetrics } from '../../../dataplane/observability/gateway-metrics.js';
import { createLogger } from '../../../dataplane/observability/logger.js';
import { NO_USAGE } from '../../../dataplane/pipeline/context.js';

const identity: Identity = {
  team: 'acme',
  app: 'web',
  user: null,
  keyId: null,
  roles: [],
  method: 'api_key',
  allowedModels: compileModelPatterns(['*']),
};

/** The in-process backend, whose exact reads fail (as a stalled Redis's time out) while `down` is set. */
function flakyBackend() {
  const inner = createMemoryBackend({ maxEntries: 100, maxBytes: 1e7, maxEntriesPerPartition: 100 });
  const state = { down: false, reads: 0 };
  const backend: CacheBackend = {
    ...inner,
    getExact(tenant, model, key) {
      state.reads += 1;
      return state.down ? Promise.reject(new Error('Command timed out')) : inner.getExact(tenant, model, key);
    },
  };
  return { backend, state };
}

/** An embedder that answers one fixed vector, or refuses as a full queue while `busy()` says so. */
function fakeEmbedder(busy: () => boolean = () => false): Embedder {
  return {
    embed() {
      if (busy()) return Promise.reject(new EmbedderBusyError('the embedding queue is full'));
      return Promise.resolve(Float32Array.from({ length: 8 }, (_, i) => (i === 0 ? 1 : 0)));
    },
    prefetch: () => false,
  } as unknown as Embedder;
}

/** A response cache over `backend`, with lookups and stores of one-turn prompts. */
function cacheOver(
  backend: CacheBackend,
  embedder: Embedder | undefined,
  settings: Record<string, unknown> = {},
) {
  const cache = createResponseCache({
    backend,
    embedder,
    metrics: createGatewayMetrics(),
    logger: createLogger('error'),
  });
  const config = cacheConfigSchema.parse({ enabled: true, ...settings });
  const lookup = (q: string) =>
    cache.lookup(config, {
      endpoint: 'chat',
      modelId: 'm',
      body: { model: 'm', temperature: 0, messages: [{ role: 'user', content: q }] },
      identity,
      cacheControl: undefined,
      piiFindings: 0,
      signal: new AbortController().signal,
    });
  const store = async (q: string) => {
    cache.store((await lookup(q))!, {
      endpoint: 'chat',
      body: '{"x":1}',
      usage: NO_USAGE,
      storedAt: Date.now(),
    });
    await sleep(10);
  };
  return { lookup, store };
}

function setup(embedderBusy: () => boolean) {
  const { backend, state } = flakyBackend();
  return { ...cacheOver(backend, fakeEmbedder(embedderBusy)), state };
}

describe('cache back-off after a failed backend command', () => {
  it('bypasses the backend for a while, then lets one request probe it; an answer ends the pause', async () => {
    const { lookup, store, state } = setup(() => false);
    await store('What is the capital of Peru?');
    assert.equal((await lookup('What is the capital of Peru?'))?.hit?.layer, 'exact');
    state.down = true;
    const readsBefore = state.reads;
    assert.equal((await lookup('What is the capital of Peru?'))?.hit, undefined);
    // Paused: no command is sent.
    for (let i = 0; i < 3; i++) assert.equal((await lookup('What is the capital of Peru?'))?.hit, undefined);
    assert.equal(state.reads, readsBefore + 1);
    await sleep(BACKOFF_MS + 50);
    // The pause is over: of two requests at once, one probes (and fails), the other does not wait for it.
    await Promise.all([lookup('What is the capital of Peru?'), lookup('What is the capital of Peru?')]);
    assert.equal(state.reads, readsBefore + 2);
    state.down = false;
    await sleep(BACKOFF_MS + 50);
    assert.equal((await lookup('What is the capital of Peru?'))?.hit?.layer, 'exact');
    // Answered: no pause any more.
    assert.equal((await lookup('What is the capital of Peru?'))?.hit?.layer, 'exact');
  });

  it('a command of another kind answering does not end the pause for the one that failed', async () => {
    const { backend: inner, state } = flakyBackend();
    let searches = 0;
    const backend: CacheBackend = {
      ...inner,
      search() {
        searches += 1;
        return Promise.reject(new Error('Command timed out'));
      },
    };
    const { lookup } = cacheOver(backend, fakeEmbedder());
    await lookup('first question');
    assert.equal(searches, 1);
    await sleep(BACKOFF_MS + 50);
    // The probe's GET answers, its search fails again: still paused, the next request sends nothing.
    await lookup('second question');
    assert.equal(searches, 2);
    const reads = state.reads;
    await lookup('third question');
    assert.equal(searches, 2);
    assert.equal(state.reads, reads);
  });

  it('a failed write ends its pause at the next answered read (writes are skipped while paused)', async () => {
    const { backend: inner, state } = flakyBackend();
    let failWrites = true;
    const backend: CacheBackend = {
      ...inner,
      setExact(...args) {
        return failWrites ? Promise.reject(new Error('OOM command not allowed')) : inner.setExact(...args);
      },
    };
    const { lookup: ask, store } = cacheOver(backend, undefined, { semantic: { enabled: false } });
    const lookup = () => ask('q');
    await store('q');
    failWrites = false;
    const reads = state.reads;
    await lookup();
    assert.equal(state.reads, reads, 'paused: no read');
    await sleep(BACKOFF_MS + 50);
    await lookup();
    await lookup();
    assert.equal(state.reads, reads + 2, 'the probe read answered and ended the pause');
  });

  it('does not pause for a busy embedder: exact hits go on', async () => {
    let busy = false;
    const { lookup, store } = setup(() => busy);
    await store('What is the capital of Peru?');
    busy = true;
    assert.equal((await lookup('Some other question entirely?'))?.hit, undefined);
    assert.equal((await lookup('What is the capital of Peru?'))?.hit?.layer, 'exact');
  });
});
