// `routers:` in the config: a router's id, targets and thresholds are checked when the config loads.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ConfigError, parseConfig } from '../../../dataplane/config/load.js';

const models = {
  small: { provider: 'simulator' },
  large: { provider: 'simulator' },
  embed: { provider: 'simulator', kind: 'embeddings' },
};

function config(router: Record<string, unknown>, extra: Record<string, unknown> = {}) {
  return parseConfig({ models, routers: { auto: router }, ...extra }, {});
}

function rejects(
  router: Record<string, unknown>,
  pattern: RegExp,
  extra: Record<string, unknown> = {},
): void {
  assert.throws(
    () => config(router, extra),
    (error: unknown) => error instanceof ConfigError && pattern.test(error.message),
  );
}

const targets = { simple: 'small', medium: 'small', complex: 'large' };

describe('config: routers', () => {
  it('takes a complexity router with the analysis’ own thresholds by default', () => {
    const parsed = config({ by: 'complexity', targets });
    assert.deepEqual(parsed.routers.auto, {
      by: 'complexity',
      targets,
      thresholds: { medium: 0.33, complex: 0.66 },
    });
  });

  it('has no routers by default', () => {
    assert.deepEqual(parseConfig({}, {}).routers, {});
  });

  it('takes thresholds of its own', () => {
    const parsed = config({ by: 'complexity', targets, thresholds: { medium: 0.2, complex: 0.5 } });
    assert.deepEqual(parsed.routers.auto?.thresholds, { medium: 0.2, complex: 0.5 });
  });

  it('refuses a target that is not a model, naming the class and the known models', () => {
    rejects(
      { by: 'complexity', targets: { ...targets, complex: 'huge' } },
      /routers\.auto\.targets\.complex: unknown model "huge" \(known: small, large, embed\)/,
    );
  });

  it('refuses an embeddings model as a target', () => {
    rejects(
      { by: 'complexity', targets: { ...targets, simple: 'embed' } },
      /routers\.auto\.targets\.simple: "embed" is an embeddings model/,
    );
  });

  it('refuses a router id that is also a model id', () => {
    assert.throws(
      () => parseConfig({ models, routers: { small: { by: 'complexity', targets } } }, {}),
      (error: unknown) =>
        error instanceof ConfigError && /routers\.small: "small" is also a model id/.test(error.message),
    );
  });

  it('refuses thresholds out of order or out of 0–1', () => {
    rejects(
      { by: 'complexity', targets, thresholds: { medium: 0.7, complex: 0.6 } },
      /thresholds\.medium must not exceed thresholds\.complex/,
    );
    rejects({ by: 'complexity', targets, thresholds: { medium: 1.5 } }, /routers\.auto\.thresholds\.medium/);
  });

  it('refuses unknown keys, an unknown rule and a missing class', () => {
    rejects({ by: 'complexity', targets, fallback: 'small' }, /routers\.auto\.fallback: unknown key/);
    rejects({ by: 'cost', targets }, /routers\.auto\.by/);
    rejects(
      { by: 'complexity', targets: { simple: 'small', complex: 'large' } },
      /routers\.auto\.targets\.medium/,
    );
  });
});
