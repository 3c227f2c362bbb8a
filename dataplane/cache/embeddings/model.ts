// Loads a sentence-embedding model: transformers.js reads the model folder (local, or the Hugging Face hub) and
// tokenizes; the ONNX graph runs on onnxruntime-node's CPU provider in a session made here; mean pooling and
// L2 normalisation follow (mean-pool.ts). Runs inside an embeddings worker thread and in the bench's eval
// script and the provisioning check.
// The session is made here, not by transformers.js' pipeline, for three reasons: transformers.js 2.17 runs
// its sessions through onnxruntime 1.14 only (its tensor shapes predate 1.2x), onnxruntime-node 1.14's binding
// is not context-aware (one thread per process may load it: no second embeddings worker), and it cannot turn
// off the spinning of idle intra-op threads. onnxruntime-node 1.30 can both; there is no WASM fallback to
// guard against either, since nothing here retries on another engine.
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { homedir, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { InferenceSession, Tensor } from 'onnxruntime-node';
import { meanPoolNormalize } from './mean-pool.js';

export interface EmbeddingModelOptions {
  /** A Hugging Face model id (e.g. Xenova/all-MiniLM-L6-v2), looked up in `modelsDir` first. */
  model: string;
  /** Folder of provisioned models: `<modelsDir>/<model id>/{config.json,tokenizer.json,onnx/model.onnx}`. */
  modelsDir: string;
  /** Download from the Hugging Face hub when the folder lacks the model. */
  allowRemote: boolean;
  /** Use `onnx/model_quantized.onnx` instead of `onnx/model.onnx`. */
  quantized: boolean;
  /** onnxruntime intra-op threads per session (idle ones sleep: spinning is turned off). */
  intraOpThreads: number;
  /** Longest input in tokens; longer text is cut (the model saw at most this many in training). */
  maxTokens: number;
}

export interface EmbeddingModel {
  readonly dims: number;
  /** One L2-normalised vector per text, packed row after row. */
  embed(texts: readonly string[]): Promise<Float32Array>;
  /** Releases the onnxruntime session (the bench and the provisioning check load several models). */
  close(): Promise<void>;
}

/**
 * The configured `models_dir` with a leading `~/` read as the home directory (YAML has no shell to expand it),
 * else the default below.
 */
export function resolveModelsDir(
  configured: string | undefined,
  env: NodeJS.ProcessEnv = process.env,
): string {
  if (configured === undefined) return defaultModelsDir(env);
  if (configured === '~') return homedir();
  return configured.startsWith('~/') ? join(homedir(), configured.slice(2)) : configured;
}

/** `$AI_GATEWAY_MODELS_DIR` (when set and not empty), else `~/.cache/ai-gateway/models`. */
export function defaultModelsDir(env: NodeJS.ProcessEnv = process.env): string {
  const fromEnv = env.AI_GATEWAY_MODELS_DIR;
  return fromEnv !== undefined && fromEnv !== ''
    ? fromEnv
    : join(homedir(), '.cache', 'ai-gateway', 'models');
}

/**
 * A path holding exactly these model bytes (a model transformers.js fetched from the hub): the file at
 * `expected` when it holds them (its hub cache writes there; same size, then compared byte for byte), else a
 * private temporary copy, removed by `done`.
 */
export async function modelPath(
  bytes: Uint8Array,
  expected: string,
): Promise<{ path: string; done(): Promise<void> }> {
  const size = await stat(expected).then(
    (s) => s.size,
    () => -1,
  );
  if (size === bytes.byteLength) {
    const onDisk = await readFile(expected).catch(() => undefined);
    if (onDisk !== undefined && Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).equals(onDisk))
      return { path: expected, done: async () => undefined };
  }
  const dir = await mkdtemp(join(tmpdir(), 'ai-gateway-model-'));
  const done = () => rm(dir, { recursive: true, force: true });
  const path = join(dir, 'model.onnx');
  try {
    await writeFile(path, bytes);
  } catch (error) {
    // A full disk must not leave a partial copy of up to 90 MB behind.
    await done();
    throw error;
  }
  return { path, done };
}

/**
 * What transformers.js' tokenizer returns for `{ padding: true, truncation: true, return_tensor: false }`: one
 * padded row of ids per text. (Its tensors would wrap onnxruntime 1.14's tensor class and lose their data
 * under 1.30, whose tensors keep it behind a getter.)
 */
interface Encoded {
  input_ids: number[][];
  attention_mask: number[][];
  token_type_ids?: number[][];
}
type Tokenizer = ((
  texts: string[],
  options: { padding: true; truncation: true; return_tensor: false },
) => Encoded) & {
  model_max_length: number;
};

/** Rows of equal length packed into one int64 buffer, row after row. */
function packRows(rows: readonly (readonly number[])[], width: number): BigInt64Array {
  const packed = new BigInt64Array(rows.length * width);
  rows.forEach((row, r) => {
    for (let i = 0; i < width; i++) packed[r * width + i] = BigInt(row[i]!);
  });
  return packed;
}

/** The version of the onnxruntime-node package that runs the sessions, for logs and provenance. */
export async function onnxruntimeVersion(): Promise<string> {
  const ort = await import('onnxruntime-node');
  return ort.env.versions.node ?? ort.env.versions.common ?? 'unknown';
}

/** transformers.js' hub module (its package has no export map, so the file is addressed directly). */
const HUB_MODULE = '@xenova/transformers/src/utils/hub.js';

export async function loadEmbeddingModel(options: EmbeddingModelOptions): Promise<EmbeddingModel> {
  const ort = await import('onnxruntime-node');
  const transformers = await import('@xenova/transformers');
  // Not re-exported by the package's entry; its hub module is where the pipeline finds model files.
  const hub = (await import(HUB_MODULE)) as {
    getModelFile(model: string, file: string, fatal: boolean, options: object): Promise<Uint8Array>;
  };
  const env = transformers.env;
  env.localModelPath = resolve(options.modelsDir) + '/';
  env.cacheDir = resolve(options.modelsDir);
  env.allowLocalModels = true;
  env.allowRemoteModels = options.allowRemote;
  const fileInRepo = options.quantized ? 'onnx/model_quantized.onnx' : 'onnx/model.onnx';
  const expectedFile = join(resolve(options.modelsDir), options.model, fileInRepo);
  let tokenizer: Tokenizer;
  let session: InferenceSession;
  try {
    tokenizer = (await transformers.AutoTokenizer.from_pretrained(options.model)) as unknown as Tokenizer;
    // A provisioned file is opened by onnxruntime itself: reading its bytes here first would hold another
    // copy (58 MB for the int8 model) in every worker while the session loads. Otherwise transformers.js
    // fetches it from the hub (with its own cache), and onnxruntime reads a private copy of those bytes.
    const provisioned = await stat(expectedFile).then(
      (s) => s.isFile(),
      () => false,
    );
    const file = provisioned
      ? { path: expectedFile, done: async () => undefined }
      : await modelPath(await hub.getModelFile(options.model, fileInRepo, true, {}), expectedFile);
    try {
      session = await ort.InferenceSession.create(file.path, {
        executionProviders: ['cpu'],
        intraOpNumThreads: options.intraOpThreads,
        interOpNumThreads: 1,
        graphOptimizationLevel: 'all',
        // Idle intra-op threads would otherwise spin for a while after each run, taking a core from the event
        // loop, Redis and the analysis workers on a small machine.
        extra: { session: { intra_op: { allow_spinning: '0' } } },
      });
    } finally {
      await file.done();
    }
  } catch (error) {
    const where = join(resolve(options.modelsDir), options.model);
    // transformers.js words a missing local file in terms of its own settings (local_files_only,
    // env.allowRemoteModels): name the file instead.
    const message = (error as Error).message;
    const missing = /file was not found locally at "([^"]+)"/.exec(message)?.[1];
    throw new Error(
      `embedding model ${options.model} is not available (looked in ${where}` +
        `${options.allowRemote ? ' and on the Hugging Face hub' : '; remote download is off'}); ` +
        `run \`npm run model:provision\`: ${missing === undefined ? message : `${missing} is missing`}`,
      { cause: error },
    );
  }
  tokenizer.model_max_length = options.maxTokens;
  const output = session.outputNames.includes('last_hidden_state')
    ? 'last_hidden_state'
    : session.outputNames[0]!;
  const embed = async (texts: string[]): Promise<{ data: Float32Array; dims: number }> => {
    const inputs = tokenizer(texts, { padding: true, truncation: true, return_tensor: false });
    const width = inputs.input_ids[0]!.length;
    const shape = [texts.length, width];
    const mask = packRows(inputs.attention_mask, width);
    const feeds: Record<string, Tensor> = {};
    for (const name of session.inputNames) {
      if (name === 'input_ids')
        feeds[name] = new ort.Tensor('int64', packRows(inputs.input_ids, width), shape);
      else if (name === 'attention_mask') feeds[name] = new ort.Tensor('int64', mask, shape);
      else if (name === 'token_type_ids') {
        const types = inputs.token_type_ids;
        const packed = types === undefined ? new BigInt64Array(mask.length) : packRows(types, width);
        feeds[name] = new ort.Tensor('int64', packed, shape);
      } else throw new Error(`the embedding model asks for an input this loader does not know: ${name}`);
    }
    const states = (await session.run(feeds))[output]!;
    // A model whose output is already pooled ([batch, dims]) would be averaged along the wrong axis.
    if (states.dims.length !== 3) {
      throw new Error(
        `its output ${output} has shape [${states.dims.join(', ')}], not [batch, tokens, dims]`,
      );
    }
    const [batch, tokens, dims] = states.dims as [number, number, number];
    const data = meanPoolNormalize(states.data as Float32Array, mask, batch, tokens, dims);
    // A text that filled every position was (or may have been) cut by the tokenizer: its row is zeroed, the
    // embedder's sign that the model did not read all of it (an embedding of the beginning would match any
    // text that begins the same way).
    if (tokens >= options.maxTokens) {
      for (let b = 0; b < batch; b++) {
        let kept = 0;
        for (let t = 0; t < tokens; t++) kept += Number(mask[b * tokens + t]);
        if (kept >= options.maxTokens) data.fill(0, b * dims, (b + 1) * dims);
      }
    }
    return { data, dims };
  };
  let dims: number;
  try {
    dims = (await embed(['probe'])).dims;
  } catch (error) {
    await session.release();
    throw new Error(`embedding model ${options.model} does not run: ${(error as Error).message}`, {
      cause: error,
    });
  }
  return {
    dims,
    async embed(texts) {
      if (texts.length === 0) return new Float32Array(0);
      return (await embed([...texts])).data;
    },
    close: () => session.release(),
  };
}
