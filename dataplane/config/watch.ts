// Watches the config file for changes. Editors often replace the file (rename), so the directory is
// watched and events are filtered by name and debounced. Kubernetes mounts a ConfigMap as a symlink
// (gateway.yaml -> ..data/gateway.yaml, ..data -> a timestamped folder) and updates it by swapping `..data`:
// those events carry other names, so an event whose name is not the file's still reloads when the file now
// resolves to another target. A symlinked file can also be edited where it lives (`/etc/gateway.yaml ->
// /opt/conf/gateway.yaml`): that directory sees the write, not the link's, so it is watched too, and follows the
// link when it is swapped.
import { realpathSync, watch, type FSWatcher } from 'node:fs';
import { basename, dirname, join } from 'node:path';

function resolved(path: string): string | undefined {
  try {
    return realpathSync(path);
  } catch {
    return undefined;
  }
}

function watchDir(dir: string, onEvent: (file: string | null) => void): FSWatcher | undefined {
  try {
    return watch(dir, { persistent: false }, (_event, file) => onEvent(file));
  } catch {
    return undefined;
  }
}

export function watchConfigFile(path: string, onChange: () => void, debounceMs = 150): { close(): void } {
  const name = basename(path);
  let target = resolved(path);
  let timer: NodeJS.Timeout | undefined;
  const changed = (): void => {
    clearTimeout(timer);
    timer = setTimeout(onChange, debounceMs);
  };

  let targetWatcher: FSWatcher | undefined;
  /** Watches the file the link points at, unless that is the watched directory's own entry. */
  const followTarget = (): void => {
    targetWatcher?.close();
    targetWatcher = undefined;
    if (target === undefined || target === join(resolved(dirname(path)) ?? dirname(path), name)) return;
    const targetName = basename(target);
    targetWatcher = watchDir(dirname(target), (file) => {
      if (file === targetName) changed();
    });
  };

  const watcher = watchDir(dirname(path), (file) => {
    // The link may have been replaced under its own name (rm + ln -s) as well as through another name.
    const now = resolved(path);
    if (now !== target) {
      target = now;
      followTarget();
    } else if (file !== null && file !== name) return;
    changed();
  });
  followTarget();
  return {
    close() {
      clearTimeout(timer);
      watcher?.close();
      targetWatcher?.close();
    },
  };
}
