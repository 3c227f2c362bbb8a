// Gets the gateway to measure: the working tree rebuilt now (tsc -p tsconfig.build.json), or, with
// --gateway-ref, a committed version unpacked from git into the ignored .data/ folder and built there, so
// the bench can measure the previous commit as the baseline of --compare. The gateway always runs compiled.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export interface GatewayBuild {
  /** dist/dataplane/main.js to run. */
  entry: string;
  /** What was built, for the report. */
  note: string;
}

function tsc(root: string, tscPath: string): { ok: boolean; output: string } {
  const result = spawnSync(process.execPath, [tscPath, '-p', 'tsconfig.build.json'], {
    cwd: root,
    encoding: 'utf8',
    timeout: 300_000,
  });
  return { ok: result.status === 0, output: `${result.stdout ?? ''}${result.stderr ?? ''}`.trim() };
}

export function prepareGateway(
  repoRoot: string,
  ref: string | undefined,
  build: boolean,
  log: (line: string) => void,
): GatewayBuild {
  const tscPath = join(repoRoot, 'node_modules/typescript/bin/tsc');
  let root = repoRoot;
  let what = 'working tree';
  if (ref !== undefined) {
    const sha = execFileSync('git', ['rev-parse', '--verify', `${ref}^{commit}`], {
      cwd: repoRoot,
      encoding: 'utf8',
    }).trim();
    root = join(repoRoot, '.data', `gateway-${sha.slice(0, 12)}`);
    what = `${ref} (${sha.slice(0, 12)})`;
    if (!existsSync(join(root, '.complete'))) {
      log(`unpacking ${what} into ${root}...`);
      rmSync(root, { recursive: true, force: true });
      mkdirSync(root, { recursive: true });
      const tar = execFileSync('git', ['archive', '--format=tar', sha], {
        cwd: repoRoot,
        maxBuffer: 1 << 28,
      });
      execFileSync('tar', ['-x', '-C', root], { input: tar });
      // The old tree uses today's installed packages; a dependency change between the two shows as a build error.
      symlinkSync(join(repoRoot, 'node_modules'), join(root, 'node_modules'));
      writeFileSync(join(root, '.complete'), '');
      build = true;
    }
  }
  let note = `${what}, not rebuilt (--no-build)`;
  if (build) {
    log(`building the gateway from the ${what} (tsc -p tsconfig.build.json)...`);
    const outcome = tsc(root, tscPath);
    note = outcome.ok
      ? `${what}, built for this run`
      : `${what}, BUILD HAD ERRORS, ran the dist/ that was emitted`;
    if (!outcome.ok) log(`build reported errors:\n${outcome.output.split('\n').slice(0, 15).join('\n')}`);
  }
  return { entry: join(root, 'dist/dataplane/main.js'), note };
}
