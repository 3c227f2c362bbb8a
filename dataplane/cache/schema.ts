// Config of the response cache (`cache:`): exact and semantic layers, their policy, the Redis backend and the
// embedding model. Stores and the embedder are built at start; thresholds, TTLs and policy apply on reload.
import { availableParallelism } from 'node:os';
import { z } from 'zod';

const unit = z.number().min(0).max(1);

/**
 * Two embeddings workers where there are two cores: measured on two vCPUs (bench/README.md, cache), 463–501
 * lookups/s at 64 concurrent against 312–325 with one, one lookup alone about as fast.
 */
const WORKERS_DEFAULT = Math.min(2, availableParallelism());

export const embeddingsConfigSchema = z.strictObject({
  /** Hugging Face model id; looked up in `models_dir` first (see `npm run model:provision`). */
  model: z.string().min(1).default('Xenova/all-MiniLM-L6-v2'),
  /** Provisioned models folder; default $AI_GATEWAY_MODELS_DIR or ~/.cache/ai-gateway/models. */
  models_dir: z.string().min(1).optional(),
  /** Download from the Hugging Face hub when the model is not in `models_dir`. */
  allow_remote: z.boolean().default(true),
  /** The int8 model (onnx/model_quantized.onnx): about 2× faster, similarity within 0.01 of fp32 on average. */
  quantized: z.boolean().default(true),
  /**
   * Embeddings worker threads, each with its own session of the model (≈ 150 MB with its arena, measured for
   * the int8 MiniLM); default 2 (1 on one core). Concurrent lookups keep them all busy with micro-batches;
   * one lookup alone uses one of them.
   */
  workers: z.number().int().positive().max(64).default(WORKERS_DEFAULT),
  /**
   * onnxruntime threads inside each worker's session. Idle ones sleep (spinning is off), but one text gets no
   * faster from a second thread; more workers are the better way to use more cores.
   */
  intra_op_threads: z.number().int().positive().default(1),
  /** Most texts embedded in one model call; concurrent lookups wait for a free worker and share a call. */
  max_batch: z.number().int().positive().default(32),
  /** Embeddings waiting for a worker; beyond, the lookup is skipped (a miss, never an error). */
  max_queue: z.number().int().nonnegative().default(1024),
  /** Texts longer than this, characters, are not embedded: the semantic layer skips them (not the exact one). */
  max_input_chars: z.number().int().positive().default(2_000),
  /** Tokens the model reads at most; a text that tokenises to more is skipped like a too-long one. */
  max_tokens: z.number().int().positive().default(256),
  /** Recent texts whose vectors are kept, entries. */
  lru_entries: z.number().int().nonnegative().default(10_000),
});

export const semanticConfigSchema = z.strictObject({
  enabled: z.boolean().default(true),
  /** Cosine similarity a neighbour needs to be served; per-app overrides in `cache.apps`. */
  threshold: unit.default(0.97),
  /**
   * A last user turn longer than the model reads (`embeddings.max_input_chars`/`max_tokens`): `last_paragraph`
   * embeds what follows its last line break and adds everything before it to the partition's fingerprint (two
   * long prompts match only when all but their last paragraphs are identical); `skip` leaves such prompts to
   * the exact layer. A turn without a line break, or whose last paragraph is itself too long, is skipped.
   */
  long_prompts: z.enum(['last_paragraph', 'skip']).default('last_paragraph'),
  /** Deterministic check that rejects look-alikes (negation, antonyms, numbers, entities...). */
  verify: z.boolean().default(true),
  /** Serve semantic hits for requests whose analysis found PII. */
  allow_pii: z.boolean().default(false),
  /** Neighbours fetched per lookup; each is checked against the threshold and verification in order. */
  candidates: z.number().int().positive().max(20).default(3),
  /**
   * Redis vector-set quantisation: q8 (default; 4× smaller than fp32, the ranking it gives is only used to
   * pick candidates, whose similarity is then recomputed exactly), noquant (fp32) or bin (1 bit).
   */
  quantization: z.enum(['q8', 'noquant', 'bin']).default('q8'),
  /** Entries per partition in the in-process index (beyond, the oldest go). */
  max_entries_per_partition: z.number().int().positive().default(10_000),
  /** Background removal of expired entries from vector sets. */
  sweep: z
    .strictObject({
      interval_ms: z.number().int().positive().default(30_000),
      /** Vector sets visited per sweep; bounds the work whatever the index size. */
      max_sets: z.number().int().positive().default(50),
      /** Members sampled per vector set per sweep. */
      max_members: z.number().int().positive().default(100),
    })
    .prefault({}),
});

export const cacheConfigSchema = z.strictObject({
  enabled: z.boolean().default(false),
  /** Who shares entries: every app separately (default) or a whole team. */
  scope: z.enum(['app', 'team']).default('app'),
  /** Entry lifetime, seconds. */
  ttl_s: z.number().int().positive().default(3_600),
  /** Answers larger than this are not stored, bytes. */
  max_entry_bytes: z
    .number()
    .int()
    .positive()
    .default(256 * 1024),
  /** Cacheable only when temperature (1 when absent, OpenAI's default) is at most this. */
  max_temperature: z.number().min(0).max(2).default(0.3),
  /** Two identical requests in flight make one upstream call; the second waits for the first's answer. */
  coalesce: z.boolean().default(true),
  /** How long a coalesced request waits for the first before calling upstream itself, milliseconds. */
  coalesce_wait_ms: z.number().int().positive().default(60_000),
  exact: z.strictObject({ enabled: z.boolean().default(true) }).prefault({}),
  semantic: semanticConfigSchema.prefault({}),
  /** Models whose answers are cached; default every chat model. Globs with `*`. */
  models: z.array(z.string().min(1)).default(['*']),
  /**
   * Per-app settings: by `team/app`, or by app name alone for the apps of that name in every team (the
   * qualified entry wins field by field).
   */
  apps: z
    .record(
      z.string().regex(/^[^/]+(?:\/[^/]+)?$/, 'an app name, or team/app'),
      z.strictObject({
        enabled: z.boolean().optional(),
        semantic_threshold: unit.optional(),
      }),
    )
    .default({}),
  /** Shared store across replicas; without it an in-process LRU and vector index (single replica). */
  redis: z
    .strictObject({
      url: z.string().min(1),
      key_prefix: z.string().default('gwc:'),
      /** A slower command is treated as a miss, milliseconds. */
      command_timeout_ms: z.number().int().positive().default(100),
      connect_timeout_ms: z.number().int().positive().default(1_000),
    })
    .optional(),
  /** In-process store bounds (used without Redis). */
  memory: z
    .strictObject({
      max_entries: z.number().int().positive().default(10_000),
      max_bytes: z
        .number()
        .int()
        .positive()
        .default(64 * 1024 * 1024),
    })
    .prefault({}),
  embeddings: embeddingsConfigSchema.prefault({}),
});

export type CacheConfig = z.infer<typeof cacheConfigSchema>;
export type SemanticConfig = z.infer<typeof semanticConfigSchema>;
export type EmbeddingsConfig = z.infer<typeof embeddingsConfigSchema>;
