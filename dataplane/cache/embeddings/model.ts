// Loads a sentence-embedding model with transformers.js (feature-extraction, mean pooling, L2-normalised) on
// onnxruntime-node's CPU provider. Runs inside an embeddings worker thread and in the bench's eval script.
// transformers.js silently retries a failed session on its WASM backend; that would be a different, slower
// engine behind the same name, so the session factory is wrapped to refuse anything but the CPU provider.
// The wrapper also loads the session from the model's file rather than from the bytes transformers.js
// passes: onnxruntime-node 1.14 ignores the session options given with a buffer (measured: with
// `intraOpNumThreads: 1` a session from bytes still ran two threads, 2 ms of CPU per ms), so the thread
// count set in config only holds for a session made from a path.
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { homedir, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
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
  /** onnxruntime intra-op threads per session. */
  intraOpThreads: number;
  /** Longest input in tokens; longer text is cut (the model saw at most this many in training). */
  maxTokens: number;
}

export interface EmbeddingModel {
  readonly dims: number;
  /** One L2-normalised vector per text, packed row after row. */
  embed(texts: readonly string[]): Promise<Float32Array>;
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

interface Tensor<T> {
  data: T;
  dims: number[];
}
interface Encoded {
  input_ids: Tensor<BigInt64Array>;
  attention_mask: Tensor<BigInt64Array>;
}
/** The parts of transformers.js' feature-extraction pipeline used here: its tokenizer and its model. */
interface Extractor {
  tokenizer: ((texts: string[], options: { padding: true; truncation: true }) => Encoded) & {
    model_max_length: number;
  };
  model: (inputs: Encoded) => Promise<{ last_hidden_state: Tensor<Float32Array> }>;
}
interface SessionFactory {
  create(...args: unknown[]): Promise<unknown>;
}

const LOADING = Symbol.for('ai-gateway.embedding-model.loading');
type SharedFactory = SessionFactory & { [LOADING]?: Promise<unknown> };

/**
 * Runs `load` with `factory.create` replaced by `wrap(original)` and puts the original back after. The
 * factory is onnxruntime's one class for the whole process, so loads take turns (chained on the factory
 * itself): two loads with different thread counts never see each other's wrapper, nor wrap it again.
 */
export async function withCreate<T>(
  factory: SharedFactory,
  wrap: (original: SessionFactory['create']) => SessionFactory['create'],
  load: () => Promise<T>,
): Promise<T> {
  const turn = (factory[LOADING] ?? Promise.resolve()).then(async () => {
    const original = factory.create;
    factory.create = wrap(original.bind(factory));
    try {
      return await load();
    } finally {
      factory.create = original;
    }
  });
  // The next load waits for this one's outcome, not its value (which would stay referenced from here).
  factory[LOADING] = turn.then(
    () => undefined,
    () => undefined,
  );
  return turn;
}

/**
 * A path holding exactly these model bytes: the provisioned file when it is the one transformers.js read
 * (same size, then compared byte for byte, once per load), else a private temporary copy (a model downloaded
 * from the hub), removed by `done`.
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

export async function loadEmbeddingModel(options: EmbeddingModelOptions): Promise<EmbeddingModel> {
  // The CommonJS module arrives as `default` or as named exports depending on the loader; either way the
  // InferenceSession class is the one object transformers.js calls, so patching it reaches its sessions.
  const ort = (await import('onnxruntime-node')) as unknown as {
    default?: { InferenceSession: SessionFactory };
    InferenceSession?: SessionFactory;
  };
  const factory = (ort.default?.InferenceSession ?? ort.InferenceSession)!;
  const expectedFile = join(
    resolve(options.modelsDir),
    options.model,
    'onnx',
    options.quantized ? 'model_quantized.onnx' : 'model.onnx',
  );
  // transformers.js answers a failed session by retrying on WASM, and logs the failure only as a warning; the
  // first failure is kept so that the refusal of that retry carries the real cause.
  let failure: unknown;
  const cpuSessionFromFile =
    (original: SessionFactory['create']) =>
    async (buffer: unknown, sessionOptions?: { executionProviders?: unknown[] }) => {
      const providers = sessionOptions?.executionProviders ?? [];
      if (!providers.includes('cpu')) {
        const cause = failure instanceof Error ? `: ${failure.message}` : '';
        throw new Error(
          `the embedding model does not load on onnxruntime-node (CPU)${cause}; refusing the WASM fallback`,
          { cause: failure },
        );
      }
      if (!(buffer instanceof Uint8Array)) {
        failure = new Error('transformers.js passed the model as something other than bytes');
        throw failure;
      }
      try {
        const file = await modelPath(buffer, expectedFile);
        try {
          return await original(file.path, {
            executionProviders: ['cpu'],
            intraOpNumThreads: options.intraOpThreads,
            interOpNumThreads: 1,
            graphOptimizationLevel: 'all',
          });
        } finally {
          await file.done();
        }
      } catch (error) {
        failure = error;
        throw error;
      }
    };

  const transformers = await import('@xenova/transformers');
  const env = transformers.env;
  env.localModelPath = resolve(options.modelsDir) + '/';
  env.cacheDir = resolve(options.modelsDir);
  env.allowLocalModels = true;
  env.allowRemoteModels = options.allowRemote;
  let extractor: Extractor;
  try {
    extractor = await withCreate(factory, cpuSessionFromFile, async () => {
      return (await transformers.pipeline('feature-extraction', options.model, {
        quantized: options.quantized,
      })) as unknown as Extractor;
    });
  } catch (error) {
    const where = join(resolve(options.modelsDir), options.model);
    throw new Error(
      `embedding model ${options.model} is not available (looked in ${where}` +
        `${options.allowRemote ? ' and on the Hugging Face hub' : '; remote download is off'}); ` +
        `run \`npm run model:provision\`: ${(error as Error).message}`,
      { cause: error },
    );
  }
  extractor.tokenizer.model_max_length = options.maxTokens;
  // What transformers.js' pipeline does for `{ pooling: 'mean', normalize: true }`, with the pooling in
  // mean-pool.ts (the pipeline's own took as long as the int8 model; see there).
  const embed = async (texts: string[]): Promise<{ data: Float32Array; dims: number }> => {
    const inputs = extractor.tokenizer(texts, { padding: true, truncation: true });
    const { last_hidden_state: states } = await extractor.model(inputs);
    const [batch, tokens, dims] = states.dims as [number, number, number];
    const data = meanPoolNormalize(states.data, inputs.attention_mask.data, batch, tokens, dims);
    // A text that filled every position was (or may have been) cut by the tokenizer: its row is zeroed, the
    // embedder's sign that the model did not read all of it (an embedding of the beginning would match any
    // text that begins the same way).
    if (tokens >= options.maxTokens) {
      const mask = inputs.attention_mask.data;
      for (let b = 0; b < batch; b++) {
        let kept = 0;
        for (let t = 0; t < tokens; t++) kept += Number(mask[b * tokens + t]);
        if (kept >= options.maxTokens) data.fill(0, b * dims, (b + 1) * dims);
      }
    }
    return { data, dims };
  };
  const { dims } = await embed(['probe']);
  return {
    dims,
    async embed(texts) {
      if (texts.length === 0) return new Float32Array(0);
      return (await embed([...texts])).data;
    },
  };
}
