// The storage behind the cache: exact entries by key, and semantic entries in one vector index per
// partition (tenant, model, context fingerprint). Two implementations with the same semantics: Redis 8
// (shared by replicas) and in-process (the embedded default, one replica).
import type { CachedAnswer } from './answer.js';

export interface Partition {
  readonly tenant: string;
  /** The routed model id. */
  readonly model: string;
  /** Hash of everything but the last user turn (request-key.ts). */
  readonly fingerprint: string;
}

export interface SemanticCandidate {
  readonly id: string;
  /** The cached prompt's last user turn, for verification. */
  readonly prompt: string;
  readonly answer: CachedAnswer;
  /** Exact cosine similarity, recomputed from the stored full-precision vector. */
  readonly similarity: number;
}

export interface PurgeFilter {
  /** Exact tenant id (`team/app` or `team`); absent: every tenant. */
  readonly tenant?: string;
  /** Routed model id; absent: every model. */
  readonly model?: string;
}

export interface CacheBackend {
  readonly kind: 'redis' | 'memory';
  getExact(tenant: string, model: string, key: string): Promise<CachedAnswer | undefined>;
  setExact(tenant: string, model: string, key: string, answer: CachedAnswer, ttlS: number): Promise<void>;
  /** Up to `count` neighbours, most similar first; expired entries met on the way are removed. */
  search(partition: Partition, vector: Float32Array, count: number): Promise<SemanticCandidate[]>;
  add(
    partition: Partition,
    id: string,
    vector: Float32Array,
    prompt: string,
    answer: CachedAnswer,
    ttlS: number,
  ): Promise<void>;
  /** Entries removed (exact entries plus semantic entries). */
  purge(filter: PurgeFilter): Promise<number>;
  /**
   * One pass removing expired entries, returning how many went: on Redis a bounded one over semantic entries
   * (Redis expires exact entries itself); in process every entry, exact and semantic (at most
   * `memory.max_entries` of each: 10,000 by default, a walk of about a millisecond).
   */
  sweep(): Promise<number>;
  /** False while the backend cannot answer (lookups are skipped as misses). */
  ready(): boolean;
  close(): Promise<void>;
}

/**
 * Dot product: the cosine similarity of two L2-normalised vectors. Clamped to [-1, 1]: their norms are 1 only
 * to float precision, and a record or header reading 1.0000000083 would claim more than identity.
 */
export function dot(a: Float32Array, b: Float32Array): number {
  let sum = 0;
  for (let i = 0; i < a.length; i++) sum += a[i]! * b[i]!;
  return Math.max(-1, Math.min(1, sum));
}
