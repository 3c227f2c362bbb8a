// The config schema rejects unknown keys naming their path, interpolates the environment, and accepts the
// shipped example.
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { describe, it } from 'node:test';
import { ConfigError, loadConfigFile, parseConfig } from '../../../dataplane/config/load.js';

function rejects(document: unknown, pattern: RegExp, env: NodeJS.ProcessEnv = {}): void {
  assert.throws(
    () => parseConfig(document, env),
    (error: unknown) => error instanceof ConfigError && pattern.test(error.message),
  );
}

describe('config schema', () => {
  it('an empty document is the embedded default: the simulator', () => {
    const config = parseConfig({}, {});
    assert.equal(config.providers.simulator?.type, 'simulator');
    assert.ok(config.models['sim-1']);
    assert.equal(config.server.host, '127.0.0.1');
    assert.equal(config.server.port, 8080);
    assert.ok(Object.isFrozen(config.server));
  });

  it('the shipped config/gateway.yaml is valid', async () => {
    const path = fileURLToPath(new URL('../../../config/gateway.yaml', import.meta.url));
    const config = await loadConfigFile(path, {});
    assert.ok(Object.keys(config.models).length >= 5);
  });

  it('rejects an unknown top-level key with its name', () => {
    rejects({ sever: {} }, /^config: invalid config\nsever: unknown key$/m);
  });

  it('rejects a nested unknown key with its full path', () => {
    rejects(
      { providers: { oa: { type: 'openai', api_key: 'k', timeouts: { connect_msx: 1 } } } },
      /providers\.oa\.timeouts\.connect_msx: unknown key/,
    );
    rejects(
      { models: { m: { provider: 'simulator', pricing: { input: 1 } } } },
      /models\.m\.pricing\.input: unknown key/,
    );
  });

  it('names the path of a wrong type', () => {
    rejects({ server: { port: 'eighty' } }, /server\.port: /);
    rejects({ providers: { x: { type: 'nope' } } }, /providers\.x\.type: /);
  });

  it('rejects a model whose provider does not exist', () => {
    rejects({ models: { m: { provider: 'ghost' } } }, /models\.m\.provider: unknown provider "ghost"/);
  });

  it('interpolates ${ENV} and ${ENV:-default} in strings only', () => {
    const config = parseConfig(
      {
        providers: {
          oa: { type: 'openai', api_key: '${KEY}', base_url: '${BASE:-http://127.0.0.1:9/v1}' },
          simulator: { type: 'simulator' },
        },
      },
      { KEY: 'sk-test' },
    );
    const oa = config.providers.oa;
    assert.equal(oa?.type === 'openai' ? oa.api_key : undefined, 'sk-test');
    assert.equal(oa?.type === 'openai' ? oa.base_url : undefined, 'http://127.0.0.1:9/v1');
  });

  it('a missing variable without default is an error naming where it was used', () => {
    rejects(
      { providers: { oa: { type: 'openai', api_key: '${NOPE_NOT_SET}' } } },
      /providers\.oa\.api_key: environment variable NOPE_NOT_SET is not set/,
    );
  });

  it('an empty variable is named as empty', () => {
    assert.throws(
      () => parseConfig({ providers: { oa: { type: 'openai', api_key: '${EMPTY}' } } }, { EMPTY: '' }),
      /providers\.oa\.api_key: environment variable EMPTY is empty/,
    );
  });

  it('a __proto__ key is refused with its path, not taken as the prototype (a team of that name would vanish)', async () => {
    const { parse } = await import('yaml');
    // As the YAML parser builds it: an own key named __proto__.
    const document = parse(
      'teams:\n  __proto__: { models: ["*"], apps: { a: { keys: [{ id: k, sha256: "' +
        'a'.repeat(64) +
        '" }] } } }\n',
    ) as unknown;
    assert.throws(() => parseConfig(document, {}), /teams\.__proto__: reserved name, not allowed as a key/);
    assert.throws(
      () => parseConfig(parse('__proto__: { logging: { level: debug } }\n'), {}),
      /__proto__: reserved name/,
    );
  });

  it('rejects invalid YAML from a file with the file name', async () => {
    const { mkdtemp, writeFile } = await import('node:fs/promises');
    const { tmpdir } = await import('node:os');
    const { join } = await import('node:path');
    const dir = await mkdtemp(join(tmpdir(), 'gw-config-'));
    const path = join(dir, 'bad.yaml');
    await writeFile(path, 'server: [unclosed');
    await assert.rejects(
      loadConfigFile(path, {}),
      (error: unknown) => error instanceof ConfigError && error.message.startsWith(path),
    );
    // The message says where, and never quotes the file: the line at fault may hold a secret.
    const leaky = join(dir, 'leaky.yaml');
    await writeFile(leaky, 'providers:\n  openai:\n    api_key: "sk-LEAKYAML-secret\n    type: openai\n');
    await assert.rejects(loadConfigFile(leaky, {}), (error: unknown) => {
      assert.ok(error instanceof ConfigError);
      assert.match(error.message, /invalid YAML: .*line \d+, column \d+$/);
      assert.doesNotMatch(`${error.message}\n${error.stack ?? ''}`, /LEAKYAML|type: openai/);
      return true;
    });
    // A warning (an unresolved tag) is not printed with the file's line either.
    const warned: string[] = [];
    const onWarning = (warning: Error) => warned.push(`${warning.message}`);
    process.on('warning', onWarning);
    try {
      const tagged = join(dir, 'tagged.yaml');
      await writeFile(tagged, 'server:\n  host: !secretpass sk-TAGSECRET\n');
      await loadConfigFile(tagged, {}).catch(() => undefined);
      await new Promise((resolve) => setImmediate(resolve));
    } finally {
      process.off('warning', onWarning);
    }
    assert.ok(!warned.some((w) => w.includes('TAGSECRET')), warned.join('\n'));
  });

  it('says so when the default models are what names the missing simulator provider', () => {
    assert.throws(
      () => parseConfig({ providers: { openai: { type: 'openai', api_key: 'k' } } }, {}),
      /models\.sim-1\.provider: unknown provider "simulator" \(known: openai\); "sim-1" is a default model, there because the config has no models: section/,
    );
  });
});
