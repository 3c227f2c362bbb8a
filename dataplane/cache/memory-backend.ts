// In-process cache backend: an LRU of exact entries bounded in entries and bytes, and per-partition vector
// lists searched by brute force (a partition holds one tenant's prompts for one model and context, so it is
// small; a dot product over 384 floats costs well under a microsecond).
import type { CachedAnswer } from './answer.js';
import { dot, type CacheBackend, type Partition, type SemanticCandidate } from './backend.js';

export interface MemoryBackendOptions {
  maxEntries: number;
  maxBytes: number;
  maxEntriesPerPartition: number;
  now?: () => number;
}

interface ExactEntry {
  readonly tenant: string;
  readonly model: string;
  readonly answer: CachedAnswer;
  readonly bytes: number;
  readonly expiresAt: number;
}

interface VectorEntry {
  readonly vector: Float32Array;
  readonly prompt: string;
  readonly answer: CachedAnswer;
  readonly expiresAt: number;
}

interface VectorPartition {
  readonly tenant: string;
  readonly model: string;
  readonly entries: Map<string, VectorEntry>;
}

export function createMemoryBackend(options: MemoryBackendOptions): CacheBackend {
  const now = options.now ?? Date.now;
  // Map iteration order is insertion order: re-inserting on a hit makes the first key the least recent.
  const exact = new Map<string, ExactEntry>();
  let exactBytes = 0;
  const partitions = new Map<string, VectorPartition>();
  let vectorEntries = 0;

  const exactKey = (tenant: string, model: string, key: string) => `${tenant}\0${model}\0${key}`;
  const partitionKey = (p: Partition) => `${p.tenant}\0${p.model}\0${p.fingerprint}`;

  function dropExact(key: string, entry: ExactEntry) {
    exact.delete(key);
    exactBytes -= entry.bytes;
  }

  function evictVectors() {
    // Oldest partition's oldest entry first: cheap and close enough to LRU for a bounded in-process index.
    while (vectorEntries > options.maxEntries) {
      const first = partitions.entries().next();
      if (first.done === true) return;
      const [key, partition] = first.value;
      const oldest = partition.entries.keys().next();
      if (oldest.done !== true) {
        partition.entries.delete(oldest.value);
        vectorEntries -= 1;
      }
      if (partition.entries.size === 0) partitions.delete(key);
    }
  }

  return {
    kind: 'memory',
    async getExact(tenant, model, key) {
      const k = exactKey(tenant, model, key);
      const entry = exact.get(k);
      if (entry === undefined) return undefined;
      if (entry.expiresAt <= now()) {
        dropExact(k, entry);
        return undefined;
      }
      exact.delete(k);
      exact.set(k, entry);
      return entry.answer;
    },
    async setExact(tenant, model, key, answer, ttlS) {
      const k = exactKey(tenant, model, key);
      const previous = exact.get(k);
      if (previous !== undefined) dropExact(k, previous);
      const bytes = answer.body.length * 2 + 200;
      if (bytes > options.maxBytes) return;
      exact.set(k, { tenant, model, answer, bytes, expiresAt: now() + ttlS * 1000 });
      exactBytes += bytes;
      for (const [key0, entry] of exact) {
        if (exact.size <= options.maxEntries && exactBytes <= options.maxBytes) break;
        dropExact(key0, entry);
      }
    },
    async search(partition, vector, count) {
      const found = partitions.get(partitionKey(partition));
      if (found === undefined) return [];
      const t = now();
      const scored: SemanticCandidate[] = [];
      for (const [id, entry] of found.entries) {
        if (entry.expiresAt <= t) {
          found.entries.delete(id);
          vectorEntries -= 1;
          continue;
        }
        scored.push({
          id,
          prompt: entry.prompt,
          answer: entry.answer,
          similarity: dot(vector, entry.vector),
        });
      }
      scored.sort((a, b) => b.similarity - a.similarity);
      return scored.slice(0, count);
    },
    async add(partition, id, vector, prompt, answer, ttlS) {
      const key = partitionKey(partition);
      let found = partitions.get(key);
      if (found === undefined) {
        found = { tenant: partition.tenant, model: partition.model, entries: new Map() };
      } else {
        partitions.delete(key);
      }
      partitions.set(key, found);
      if (found.entries.delete(id)) vectorEntries -= 1;
      found.entries.set(id, {
        vector: Float32Array.from(vector),
        prompt,
        answer,
        expiresAt: now() + ttlS * 1000,
      });
      vectorEntries += 1;
      if (found.entries.size > options.maxEntriesPerPartition) {
        const oldest = found.entries.keys().next().value!;
        found.entries.delete(oldest);
        vectorEntries -= 1;
      }
      evictVectors();
    },
    async purge(filter) {
      const matches = (tenant: string, model: string) =>
        (filter.tenant === undefined || filter.tenant === tenant) &&
        (filter.model === undefined || filter.model === model);
      let removed = 0;
      for (const [key, entry] of exact) {
        if (!matches(entry.tenant, entry.model)) continue;
        dropExact(key, entry);
        removed += 1;
      }
      for (const [key, partition] of partitions) {
        if (!matches(partition.tenant, partition.model)) continue;
        removed += partition.entries.size;
        vectorEntries -= partition.entries.size;
        partitions.delete(key);
      }
      return removed;
    },
    async sweep() {
      const t = now();
      let removed = 0;
      // Exact entries too: nothing else would free an expired one that is never read again before the LRU
      // reaches it (Redis expires its own).
      for (const [key, entry] of exact) {
        if (entry.expiresAt > t) continue;
        dropExact(key, entry);
        removed += 1;
      }
      let vectors = 0;
      for (const [key, partition] of partitions) {
        for (const [id, entry] of partition.entries) {
          if (entry.expiresAt > t) continue;
          partition.entries.delete(id);
          vectors += 1;
        }
        if (partition.entries.size === 0) partitions.delete(key);
      }
      vectorEntries -= vectors;
      return removed + vectors;
    },
    ready: () => true,
    async close() {
      exact.clear();
      partitions.clear();
    },
  };
}
