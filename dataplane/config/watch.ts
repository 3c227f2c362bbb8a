// Watches the config file for changes. Editors often replace the file (rename), so the directory is
// watched and events are filtered by name and debounced. Kubernetes mounts a ConfigMap as a symlink
// (gateway.yaml -> ..data/gateway.yaml, ..data -> a timestamped folder) and updates it by swapping `..data`:
// those events carry other names, so an event whose name is not the file's still reloads when the file now
// resolves to another target.
import { realpathSync, watch, type FSWatcher } from 'node:fs';
import { basename, dirname } from 'node:path';

function resolved(path: string): string | undefined {
  try {
    return realpathSync(path);
  } catch {
    return undefined;
  }
}

export function watchConfigFile(path: string, onChange: () => void, debounceMs = 150): { close(): void } {
  const name = basename(path);
  let target = resolved(path);
  let timer: NodeJS.Timeout | undefined;
  let watcher: FSWatcher | undefined;
  try {
    watcher = watch(dirname(path), { persistent: false }, (_event, file) => {
      if (file !== null && file !== name) {
        const now = resolved(path);
        if (now === target) return;
        target = now;
      }
      clearTimeout(timer);
      timer = setTimeout(onChange, debounceMs);
    });
  } catch {
    watcher = undefined;
  }
  return {
    close() {
      clearTimeout(timer);
      watcher?.close();
    },
  };
}
