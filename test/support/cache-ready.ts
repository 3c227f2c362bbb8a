// Waits for a test gateway's cache backend: the gateway starts without waiting for the cache's Redis
// connection, and a request before it is up bypasses the cache. A purge answers 503 until then (200 at once
// in process) and touches nothing else: no upstream call, no store, no chat record.
import type { TestGateway } from './gateway.js';
import { bearer } from './identities.js';
import { waitFor } from './wait.js';

/** `adminKey`: a key with the admin role (purges need it). */
export async function waitForCacheBackend(gateway: TestGateway, adminKey: string): Promise<void> {
  await waitFor(
    async () => {
      const response = await fetch(`${gateway.url}/admin/cache?tenant=readiness-probe`, {
        method: 'DELETE',
        headers: bearer(adminKey),
      });
      await response.arrayBuffer();
      return response.status === 200;
    },
    'the cache backend to be ready',
    15_000,
  );
}
