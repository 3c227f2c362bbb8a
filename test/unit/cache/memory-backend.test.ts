// The in-process cache backend (the embedded default without Redis), which issue 7 asks to have "the same
// semantics" as the Redis 8 one: exact entries isolated by tenant and model with a TTL, semantic entries in one
// index per (tenant, model, fingerprint) partition searched by exact cosine similarity, expired entries removed
// lazily by a search and in bulk by the sweep, purge by tenant and/or model counting exact plus semantic
// entries. On top of Redis it must bound its own memory (Redis has maxmemory, this has `memory.max_entries`,
// `memory.max_bytes` and `semantic.max_entries_per_partition`), so those bounds are tested here too, including
// that its entry counts do not drift after expiry, sweeps and purges (a drift would evict too early or never).
// The backend takes a clock (`now`), so TTLs are tested on a fake clock: no waits, no timing.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { CachedAnswer } from '../../../dataplane/cache/answer.js';
import { dot, type CacheBackend, type Partition } from '../../../dataplane/cache/backend.js';
import { createMemoryBackend, type MemoryBackendOptions } from '../../../dataplane/cache/memory-backend.js';
import { NO_USAGE } from '../../../dataplane/pipeline/context.js';

/** A backend on a clock the test moves by hand; bounds large unless a test sets them. */
function backendAt(options: Partial<MemoryBackendOptions> = {}) {
  let t = 1_700_000_000_000;
  const backend = createMemoryBackend({
    maxEntries: 1000,
    maxBytes: 1 << 20,
    maxEntriesPerPartition: 1000,
    now: () => t,
    ...options,
  });
  return { backend, advance: (ms: number) => void (t += ms) };
}

const answer = (body: string): CachedAnswer => ({ endpoint: 'chat', body, usage: NO_USAGE, storedAt: 0 });

/** A unit vector of dimension 4 pointing mostly along `axis`, tilted towards the next axis by `tilt`. */
function unit(axis: number, tilt = 0): Float32Array {
  const v = new Float32Array(4);
  v[axis] = 1;
  v[(axis + 1) % 4] = tilt;
  const norm = Math.hypot(...v);
  return v.map((x) => x / norm);
}

const part = (tenant: string, model = 'gpt-test', fingerprint = 'fp'): Partition => ({
  tenant,
  model,
  fingerprint,
});

/** Ids of the semantic entries a search of `partition` finds, most similar first. */
async function idsIn(backend: CacheBackend, partition: Partition, vector = unit(0)): Promise<string[]> {
  return (await backend.search(partition, vector, 100)).map((c) => c.id);
}

/** Whether exact key `key` of tenant acme/a, model gpt-test is served. */
async function has(backend: CacheBackend, key: string): Promise<boolean> {
  return (await backend.getExact('acme/a', 'gpt-test', key)) !== undefined;
}

describe('memory cache backend: exact entries', () => {
  it('serves an entry only to the tenant and model that stored it', async () => {
    const { backend } = backendAt();
    await backend.setExact('acme/a', 'gpt-test', 'k', answer('A'), 60);
    assert.equal((await backend.getExact('acme/a', 'gpt-test', 'k'))?.body, 'A');
    // The same key is another request of another tenant or model: never served across them.
    assert.equal(await backend.getExact('acme/b', 'gpt-test', 'k'), undefined);
    assert.equal(await backend.getExact('acme', 'gpt-test', 'k'), undefined);
    assert.equal(await backend.getExact('acme/a', 'gpt-other', 'k'), undefined);
  });

  it('expires an entry at its TTL (like Redis EX), and a later set of the key starts a new TTL', async () => {
    const { backend, advance } = backendAt();
    await backend.setExact('acme/a', 'gpt-test', 'k', answer('old'), 10);
    advance(9_999);
    assert.ok(await has(backend, 'k'), 'still served just before its TTL');
    advance(1);
    assert.equal(await backend.getExact('acme/a', 'gpt-test', 'k'), undefined);
    await backend.setExact('acme/a', 'gpt-test', 'k', answer('new'), 10);
    advance(5_000);
    assert.equal((await backend.getExact('acme/a', 'gpt-test', 'k'))?.body, 'new');
  });

  it('evicts the least recently used entry beyond memory.max_entries; a hit makes an entry recent', async () => {
    const { backend } = backendAt({ maxEntries: 2 });
    await backend.setExact('acme/a', 'gpt-test', 'a', answer('A'), 60);
    await backend.setExact('acme/a', 'gpt-test', 'b', answer('B'), 60);
    // Read a: b is now the least recently used, though a was stored first.
    assert.ok(await has(backend, 'a'));
    await backend.setExact('acme/a', 'gpt-test', 'c', answer('C'), 60);
    assert.deepEqual(
      [await has(backend, 'a'), await has(backend, 'b'), await has(backend, 'c')],
      [true, false, true],
    );
  });

  it('evicts least recently used entries beyond memory.max_bytes', async () => {
    // An entry is charged 2 bytes per UTF-16 unit of its body plus 200: 100 characters cost 400, so 1000
    // bytes hold two of them.
    const { backend } = backendAt({ maxBytes: 1000 });
    const body = 'x'.repeat(100);
    await backend.setExact('acme/a', 'gpt-test', 'a', answer(body), 60);
    await backend.setExact('acme/a', 'gpt-test', 'b', answer(body), 60);
    assert.ok(await has(backend, 'a'));
    await backend.setExact('acme/a', 'gpt-test', 'c', answer(body), 60);
    assert.deepEqual(
      [await has(backend, 'a'), await has(backend, 'b'), await has(backend, 'c')],
      [true, false, true],
    );
  });

  it('does not store an answer larger than memory.max_bytes, and evicts nothing for it', async () => {
    const { backend } = backendAt({ maxBytes: 1000 });
    await backend.setExact('acme/a', 'gpt-test', 'a', answer('small'), 60);
    // One huge answer must not flush the whole cache to make room it can never have.
    await backend.setExact('acme/a', 'gpt-test', 'huge', answer('x'.repeat(1000)), 60);
    assert.equal(await has(backend, 'huge'), false);
    assert.ok(await has(backend, 'a'));
  });

  it('charges a rewritten key once: rewriting one entry never evicts the others', async () => {
    const { backend } = backendAt({ maxBytes: 1000, maxEntries: 2 });
    const body = 'x'.repeat(100);
    await backend.setExact('acme/a', 'gpt-test', 'a', answer(body), 60);
    // Twenty rewrites of b: charged 20 × 400 bytes if the old size were not released, which would evict a.
    for (let i = 0; i < 20; i++) await backend.setExact('acme/a', 'gpt-test', 'b', answer(body), 60);
    assert.ok(await has(backend, 'a'));
    assert.ok(await has(backend, 'b'));
  });
});

describe('memory cache backend: semantic entries', () => {
  it('reports a similarity of at most 1: a unit vector with itself sums to a little more in float', () => {
    const v = new Float32Array(384).map((_, i) => Math.sin(i + 1));
    const norm = Math.hypot(...v);
    for (let i = 0; i < v.length; i++) v[i] = v[i]! / norm;
    let raw = 0;
    for (let i = 0; i < v.length; i++) raw += v[i]! * v[i]!;
    assert.ok(raw > 1, `this vector's own product is ${raw}`);
    assert.equal(dot(v, v), 1);
  });

  it('returns up to `count` neighbours of one partition, most similar first, with their exact cosine', async () => {
    const { backend } = backendAt();
    const p = part('acme/a');
    await backend.add(p, 'near', unit(0, 0.1), 'near prompt', answer('N'), 60);
    await backend.add(p, 'mid', unit(0, 1), 'mid prompt', answer('M'), 60);
    await backend.add(p, 'far', unit(2), 'far prompt', answer('F'), 60);
    const found = await backend.search(p, unit(0), 2);
    assert.deepEqual(
      found.map((c) => [c.id, c.prompt, c.answer.body]),
      [
        ['near', 'near prompt', 'N'],
        ['mid', 'mid prompt', 'M'],
      ],
    );
    assert.ok(Math.abs(found[0]!.similarity - 1 / Math.hypot(1, 0.1)) < 1e-6);
    assert.ok(Math.abs(found[1]!.similarity - Math.SQRT1_2) < 1e-6);
  });

  it('never compares vectors across tenants, models or fingerprints (contexts)', async () => {
    const { backend } = backendAt();
    await backend.add(part('acme/a'), 'x', unit(0), 'q', answer('A'), 60);
    assert.deepEqual(await idsIn(backend, part('acme/b')), []);
    assert.deepEqual(await idsIn(backend, part('acme')), []);
    assert.deepEqual(await idsIn(backend, part('acme/a', 'gpt-other')), []);
    assert.deepEqual(await idsIn(backend, part('acme/a', 'gpt-test', 'another-context')), []);
    assert.deepEqual(await idsIn(backend, part('acme/a')), ['x']);
  });

  it('keeps its own copy of a stored vector (the caller reuses the lookup vector)', async () => {
    const { backend } = backendAt();
    const v = unit(0);
    await backend.add(part('acme/a'), 'x', v, 'q', answer('A'), 60);
    v.fill(0);
    const [found] = await backend.search(part('acme/a'), unit(0), 1);
    assert.ok(Math.abs(found!.similarity - 1) < 1e-6);
  });

  it('re-adding an id replaces its entry instead of adding a second one', async () => {
    const { backend } = backendAt();
    await backend.add(part('acme/a'), 'x', unit(0), 'first', answer('1'), 60);
    await backend.add(part('acme/a'), 'x', unit(0), 'second', answer('2'), 60);
    const found = await backend.search(part('acme/a'), unit(0), 10);
    assert.deepEqual(
      found.map((c) => [c.id, c.prompt]),
      [['x', 'second']],
    );
  });

  it('does not return an entry past its TTL, and the search that meets it removes it (lazy, like VREM)', async () => {
    const { backend, advance } = backendAt();
    const p = part('acme/a');
    await backend.add(p, 'short', unit(0), 'q', answer('S'), 10);
    await backend.add(p, 'long', unit(0, 0.5), 'q', answer('L'), 100);
    advance(9_999);
    assert.deepEqual(await idsIn(backend, p), ['short', 'long']);
    advance(1);
    assert.deepEqual(await idsIn(backend, p), ['long']);
    // Removed by that search, not merely hidden: the sweep finds nothing left to remove.
    assert.equal(await backend.sweep(), 0);
    assert.equal(await backend.purge({ tenant: 'acme/a' }), 1);
  });

  it('sweeps expired exact entries too, freeing their share of max_entries and max_bytes', async () => {
    // Room for two entries by count and (each answer ≈ 202 bytes) by size.
    const { backend, advance } = backendAt({ maxEntries: 2, maxBytes: 500 });
    // 'live' first, so that the LRU, if the sweep left 'old' in place, would push 'live' out, not 'old'.
    await backend.setExact('acme/a', 'gpt-test', 'live', answer('L'), 100);
    await backend.setExact('acme/a', 'gpt-test', 'old', answer('O'), 10);
    advance(10_000);
    // Never read again, 'old' would otherwise stay until the LRU pushed it out.
    assert.equal(await backend.sweep(), 1);
    assert.equal(await backend.sweep(), 0);
    // Its slot and bytes are free: a new entry fits beside 'live' without evicting it.
    await backend.setExact('acme/a', 'gpt-test', 'new', answer('N'), 100);
    assert.equal(await has(backend, 'live'), true);
    assert.equal(await has(backend, 'new'), true);
    assert.equal(await backend.purge({ tenant: 'acme/a' }), 2);
  });

  it('sweeps expired entries of every partition, counts them, and leaves live ones', async () => {
    const { backend, advance } = backendAt();
    await backend.add(part('acme/a'), 'a1', unit(0), 'q', answer('1'), 10);
    await backend.add(part('acme/a'), 'a2', unit(1), 'q', answer('2'), 100);
    await backend.add(part('acme/b'), 'b1', unit(0), 'q', answer('3'), 10);
    await backend.add(part('acme/b', 'gpt-other'), 'b2', unit(0), 'q', answer('4'), 10);
    assert.equal(await backend.sweep(), 0);
    advance(10_000);
    assert.equal(await backend.sweep(), 3);
    assert.equal(await backend.sweep(), 0);
    assert.deepEqual(await idsIn(backend, part('acme/a'), unit(1)), ['a2']);
    assert.deepEqual(await idsIn(backend, part('acme/b')), []);
  });

  it('keeps at most max_entries_per_partition entries per partition, dropping the oldest', async () => {
    const { backend } = backendAt({ maxEntriesPerPartition: 2 });
    const p = part('acme/a');
    await backend.add(p, 'e1', unit(0), 'q', answer('1'), 60);
    await backend.add(p, 'e2', unit(0), 'q', answer('2'), 60);
    // Re-adding e1 makes it the newest, so e2 is the one a third entry pushes out.
    await backend.add(p, 'e1', unit(0), 'q', answer('1'), 60);
    await backend.add(p, 'e3', unit(0), 'q', answer('3'), 60);
    assert.deepEqual((await idsIn(backend, p)).sort(), ['e1', 'e3']);
    // Another partition has its own allowance.
    await backend.add(part('acme/b'), 'other', unit(0), 'q', answer('4'), 60);
    assert.deepEqual((await idsIn(backend, p)).sort(), ['e1', 'e3']);
    assert.deepEqual(await idsIn(backend, part('acme/b')), ['other']);
  });

  it('keeps at most memory.max_entries semantic entries in all, dropping from the least recently written partition', async () => {
    const { backend } = backendAt({ maxEntries: 3 });
    await backend.add(part('acme/a'), 'a1', unit(0), 'q', answer('1'), 60);
    await backend.add(part('acme/a'), 'a2', unit(0), 'q', answer('2'), 60);
    await backend.add(part('acme/b'), 'b1', unit(0), 'q', answer('3'), 60);
    await backend.add(part('acme/b'), 'b2', unit(0), 'q', answer('4'), 60);
    assert.deepEqual((await idsIn(backend, part('acme/a'))).sort(), ['a2']);
    assert.deepEqual((await idsIn(backend, part('acme/b'))).sort(), ['b1', 'b2']);
  });

  it('does not count swept or lazily removed entries against memory.max_entries afterwards', async () => {
    const { backend, advance } = backendAt({ maxEntries: 3 });
    for (const id of ['o1', 'o2', 'o3']) await backend.add(part('acme/a'), id, unit(0), 'q', answer(id), 10);
    advance(10_000);
    assert.equal(await backend.sweep(), 3);
    // Three fresh entries fit again: none may be evicted for entries that are gone.
    for (const id of ['n1', 'n2']) await backend.add(part('acme/b'), id, unit(0), 'q', answer(id), 60);
    await backend.add(part('acme/c'), 'n3', unit(0), 'q', answer('n3'), 10);
    assert.deepEqual((await idsIn(backend, part('acme/b'))).sort(), ['n1', 'n2']);
    // n3 expires and a search removes it: a fourth entry still fits.
    advance(10_000);
    assert.deepEqual(await idsIn(backend, part('acme/c')), []);
    await backend.add(part('acme/d'), 'n4', unit(0), 'q', answer('n4'), 60);
    assert.deepEqual((await idsIn(backend, part('acme/b'))).sort(), ['n1', 'n2']);
    assert.deepEqual(await idsIn(backend, part('acme/d')), ['n4']);
  });
});

describe('memory cache backend: purge', () => {
  /** Exact and semantic entries of two tenants of team acme, one team-scoped tenant, two models. */
  async function populated() {
    const { backend } = backendAt();
    for (const tenant of ['acme/a', 'acme/b', 'acme']) {
      for (const model of ['gpt-test', 'gpt-other']) {
        await backend.setExact(tenant, model, 'k', answer(`${tenant} ${model}`), 60);
        await backend.add(part(tenant, model), 'id', unit(0), 'q', answer(`${tenant} ${model}`), 60);
      }
    }
    return backend;
  }

  it("removes one tenant's exact and semantic entries of every model, and counts both", async () => {
    const backend = await populated();
    assert.equal(await backend.purge({ tenant: 'acme/a' }), 4);
    assert.equal(await backend.getExact('acme/a', 'gpt-test', 'k'), undefined);
    assert.deepEqual(await idsIn(backend, part('acme/a', 'gpt-other')), []);
    // A tenant is matched whole: the team-scoped tenant `acme` is not a prefix of `acme/b`, nor the reverse.
    assert.ok(await backend.getExact('acme/b', 'gpt-test', 'k'));
    assert.ok(await backend.getExact('acme', 'gpt-test', 'k'));
    assert.equal(await backend.purge({ tenant: 'acme' }), 4);
    assert.ok(await backend.getExact('acme/b', 'gpt-test', 'k'));
    assert.deepEqual(await idsIn(backend, part('acme/b')), ['id']);
  });

  it("removes one model's entries of every tenant", async () => {
    const backend = await populated();
    assert.equal(await backend.purge({ model: 'gpt-test' }), 6);
    for (const tenant of ['acme/a', 'acme/b', 'acme']) {
      assert.equal(await backend.getExact(tenant, 'gpt-test', 'k'), undefined);
      assert.deepEqual(await idsIn(backend, part(tenant)), []);
      assert.ok(await backend.getExact(tenant, 'gpt-other', 'k'));
      assert.deepEqual(await idsIn(backend, part(tenant, 'gpt-other')), ['id']);
    }
  });

  it("removes one tenant's entries of one model only, and returns 0 when nothing matches", async () => {
    const backend = await populated();
    assert.equal(await backend.purge({ tenant: 'acme/b', model: 'gpt-other' }), 2);
    assert.ok(await backend.getExact('acme/b', 'gpt-test', 'k'));
    assert.equal(await backend.getExact('acme/b', 'gpt-other', 'k'), undefined);
    assert.equal(await backend.purge({ tenant: 'acme/b', model: 'gpt-other' }), 0);
    assert.equal(await backend.purge({ tenant: 'globex' }), 0);
  });

  it('frees the room purged entries took under memory.max_entries', async () => {
    const backend = createMemoryBackend({ maxEntries: 2, maxBytes: 1 << 20, maxEntriesPerPartition: 10 });
    await backend.add(part('acme/a'), 'a1', unit(0), 'q', answer('1'), 60);
    await backend.add(part('acme/a'), 'a2', unit(0), 'q', answer('2'), 60);
    assert.equal(await backend.purge({ tenant: 'acme/a' }), 2);
    await backend.add(part('acme/b'), 'b1', unit(0), 'q', answer('3'), 60);
    await backend.add(part('acme/b'), 'b2', unit(0), 'q', answer('4'), 60);
    assert.deepEqual((await idsIn(backend, part('acme/b'))).sort(), ['b1', 'b2']);
  });
});
