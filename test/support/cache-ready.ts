// A test gateway with the cache on, in front of an upstream of the test's own, ready before the test body
// runs: the gateway starts without waiting for the cache's Redis connection, and a request before it is up
// bypasses the cache. A purge answers 503 until then (200 at once in process) and touches nothing else: no
// upstream call, no store, no chat record.
import { startTestGateway, type TestGateway } from './gateway.js';
import { bearer } from './identities.js';
import { waitFor } from './wait.js';

/** `adminKey`: a key with the admin role (purges need it). */
export async function waitForCacheBackend(gateway: TestGateway, adminKey: string): Promise<void> {
  await waitFor(
    async () => {
      const response = await fetch(`${gateway.url}/admin/cache?model=readiness-probe`, {
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

/**
 * Starts the upstream, then a gateway on `documentOf(upstream)`, waits for its cache backend, runs `body`, and
 * stops both whatever happens: each test gets its own pair, so counts and records are its alone.
 */
export async function withCacheGateway<U extends { close(): Promise<void> }>(
  startUpstream: () => Promise<U>,
  documentOf: (upstream: U) => Record<string, unknown>,
  adminKey: string,
  body: (gateway: TestGateway, upstream: U) => Promise<void>,
): Promise<void> {
  const upstream = await startUpstream();
  try {
    const gateway = await startTestGateway(documentOf(upstream));
    try {
      await waitForCacheBackend(gateway, adminKey);
      await body(gateway, upstream);
    } finally {
      await gateway.shutdown(1000);
    }
  } finally {
    await upstream.close();
  }
}
