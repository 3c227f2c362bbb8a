// Anonymous access: open while nothing is configured (auto), on request (allow) or never (deny).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { acmeTeams, authenticator, never, rejectsWith, WEB_KEY } from './support.js';

describe('anonymous access', () => {
  it('auto with nothing configured: everyone is anonymous, placeholder keys included', async () => {
    const auth = authenticator({}, {});
    assert.equal(auth.open, true);
    assert.equal(auth.anonymousAllowed, true);
    const identity = await auth.authenticate({}, undefined, never);
    assert.equal(identity.method, 'anonymous');
    assert.equal(identity.team, null);
    assert.deepEqual(identity.roles, []);
    assert.equal(identity.allowedModels.matches('any-model'), true);
    const sdk = await auth.authenticate({ authorization: 'Bearer sk-placeholder' }, 'carol', never);
    assert.equal(sdk.method, 'anonymous');
    assert.equal(sdk.user, 'carol');
    assert.equal((await auth.authenticate({ 'x-gateway-user': 'dave' }, 'carol', never)).user, 'dave');
  });

  it('auto with teams configured: credentials are required', async () => {
    const auth = authenticator({ anonymous: 'auto' }, acmeTeams());
    assert.equal(auth.anonymousAllowed, false);
    await rejectsWith(auth.authenticate({}, undefined, never), 401, /Missing credentials/);
  });

  it('auto with only an issuer configured: credentials are required', async () => {
    const auth = authenticator(
      { jwt: [{ issuer: 'https://idp.test', audience: 'gw', secret: 's'.repeat(32) }] },
      {},
    );
    assert.equal(auth.open, false);
    await rejectsWith(auth.authenticate({}, undefined, never), 401, /Missing credentials/);
  });

  it('allow: no credentials is anonymous, but a wrong credential is still a 401', async () => {
    const auth = authenticator({ anonymous: 'allow' }, acmeTeams());
    assert.equal((await auth.authenticate({}, undefined, never)).method, 'anonymous');
    await rejectsWith(
      auth.authenticate({ 'x-api-key': 'gw-wrong' }, undefined, never),
      401,
      /Invalid API key/,
    );
    assert.equal((await auth.authenticate({ 'x-api-key': WEB_KEY }, undefined, never)).app, 'web');
  });

  it('deny: even with nothing configured, every request is a 401', async () => {
    const auth = authenticator({ anonymous: 'deny' }, {});
    assert.equal(auth.anonymousAllowed, false);
    await rejectsWith(auth.authenticate({}, undefined, never), 401, /Missing credentials/);
    await rejectsWith(auth.authenticate({ 'x-api-key': 'k' }, undefined, never), 401, /Invalid API key/);
  });
});
