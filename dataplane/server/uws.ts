// Loads the native uWebSockets.js binary directly. The npm package would silently fall back to a slow
// JavaScript implementation when the binary does not load; the gateway refuses to start instead.
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type * as UwsTypes from 'uWebSockets.js';

export type Uws = typeof UwsTypes;

export class NativeServerUnavailableError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'NativeServerUnavailableError';
  }
}

export function loadNativeUws(): Uws {
  const require = createRequire(import.meta.url);
  const packageDir = dirname(require.resolve('uWebSockets.js/package.json'));
  const binary = join(
    packageDir,
    'binaries',
    `uws_${process.platform}_${process.arch}_${process.versions.modules}.node`,
  );
  let uws: Uws;
  try {
    uws = require(binary) as Uws;
  } catch (error) {
    throw new NativeServerUnavailableError(
      `The native uWebSockets.js binary did not load (${binary}): ${(error as Error).message}. ` +
        'The gateway does not run on the slow JavaScript fallback; use Node 20 on glibc Linux.',
      { cause: error },
    );
  }
  if (typeof uws.App !== 'function' || typeof uws.us_socket_local_port !== 'function') {
    throw new NativeServerUnavailableError(`${binary} is not the native uWebSockets.js module.`);
  }
  return uws;
}
