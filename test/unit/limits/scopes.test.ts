// Limit scope ids and cache tenants join names with `/`: the parts are escaped, so that names containing `/`
// (team `a` + app `b/c` against team `a/b` + app `c`, or a user id `u1/alice`) never share a counter or a tenant.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { compileModelPatterns } from '../../../dataplane/auth/model-matcher.js';
import type { Identity } from '../../../dataplane/auth/identity.js';
import { cacheTenant, idPart } from '../../../dataplane/cache/tenant.js';
import { createScopeResolver } from '../../../dataplane/limits/scopes.js';
import { limitSpecSchema } from '../../../dataplane/limits/schema.js';

const spec = limitSpecSchema.parse({ tokens: { day: 100 } });
const identity = (team: string, app: string, user: string | null = null): Identity => ({
  team,
  app,
  user,
  keyId: null,
  roles: [],
  method: 'api_key',
  allowedModels: compileModelPatterns(['*']),
});

describe('scope ids and tenants', () => {
  const scopes = createScopeResolver({
    teams: {
      a: { apps: { 'b/c': { limits: spec, user_limits: spec } } },
      'a/b': { apps: { c: { limits: spec } } },
      acme: { user_limits: spec, apps: { u1: {}, u2: {} } },
    },
  });
  const ids = (i: Identity) => scopes(i).map((s) => s.id);

  it('names with a slash do not collide', () => {
    assert.notDeepEqual(ids(identity('a', 'b/c')), ids(identity('a/b', 'c')));
    assert.deepEqual(ids(identity('a', 'b/c')), ['app:a/b%2Fc']);
    assert.deepEqual(ids(identity('a/b', 'c')), ['app:a%2Fb/c']);
    assert.notEqual(cacheTenant(identity('a', 'b/c'), 'app'), cacheTenant(identity('a/b', 'c'), 'app'));
  });

  it("a user id cannot name another app's user", () => {
    assert.notDeepEqual(ids(identity('acme', 'u2', 'u1/alice')), ids(identity('acme', 'u1', 'alice')));
    assert.equal(ids(identity('acme', 'u2', 'u1/alice'))[0], 'user:acme/u1%2Falice');
    assert.equal(idPart('100%/x'), '100%25%2Fx');
    assert.equal(idPart('plain-name_1.2'), 'plain-name_1.2');
    // A team named "-" is not the anonymous tenant.
    assert.notEqual(cacheTenant(identity('-', '-'), 'app'), cacheTenant(undefined, 'app'));
  });
});
