// API keys: found by their SHA-256 under any of the three headers SDKs use, refused when unknown or expired,
// and two keys of one app both valid during a rotation.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { hasRole } from '../../../dataplane/auth/index.js';
import {
  acmeTeams,
  authenticator,
  clock,
  never,
  OPS_KEY,
  rejectsWith,
  T0,
  WEB_KEY,
  WEB_NEXT_KEY,
} from './support.js';

const bearer = (key: string) => ({ authorization: `Bearer ${key}` });

describe('API keys', () => {
  it('a configured key yields its team, app, key id and the app’s models', async () => {
    const auth = authenticator({}, acmeTeams());
    const identity = await auth.authenticate(bearer(WEB_KEY), undefined, never);
    assert.equal(identity.team, 'acme');
    assert.equal(identity.app, 'web');
    assert.equal(identity.keyId, 'web-2026-05');
    assert.equal(identity.method, 'api_key');
    assert.equal(identity.user, null);
    assert.deepEqual(identity.roles, []);
    assert.equal(identity.allowedModels.matches('gpt-4o-mini'), true);
    assert.equal(identity.allowedModels.matches('gpt-4o'), false);
    assert.ok(Object.isFrozen(identity));
  });

  it('is read from Authorization: Bearer, x-api-key and api-key alike', async () => {
    const auth = authenticator({}, acmeTeams());
    const shapes: Record<string, string>[] = [
      bearer(WEB_KEY),
      { 'x-api-key': WEB_KEY },
      { 'api-key': WEB_KEY },
    ];
    for (const headers of shapes) {
      assert.equal((await auth.authenticate(headers, undefined, never)).keyId, 'web-2026-05');
    }
    assert.equal(
      (await auth.authenticate({ authorization: `bearer   ${WEB_KEY} ` }, undefined, never)).app,
      'web',
    );
  });

  it('an unknown key is a 401 that does not echo the key', async () => {
    const auth = authenticator({}, acmeTeams());
    const wrong = `${WEB_KEY}x`;
    const error = await rejectsWith(
      auth.authenticate(bearer(wrong), undefined, never),
      401,
      /^Invalid API key\.$/,
    );
    assert.ok(!error.message.includes(wrong));
    await rejectsWith(
      auth.authenticate({ 'x-api-key': 'sk-nope' }, undefined, never),
      401,
      /Invalid API key/,
    );
  });

  it('an expired key is a 401 naming the key id, not the key', async () => {
    const time = clock(Date.parse('2026-07-01T00:00:00Z'));
    const auth = authenticator({}, acmeTeams(), { now: time.read });
    const error = await rejectsWith(
      auth.authenticate(bearer(WEB_KEY), undefined, never),
      401,
      /^API key 'web-2026-05' has expired\.$/,
    );
    assert.ok(!error.message.includes(WEB_KEY));
  });

  it('rotation: both keys of the app are valid until the old one expires', async () => {
    const time = clock(T0);
    const auth = authenticator({}, acmeTeams(), { now: time.read });
    assert.equal((await auth.authenticate(bearer(WEB_KEY), undefined, never)).keyId, 'web-2026-05');
    assert.equal((await auth.authenticate(bearer(WEB_NEXT_KEY), undefined, never)).keyId, 'web-2026-06');
    time.now = Date.parse('2026-07-01T00:00:00Z') - 1;
    assert.equal((await auth.authenticate(bearer(WEB_KEY), undefined, never)).app, 'web');
    time.now += 1;
    await rejectsWith(auth.authenticate(bearer(WEB_KEY), undefined, never), 401, /has expired/);
    assert.equal((await auth.authenticate(bearer(WEB_NEXT_KEY), undefined, never)).app, 'web');
  });

  it('a reloaded config (a new authenticator) drops a removed key', async () => {
    const before = authenticator({}, acmeTeams());
    assert.equal((await before.authenticate(bearer(OPS_KEY), undefined, never)).team, 'ops');
    const teams = acmeTeams() as Record<string, unknown>;
    delete teams['ops'];
    const after = authenticator({}, teams);
    await rejectsWith(after.authenticate(bearer(OPS_KEY), undefined, never), 401, /Invalid API key/);
  });

  it('roles are the team’s plus the key’s; stored hashes may be upper-case hex', async () => {
    const auth = authenticator({}, acmeTeams());
    const identity = await auth.authenticate(bearer(OPS_KEY), undefined, never);
    assert.deepEqual([...identity.roles].sort(), ['admin', 'operator']);
    assert.equal(hasRole(identity, 'admin'), true);
    assert.equal(hasRole(await auth.authenticate(bearer(WEB_KEY), undefined, never), 'admin'), false);
  });

  it('the user comes from the user header, else the body’s user field', async () => {
    const auth = authenticator({ user_header: 'X-End-User' }, acmeTeams());
    const fromHeader = await auth.authenticate({ ...bearer(WEB_KEY), 'x-end-user': ' alice ' }, 'bob', never);
    assert.equal(fromHeader.user, 'alice');
    assert.equal(fromHeader.keyId, 'web-2026-05');
    assert.equal((await auth.authenticate(bearer(WEB_KEY), 'bob', never)).user, 'bob');
    assert.equal((await auth.authenticate(bearer(WEB_KEY), '  ', never)).user, null);
    const long = await auth.authenticate(bearer(WEB_KEY), 'u'.repeat(1000), never);
    assert.equal(long.user?.length, 256);
  });

  it('without a user the identity object is shared (no allocation on the hot path)', async () => {
    const auth = authenticator({}, acmeTeams());
    const a = await auth.authenticate(bearer(WEB_KEY), undefined, never);
    const b = await auth.authenticate({ 'x-api-key': WEB_KEY }, undefined, never);
    assert.equal(a, b);
  });

  it('missing credentials and unusable Authorization headers are 401s that never show the secret', async () => {
    const auth = authenticator({}, acmeTeams());
    await rejectsWith(auth.authenticate({}, undefined, never), 401, /Missing credentials/);
    const basic = await rejectsWith(
      auth.authenticate({ authorization: 'Basic c2VjcmV0OnBhc3M=' }, undefined, never),
      401,
      /Unsupported Authorization scheme 'Basic'/,
    );
    assert.ok(!basic.message.includes('c2VjcmV0'));
    // A key sent without `Bearer` is the header's first word: none of it may be echoed.
    const key = 'gw-DJiN4CDIygA9yNu0ojIpX1-iCdmpPNYCxAlnIC7aKSs';
    for (const header of [key, `${key} extra`, `Бearer ${key}`]) {
      const bare = await rejectsWith(
        auth.authenticate({ authorization: header }, undefined, never),
        401,
        /no 'Bearer' scheme/,
      );
      assert.ok(!bare.message.includes(key.slice(0, 6)), bare.message);
      assert.ok(!bare.message.includes("'earer") && !bare.message.includes('Б'), bare.message);
    }
    await rejectsWith(auth.authenticate({ authorization: 'Bearer ' }, undefined, never), 401, /empty bearer/);
    await rejectsWith(
      auth.authenticate({ authorization: `Bearer a b` }, undefined, never),
      401,
      /malformed bearer/,
    );
  });
});
