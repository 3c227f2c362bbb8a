// Where things are on disk, resolved from this file so the bench runs from any working directory, under
// tsx (.ts sources) or compiled (dist/bench/**/*.js).
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const compiled = !import.meta.url.endsWith('.ts');

/** The repository root. */
export const repoRoot = compiled ? resolve(here, '../../..') : resolve(here, '../..');
export const benchDir = join(repoRoot, 'bench');
export const peerDir = join(benchDir, 'peer');
export const portkeyEntry = join(peerDir, 'node_modules/@portkey-ai/gateway/build/start-server.js');

/** A bench script to run in a child process, with the node arguments it needs (tsx for sources). */
export function benchScript(relative: string): { args: string[] } {
  const sourceFile = join(benchDir, relative);
  if (!compiled) return { args: ['--import', 'tsx', sourceFile] };
  const built = join(here, '..', relative.replace(/\.ts$/, '.js'));
  return { args: [existsSync(built) ? built : sourceFile] };
}
