// V8 settings of the gateway process, applied by main.ts's first import, before the rest of the gateway is
// loaded or any request allocates.
//
// Allocation-site pretenuring off: V8 allocates objects from an object or array literal straight into the old
// generation once most of them survived a young-generation collection. Under load the gateway's per-request
// literals (contexts, bodies, records) briefly do (a burst keeps many requests in flight at one collection),
// and from then on every request's data is kept through each collection by pointers from its own pretenured
// objects, which only a full collection frees: measured at 2000 req/s pass-through, ≈ 2 MB survived and was
// promoted per young collection (≈ 7 KB per request) and each collection paused the event loop ≈ 4 ms; with
// pretenuring off, ≈ 0.1 MB and ≈ 0.9 ms (bench/README.md, "Young-generation collections"). Nothing in the
// gateway needs it: what lives long (config, tables, caches) is built at start-up or reload.
import { setFlagsFromString } from 'node:v8';

export const V8_FLAGS = ['--no-allocation-site-pretenuring'] as const;

for (const flag of V8_FLAGS) setFlagsFromString(flag);
