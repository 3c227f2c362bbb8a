// Finds a directory of .sql files that ships next to the TypeScript sources. `tsc` copies no .sql into dist/,
// so code running from dist/analytics/ reads them from the source tree (the repo is deployed whole).
import { existsSync, readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/**
 * `dirName` relative to analytics/, found from analytics/ itself (tsx) or from dist/analytics/. A directory
 * counts only if it holds .sql files: dist/analytics/queries/ exists too (the compiled index.js), empty of SQL.
 */
export function findSqlDir(dirName: string, from: string = import.meta.url): string {
  for (const relative of [`./${dirName}/`, `../../analytics/${dirName}/`]) {
    const path = fileURLToPath(new URL(relative, from));
    if (existsSync(path) && readdirSync(path).some((name) => name.endsWith('.sql'))) return path;
  }
  throw new Error(`analytics/${dirName}/ with .sql files not found next to ${fileURLToPath(from)}`);
}
