// Finds a directory of .sql files that ships next to the TypeScript sources. `tsc` copies no .sql into dist/,
// so code running from dist/analytics/ reads them from the source tree (the repo is deployed whole).
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** `dirName` relative to analytics/, found from analytics/ itself (tsx) or from dist/analytics/. */
export function findSqlDir(dirName: string): string {
  for (const relative of [`./${dirName}/`, `../../analytics/${dirName}/`]) {
    const path = fileURLToPath(new URL(relative, import.meta.url));
    if (existsSync(path)) return path;
  }
  throw new Error(`analytics/${dirName}/ not found next to ${fileURLToPath(import.meta.url)}`);
}
