// Config file watching on real directories: a plain file, a symlinked file edited where it lives, and a
// Kubernetes-style swap of the link's folder, after which edits of the new target are seen too.
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rename, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { watchConfigFile } from '../../../dataplane/config/watch.js';

const dirs: string[] = [];
after(async () => {
  for (const dir of dirs) await rm(dir, { recursive: true, force: true });
});

/** Resolves once `count()` has grown past `from` (the watcher fired), or fails after 3 s. */
async function firedAfter(count: () => number, from: number): Promise<void> {
  for (let i = 0; i < 300 && count() <= from; i++) await new Promise((resolve) => setTimeout(resolve, 10));
  assert.ok(count() > from, 'the watcher did not fire');
}

describe('watchConfigFile', () => {
  it('a plain file: an edit in place fires', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'gw-watch-'));
    dirs.push(dir);
    const path = join(dir, 'gateway.yaml');
    await writeFile(path, 'a: 1\n');
    let fired = 0;
    const watcher = watchConfigFile(path, () => fired++, 10);
    try {
      await writeFile(path, 'a: 2\n');
      await firedAfter(() => fired, 0);
    } finally {
      watcher.close();
    }
  });

  it('a symlink to a file elsewhere: an edit of the target in place fires, and after a swap the new target', async () => {
    const root = await mkdtemp(join(tmpdir(), 'gw-watch-'));
    dirs.push(root);
    await mkdir(join(root, 'etc'));
    await mkdir(join(root, 'conf', 'v1'), { recursive: true });
    await mkdir(join(root, 'conf', 'v2'), { recursive: true });
    await writeFile(join(root, 'conf', 'v1', 'gateway.yaml'), 'a: 1\n');
    await writeFile(join(root, 'conf', 'v2', 'gateway.yaml'), 'a: 2\n');
    await symlink(join(root, 'conf', 'v1', 'gateway.yaml'), join(root, 'etc', 'gateway.yaml.next'));
    await rename(join(root, 'etc', 'gateway.yaml.next'), join(root, 'etc', 'gateway.yaml'));
    const path = join(root, 'etc', 'gateway.yaml');
    let fired = 0;
    const watcher = watchConfigFile(path, () => fired++, 10);
    try {
      await writeFile(join(root, 'conf', 'v1', 'gateway.yaml'), 'a: 11\n');
      await firedAfter(() => fired, 0);
      // The link now points at v2 (replaced atomically, as deployment tools do).
      await symlink(join(root, 'conf', 'v2', 'gateway.yaml'), join(root, 'etc', 'gateway.yaml.next'));
      await rename(join(root, 'etc', 'gateway.yaml.next'), path);
      await firedAfter(() => fired, 1);
      await new Promise((resolve) => setTimeout(resolve, 50));
      const afterSwap = fired;
      await writeFile(join(root, 'conf', 'v2', 'gateway.yaml'), 'a: 22\n');
      await firedAfter(() => fired, afterSwap);
      // Replaced in place under its own name (rm, then ln -s), back to v1: v1 is followed again.
      await rm(path);
      await symlink(join(root, 'conf', 'v1', 'gateway.yaml'), path);
      await firedAfter(() => fired, afterSwap + 1);
      await new Promise((resolve) => setTimeout(resolve, 50));
      const afterReplace = fired;
      await writeFile(join(root, 'conf', 'v1', 'gateway.yaml'), 'a: 12\n');
      await firedAfter(() => fired, afterReplace);
      // Back to v2 through a rename, so that the old target (v1) is the one no longer followed below.
      await symlink(join(root, 'conf', 'v2', 'gateway.yaml'), join(root, 'etc', 'gateway.yaml.next'));
      await rename(join(root, 'etc', 'gateway.yaml.next'), path);
      await new Promise((resolve) => setTimeout(resolve, 100));
      // The old target is no longer followed.
      await new Promise((resolve) => setTimeout(resolve, 50));
      const settled = fired;
      await writeFile(join(root, 'conf', 'v1', 'gateway.yaml'), 'a: 111\n');
      await new Promise((resolve) => setTimeout(resolve, 200));
      assert.equal(fired, settled);
    } finally {
      watcher.close();
    }
  });
});
