// The "old" side of old-versus-new: the repository's sources at a git ref (typically HEAD, the previous
// commit) unpacked into the git-ignored .data/ folder of the repo, so their imports of npm packages still
// resolve from the repo's node_modules while tsc and eslint never see them. Only reads git (git archive);
// the work tree's tracked files and the index are untouched.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';

export interface OldSource {
  /** Directory that mirrors the repository root for the old version. */
  root: string;
  label: string;
}

function git(repoRoot: string, args: string[]): string {
  return execFileSync('git', args, {
    cwd: repoRoot,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
  }).trim();
}

/** `ref` is a git ref or a directory holding an old copy of the repo; undefined when there is no old side. */
export function resolveOldSource(
  repoRoot: string,
  ref: string,
  log: (line: string) => void,
): OldSource | undefined {
  if (existsSync(ref)) return { root: ref, label: ref };
  let sha: string;
  try {
    sha = git(repoRoot, ['rev-parse', '--verify', '--quiet', `${ref}^{commit}`]);
  } catch {
    log(`no old version: git ref "${ref}" does not exist (nothing committed yet?); timing the new code only`);
    return undefined;
  }
  const root = join(repoRoot, '.data', `micro-old-${sha.slice(0, 12)}`);
  if (!existsSync(join(root, '.complete'))) {
    rmSync(root, { recursive: true, force: true });
    mkdirSync(root, { recursive: true });
    const tar = execFileSync('git', ['archive', '--format=tar', sha], { cwd: repoRoot, maxBuffer: 1 << 28 });
    execFileSync('tar', ['-x', '-C', root], { input: tar });
    execFileSync('touch', [join(root, '.complete')]);
  }
  return { root, label: `${ref} (${sha.slice(0, 12)})` };
}
