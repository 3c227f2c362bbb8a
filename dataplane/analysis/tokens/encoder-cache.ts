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

function buildEncoder(name: EncodingName): Encoder {
  const api = GptEncoding.getEncodingApi(name, () => loadRanks(name));
  // Prompt text is untrusted: "<|endoftext|>" typed by a user is ordinary text to the API, never a control token.
  const plain: EncodeOptions = { disallowedSpecial: new Set<string>() };
  return {
    name,
    count: (text) => (text === '' ? 0 : api.countTokens(text, plain)),
    encode: (text) => (text === '' ? [] : api.encode(text, plain)),
  };
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
