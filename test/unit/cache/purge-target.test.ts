// What DELETE /admin/cache purges, read from its query: every ambiguous or empty query is a 400 naming the
// parameter, never a purge of something else or a 200 that purged nothing (found by black-box testing:
// `model=` answered 200 deleted 0, `tenant=acme` under scope app too, and `tenant` with `team` ignored one).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { purgeTarget } from '../../../dataplane/pipeline/stages/cache-admin.js';
import { isGatewayError } from '../../../dataplane/errors/gateway-error.js';

const target = (query: string, scope: 'app' | 'team' = 'app') =>
  purgeTarget(new URLSearchParams(query), scope);

function refuses(query: string, param: string, scope: 'app' | 'team' = 'app'): void {
  let thrown: unknown;
  try {
    target(query, scope);
  } catch (error) {
    thrown = error;
  }
  assert.ok(isGatewayError(thrown), `${query}: expected a 400`);
  assert.equal(thrown.status, 400, query);
  assert.equal(thrown.toBody().error.param, param, query);
}

describe('purge target', () => {
  it('names a tenant as the cache keys it, by tenant or by team and app, and/or a model', () => {
    assert.deepEqual(target('tenant=acme/search'), { tenant: 'acme/search' });
    assert.deepEqual(target('team=acme&app=search&model=gpt-4o'), { tenant: 'acme/search', model: 'gpt-4o' });
    assert.deepEqual(target('model=gpt-4o'), { model: 'gpt-4o' });
    assert.deepEqual(target('team=acme', 'team'), { tenant: 'acme' });
    assert.deepEqual(target('tenant=acme', 'team'), { tenant: 'acme' });
    // The anonymous tenant.
    assert.deepEqual(target('tenant=-/-'), { tenant: '-/-' });
  });

  it('refuses empty, repeated, conflicting and wrongly shaped parameters', () => {
    refuses('', 'tenant');
    refuses('model=', 'model');
    refuses('tenant=%20', 'tenant');
    refuses('model=a&model=b', 'model');
    refuses('tenant=acme/web&team=ops', 'tenant');
    refuses('app=search', 'team');
    refuses('team=acme', 'app');
    refuses('tenant=acme', 'tenant');
    refuses('tenant=acme/search', 'tenant', 'team');
    refuses('team=acme&app=search', 'app', 'team');
    // A misspelt parameter would have purged the model for every tenant.
    refuses('model=gpt-4o&tenat=acme/search', 'tenat');
    refuses('model=gpt-4o&Tenant=acme/search', 'Tenant');
  });
});
