// The baseline: the load generator talks to the mock upstream with nothing in between. The mock's CPU is
// reported separately for every target, so no process is accounted to this one.
import type { MockProcess } from './mock-process.js';
import type { Target } from './target.js';

export function directTarget(mock: MockProcess): Target {
  return {
    name: 'direct',
    port: mock.port,
    model: 'gpt-4o-mini',
    headers: { authorization: 'Bearer bench' },
    pid: undefined,
    version: `mock upstream (uWebSockets.js ${mock.native ? 'native' : 'FALLBACK, not native'})`,
    stop: async () => {},
  };
}
