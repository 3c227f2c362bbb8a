// Which vector space an embeddings service produces. Vectors of different models, of the fp32 and the int8
// graph, or of two builds of the same model (provenance versions) are not comparable: stored vectors carry
// this identity in their partition, so a gateway restarted on another model never compares its queries with
// vectors the previous one stored (they expire with their TTL).
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

export interface SpaceInput {
  readonly model: string;
  readonly quantized: boolean;
  /** The folder of provisioned models, where `<model>/provenance.json` names the built graphs' hashes. */
  readonly modelsDir: string;
}

/**
 * An 8-hex-digit identity of (model id, fp32 or int8, the graph's sha256 from the provisioned folder's
 * provenance.json). A model found only in the Hugging Face cache has no provenance: its identity is the model
 * id and variant alone (the hub serves one file per name and revision).
 */
export function embeddingSpace(input: SpaceInput): string {
  let graph = 'unprovisioned';
  try {
    const provenance = JSON.parse(
      readFileSync(join(input.modelsDir, input.model, 'provenance.json'), 'utf8'),
    ) as { onnxSha256?: unknown; quantizedOnnxSha256?: unknown };
    const hash = input.quantized ? provenance.quantizedOnnxSha256 : provenance.onnxSha256;
    if (typeof hash === 'string' && hash !== '') graph = hash;
  } catch {
    // No provisioned folder (the hub's copy is used) or an unreadable provenance: the model id decides.
  }
  return createHash('sha256')
    .update(`${input.model}\0${input.quantized ? 'int8' : 'fp32'}\0${graph}`)
    .digest('hex')
    .slice(0, 8);
}
