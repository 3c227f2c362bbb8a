// SECRET findings: provider keys, private key blocks, JWTs, credentials in URLs/curl/headers and generic
// high-entropy values next to key/secret/password words; placeholders and look-alikes stay quiet.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createPiiScanner } from '../../../../dataplane/analysis/pii/index.js';
import { fake, randomChars } from './fixtures.js';

const scanner = createPiiScanner();

function secrets(text: string): { subtype: string | undefined; value: string }[] {
  return scanner
    .scanText(text)
    .filter((f) => f.type === 'SECRET')
    .map((f) => ({ subtype: f.subtype, value: text.slice(f.start, f.end) }));
}

describe('provider keys', () => {
  const cases: [string, string][] = [
    ['openai', fake.openai()],
    ['openai', `sk-${'proj'}-${randomChars(64, 10)}`],
    ['anthropic', fake.anthropic()],
    ['aws_access_key', fake.aws()],
    ['github', fake.github()],
    ['github', `github_pat_${randomChars(22, 11)}_${randomChars(59, 12)}`],
    ['google', fake.google()],
    ['slack', fake.slack()],
    ['stripe', fake.stripe()],
    ['huggingface', `hf_${randomChars(34, 13, 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ')}`],
    ['sendgrid', `SG.${randomChars(22, 14)}.${randomChars(43, 15)}`],
  ];
  for (const [subtype, key] of cases) {
    it(`finds ${subtype} keys in prose with exact spans`, () => {
      const text = `Use this one: ${key}. Thanks!`;
      assert.deepEqual(secrets(text), [{ subtype, value: key }]);
    });
  }

  it('rejects masked, truncated and glued look-alikes', () => {
    const text = [
      'gh' + 'o_' + 'x'.repeat(36),
      'sk-ant-api03-' + randomChars(93, 20) + 'BB',
      'sk-' + randomChars(48, 21), // legacy form without the T3BlbkFJ marker
      'sk-proj-' + randomChars(20, 24), // too short for a project key
      'xo' + 'xb-12345-abcd234',
      'TODAYINASIAASACKOFRICEFELLOVER',
      'xntn_12345678901' + randomChars(35, 22),
      'AI' + 'za' + randomChars(40, 23), // too long for a Google key
    ].join('\n');
    assert.deepEqual(secrets(text), []);
  });
});

describe('structured secrets', () => {
  it('finds PEM private keys, also inside JSON strings and without END line', () => {
    const pem = fake.privateKey();
    assert.deepEqual(secrets(`key:\n${pem}\n`), [{ subtype: 'private_key', value: pem }]);
    const json = `{"key": "${pem.replace(/\n/g, '\\n')}"}`;
    assert.equal(secrets(json)[0]?.subtype, 'private_key');
    const cut = pem.slice(0, 200);
    assert.deepEqual(secrets(cut), [{ subtype: 'private_key', value: cut }]);
  });

  it('ignores empty or templated key blocks', () => {
    assert.deepEqual(secrets('-----BEGIN PRIVATE KEY-----\n***\n-----END PRIVATE KEY-----'), []);
    assert.deepEqual(secrets('-----BEGIN OPENSSH PRIVATE KEY----------END OPENSSH PRIVATE KEY-----'), []);
  });

  it('finds JWTs with a JSON header and rejects look-alikes', () => {
    const jwt = fake.jwt();
    assert.deepEqual(
      secrets(`Bearer token: ${jwt}`).map((s) => s.value),
      [jwt],
    );
    const notJson = `eyJub3QganNvbg.${randomChars(20, 30)}.${randomChars(43, 31)}`;
    assert.deepEqual(secrets(notJson), []);
  });

  it('finds credentials in URLs but not placeholders', () => {
    assert.deepEqual(secrets('const url = "https://svc:r3alP4ssw0rd@api.example.com/v2";'), [
      { subtype: 'url_credentials', value: 'svc:r3alP4ssw0rd' },
    ]);
    assert.deepEqual(secrets('postgres://app:m42ploz2wd@db:5432/x'), [
      { subtype: 'url_credentials', value: 'app:m42ploz2wd' },
    ]);
    const templates = [
      'https://${user}:${password}@api.example.com',
      'https://username:password@example.com',
      'mongodb://YOUR_USERNAME:YOUR_PASSWORD@cluster.example.net',
      'postgres://postgres:postgres@localhost:5432/db',
      'https://user:1111@service.com',
      'https://example.com/path?user=a:b',
    ].join('\n');
    assert.deepEqual(secrets(templates), []);
  });

  it('finds curl user credentials and auth headers', () => {
    const text =
      "curl -u developer:yqDVtkqPECriaLRi https://h/x\ncurl -H 'Authorization: Bearer sha256~bRLFnzd59Z3XpZH5_seJPHAL' x\n" +
      'curl --header "X-Api-Key: 3fea6af1349166ea" https://h';
    assert.deepEqual(secrets(text), [
      { subtype: 'cli_credentials', value: 'developer:yqDVtkqPECriaLRi' },
      { subtype: 'auth_header', value: 'sha256~bRLFnzd59Z3XpZH5_seJPHAL' },
      { subtype: 'auth_header', value: '3fea6af1349166ea' },
    ]);
    const quiet =
      'curl -u <user:password> https://t\ncurl -H "Authorization: Bearer $API_KEY"\n' +
      'curl -H "Authorization: Basic ..."\ngit push -u origin main:main';
    assert.deepEqual(secrets(quiet), []);
  });

  it('checks that Basic credentials decode to user:password', () => {
    const basic = Buffer.from('api-user:Zq8rL2mT').toString('base64');
    assert.deepEqual(
      secrets(`Authorization: Basic ${basic}`).map((s) => s.value),
      [basic],
    );
    assert.deepEqual(secrets(`Authorization: Basic ${Buffer.from('no colon here').toString('base64')}`), []);
  });
});

describe('generic secrets', () => {
  it('finds high-entropy values assigned to key/secret/token/password names', () => {
    const value = randomChars(32, 40);
    const text = [
      `API_KEY=${value}`,
      `"client_secret": "${randomChars(40, 41)}"`,
      `azureClientSecret := "${randomChars(40, 42)}"`,
      'token: s.ZC9Ecf4M5g9o34Q6RkzGsj0z',
      'db.password = Tr0ub4dor&3x',
      'my password is hunter2!x',
    ].join('\n');
    assert.deepEqual(
      secrets(text).map((s) => s.subtype),
      ['generic', 'generic', 'generic', 'generic', 'password', 'password'],
    );
    assert.equal(secrets(`API_KEY=${value}`)[0]?.value, value);
  });

  it('names AWS secret access keys', () => {
    const text = `aws_secret_access_key = ${randomChars(40, 43, 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789/+')}`;
    assert.equal(secrets(text)[0]?.subtype, 'aws_secret_key');
  });

  it('leaves identifiers, placeholders and low-entropy values alone', () => {
    const text = [
      'sequenceKey = "18"',
      'keyPressed = kVK_Return.u16',
      '"key_name": "prod5zyxlmy-cmk"',
      "access_token_url='https://github.com/login/oauth/access_token'",
      'clientId = "73082700-1f09-405b-80d0-3131bfd6272d"',
      'CO_API_KEY=xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx',
      'SUMO_ACCESS_KEY={SumoAccessKey}',
      'const privateaiToken = "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";',
      'DATABRICKS_TOKEN=dapi123456789012345678a9bc01234defg5',
      'JFROG_SECRET = $(cat /run/secrets/jfrog_secret)',
      'password: required',
      'PuttyPassword=0',
      'the password is not set',
      'password = hash(password)',
      "password=request.form['password']",
      'apiKey: process.env.OPENAI_API_KEY,',
      'secret_key = settings.SECRET_KEY',
      'private readonly apiKey: ApiKeyConfigurationOptions;',
      'token = jwt.sign(payload, secret)',
    ].join('\n');
    assert.deepEqual(secrets(text), []);
  });
});
