// Where provisioned models and cached downloads live. Kept free of heavy imports so runtime code can ask
// for the models directory without pulling in the provisioning machinery.
import { homedir } from 'node:os';
import { join } from 'node:path';

export const MODEL_ID = 'Xenova/all-MiniLM-L6-v2';
export type ModelId = typeof MODEL_ID;

/** `$AI_GATEWAY_MODELS_DIR`, else `~/.cache/ai-gateway/models` (transformers.js `env.localModelPath`). */
export function defaultModelsDir(): string {
  const fromEnv = process.env.AI_GATEWAY_MODELS_DIR;
  return fromEnv !== undefined && fromEnv !== ''
    ? fromEnv
    : join(homedir(), '.cache', 'ai-gateway', 'models');
}

/** Downloaded wheels are cached here, keyed by file name and re-verified by sha256 on reuse. */
export function defaultDownloadsDir(): string {
  return join(homedir(), '.cache', 'ai-gateway', 'downloads');
}

/** The model folder transformers.js resolves for MODEL_ID under a models directory. */
export function modelDir(modelsDir: string): string {
  return join(modelsDir, ...MODEL_ID.split('/'));
}
