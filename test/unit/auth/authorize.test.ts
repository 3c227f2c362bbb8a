// Authorization: model lists with wildcards, an app's list narrowing its team's, 403 messages that name
// team, app and model, roles for admin endpoints, and model-list filtering.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  authorizeModel,
  canSee,
  hasRole,
  requireRole,
  type Identity,
} from '../../../dataplane/auth/index.js';
import { hashKeyHex } from '../../../dataplane/auth/key-hash.js';
import { compileModelPatterns, intersectMatchers } from '../../../dataplane/auth/model-matcher.js';
import { acmeTeams, authenticator, never, OPS_KEY, rejectsWith, WEB_KEY } from './support.js';

async function keyIdentity(key: string): Promise<Identity> {
  return authenticator({}, acmeTeams()).authenticate({ authorization: `Bearer ${key}` }, undefined, never);
}

function tokenIdentity(overrides: Partial<Identity>): Identity {
  return {
    team: null,
    app: null,
    user: null,
    keyId: null,
    roles: [],
    method: 'jwt',
    allowedModels: compileModelPatterns([]),
    ...overrides,
  };
}

describe('model matchers', () => {
  it('exact ids, * globs anywhere, and regex characters taken literally', () => {
    const matcher = compileModelPatterns(['gpt-4o*', '*-embed', 'a.b', 'x*y*z', 'alias-fast']);
    for (const yes of ['gpt-4o', 'gpt-4o-mini', 'sim-embed', 'a.b', 'xz-yz', 'xyz', 'alias-fast']) {
      assert.equal(matcher.matches(yes), true, yes);
    }
    for (const no of ['gpt-4', 'axb', 'embed-x', 'x-y', 'alias-fast2', 'GPT-4o']) {
      assert.equal(matcher.matches(no), false, no);
    }
    assert.equal(compileModelPatterns(['*']).matches('anything'), true);
    assert.equal(compileModelPatterns([]).matches('sim-1'), false);
  });

  it('an intersection allows only what both lists allow', () => {
    const matcher = intersectMatchers(
      compileModelPatterns(['gpt-*']),
      compileModelPatterns(['*-mini', 'o1']),
    );
    assert.equal(matcher.matches('gpt-4o-mini'), true);
    assert.equal(matcher.matches('o1'), false);
    assert.equal(matcher.matches('gpt-4o'), false);
    assert.deepEqual(matcher.lists, [['gpt-*'], ['*-mini', 'o1']]);
  });
});

describe('authorizeModel', () => {
  it('a model outside the app’s list is a 403 naming team, app and model', async () => {
    const web = await keyIdentity(WEB_KEY);
    authorizeModel(web, 'gpt-4o-mini');
    await rejectsWith(
      () => authorizeModel(web, 'gpt-4o'),
      403,
      /^App 'web' of team 'acme' may not use model 'gpt-4o'\.$/,
    );
    // Allowed by the team's list but not by the narrower app list.
    await rejectsWith(() => authorizeModel(web, 'claude-sonnet'), 403, /model 'claude-sonnet'/);
  });

  it('an app without its own list gets its team’s wildcards', async () => {
    const teams = acmeTeams() as { acme: { apps: { batch: { keys: unknown[] } } } };
    teams.acme.apps.batch.keys.push({ id: 'batch-1', sha256: hashKeyHex('gw-batch-key') });
    const batch = await authenticator({}, teams).authenticate(
      { 'x-api-key': 'gw-batch-key' },
      undefined,
      never,
    );
    for (const model of ['gpt-4o', 'gpt-4o-2024-08-06', 'claude-3-5-sonnet', 'sim-1'])
      authorizeModel(batch, model);
    await rejectsWith(
      () => authorizeModel(batch, 'o1'),
      403,
      /^App 'batch' of team 'acme' may not use model 'o1'\.$/,
    );
  });

  it('messages name whatever is known about the caller', async () => {
    const none = compileModelPatterns([]);
    await rejectsWith(
      () => authorizeModel(tokenIdentity({ team: 'acme', allowedModels: none }), 'm'),
      403,
      /^Team 'acme' may not use model 'm'\.$/,
    );
    await rejectsWith(
      () => authorizeModel(tokenIdentity({ user: 'u1', allowedModels: none }), 'm'),
      403,
      /^User 'u1' may not use model 'm'\.$/,
    );
    await rejectsWith(
      () => authorizeModel(tokenIdentity({ method: 'anonymous', allowedModels: none }), 'm'),
      403,
      /^An anonymous caller may not use model 'm'\.$/,
    );
  });

  it('canSee filters a model list the same way', async () => {
    const web = await keyIdentity(WEB_KEY);
    const visible = ['gpt-4o', 'gpt-4o-mini', 'claude-3', 'sim-1'].filter((m) => canSee(web, m));
    assert.deepEqual(visible, ['gpt-4o-mini']);
    const ops = await keyIdentity(OPS_KEY);
    assert.equal(
      ['gpt-4o', 'anything'].every((m) => canSee(ops, m)),
      true,
    );
  });
});

describe('roles', () => {
  it('admin endpoints: the role passes, its absence is 403, anonymous is 401', async () => {
    const ops = await keyIdentity(OPS_KEY);
    assert.equal(hasRole(ops, 'admin'), true);
    requireRole(ops, 'admin');
    const web = await keyIdentity(WEB_KEY);
    await rejectsWith(
      () => requireRole(web, 'admin'),
      403,
      /^App 'web' of team 'acme' lacks the 'admin' role\.$/,
    );
    const anonymous = await authenticator({}, {}).authenticate({}, undefined, never);
    await rejectsWith(() => requireRole(anonymous, 'admin'), 401, /Authentication required/);
  });
});
