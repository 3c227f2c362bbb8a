// Lazily built BPE encoders (o200k_base, cl100k_base) from gpt-tokenizer, one per cache.
// Rank tables are loaded on first use so a worker that never sees a gpt-4/3.5 request never pays for cl100k.
import { createRequire } from 'node:module';
import { GptEncoding, type EncodeOptions } from 'gpt-tokenizer/GptEncoding';
import type { RawBytePairRanks } from 'gpt-tokenizer/BytePairEncodingCore';

export type EncodingName = 'o200k_base' | 'cl100k_base';

export interface Encoder {
  readonly name: EncodingName;
  /** Token count of ordinary text; special-token spellings in it count as plain text, as in user content. */
  count(text: string): number;
  encode(text: string): number[];
}

export interface EncoderCache {
  get(name: EncodingName): Encoder;
}

const requireCjs = createRequire(import.meta.url);

function loadRanks(name: EncodingName): RawBytePairRanks {
  // Synchronous on purpose: counting runs synchronously inside a worker thread, and the ESM rank modules
  // could only be loaded lazily with an async import().
  const mod: unknown = requireCjs(`gpt-tokenizer/cjs/bpeRanks/${name}`);
  const ranks = (mod as { default?: unknown }).default;
  if (!Array.isArray(ranks)) throw new Error(`gpt-tokenizer rank table ${name} has an unexpected shape`);
  return ranks as RawBytePairRanks;
}

/**
 * gpt-tokenizer keeps a merge cache of up to 100,000 pieces, evicting the oldest through a Map's first key.
 * Once full and churning (after one large prompt of base64 or random text, ≈ 300,000 distinct pieces per MB)
 * every later lookup walks the deleted entries at the Map's front: the same 1 MB counted again took 8 s
 * instead of 1.8 s, and ordinary 1 KB prompts took twice as long for the rest of the worker's life (found by
 * adversarial testing). A cache never left full does not degrade: it is cleared before the characters counted
 * since the last clear could have filled it (every cached piece has one UTF-16 unit at least, so fewer units
 * than the cache holds cannot fill it). A single text larger than that churns within itself only, as a fresh
 * cache does.
 */
const CHARACTERS_BEFORE_CLEAR = 96_000;

/** Says before each text whether the merge cache must be cleared first (see CHARACTERS_BEFORE_CLEAR). */
export function mergeCacheGuard(limit = CHARACTERS_BEFORE_CLEAR): (length: number) => boolean {
  let sinceClear = 0;
  return (length) => {
    const clear = sinceClear > 0 && sinceClear + length > limit;
    if (clear) sinceClear = 0;
    sinceClear += length;
    return clear;
  };
}

/** The part of gpt-tokenizer's encoding API an encoder uses. */
export interface BpeApi {
  countTokens(text: string, options: EncodeOptions): number;
  encode(text: string, options: EncodeOptions): number[];
  clearMergeCache(): void;
}

/** An encoder over one BPE API, its merge cache kept from filling (mergeCacheGuard). */
export function guardedEncoder(name: EncodingName, api: BpeApi, limit = CHARACTERS_BEFORE_CLEAR): Encoder {
  // Prompt text is untrusted: "<|endoftext|>" typed by a user is ordinary text to the API, never a control token.
  const plain: EncodeOptions = { disallowedSpecial: new Set<string>() };
  const mustClear = mergeCacheGuard(limit);
  const room = (text: string): void => {
    if (mustClear(text.length)) api.clearMergeCache();
  };
  return {
    name,
    count: (text) => {
      if (text === '') return 0;
      room(text);
      return api.countTokens(text, plain);
    },
    encode: (text) => {
      if (text === '') return [];
      room(text);
      return api.encode(text, plain);
    },
  };
}

function buildEncoder(name: EncodingName): Encoder {
  return guardedEncoder(
    name,
    GptEncoding.getEncodingApi(name, () => loadRanks(name)),
  );
}

export function createEncoderCache(): EncoderCache {
  const built = new Map<EncodingName, Encoder>();
  return {
    get(name) {
      let encoder = built.get(name);
      if (encoder === undefined) {
        encoder = buildEncoder(name);
        built.set(name, encoder);
      }
      return encoder;
    },
  };
}
