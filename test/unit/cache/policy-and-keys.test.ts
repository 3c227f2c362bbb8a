// What may be cached (policy) and what identifies a request (exact key, semantic text and fingerprint).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { compileModelPatterns } from '../../../dataplane/auth/model-matcher.js';
import type { Identity } from '../../../dataplane/auth/identity.js';
import { createPolicy, parseCacheControl } from '../../../dataplane/cache/policy.js';
import { canonicalJson, requestKeys } from '../../../dataplane/cache/request-key.js';
import { cacheConfigSchema } from '../../../dataplane/cache/schema.js';
import { cacheTenant, keySegment } from '../../../dataplane/cache/tenant.js';

const identity = (app: string | null, team = 'acme'): Identity => ({
  team,
  app,
  user: null,
  keyId: null,
  roles: [],
  method: 'api_key',
  allowedModels: compileModelPatterns(['*']),
});

const config = cacheConfigSchema.parse({
  enabled: true,
  models: ['gpt-*'],
  apps: { strict: { semantic_threshold: 0.99 }, off: { enabled: false } },
});
const policy = createPolicy(config);
const input = (body: Record<string, unknown>, extra: Partial<Parameters<typeof policy>[0]> = {}) =>
  policy({
    endpoint: 'chat',
    modelId: 'gpt-4o',
    body: { temperature: 0, ...body },
    identity: identity('web'),
    cacheControl: undefined,
    piiFindings: 0,
    ...extra,
  });

describe('cache policy', () => {
  it('caches deterministic single answers of configured models, with the default threshold', () => {
    const p = input({});
    assert.deepEqual([p.lookup, p.store, p.semantic, p.threshold], [true, true, true, 0.97]);
  });

  it('takes the per-app threshold and per-app switch', () => {
    assert.equal(input({}, { identity: identity('strict') }).threshold, 0.99);
    assert.equal(input({}, { identity: identity('off') }).lookup, false);
  });

  it('takes team/app settings for one team, field by field over the bare app name', () => {
    const scoped = createPolicy(
      cacheConfigSchema.parse({
        enabled: true,
        apps: {
          web: { semantic_threshold: 0.99 },
          'acme/web': { enabled: false },
          'globex/chat': { semantic_threshold: 0.98 },
        },
      }),
    );
    const ask = (who: Identity) =>
      scoped({
        endpoint: 'chat',
        modelId: 'm',
        body: { temperature: 0 },
        identity: who,
        cacheControl: undefined,
        piiFindings: 0,
      });
    assert.equal(ask(identity('web', 'acme')).lookup, false);
    assert.deepEqual(
      [ask(identity('web', 'globex')).lookup, ask(identity('web', 'globex')).threshold],
      [true, 0.99],
    );
    assert.equal(ask(identity('chat', 'globex')).threshold, 0.98);
    assert.equal(ask(identity('chat', 'acme')).threshold, 0.97);
    assert.throws(() => cacheConfigSchema.parse({ apps: { 'a/b/c': { enabled: false } } }), /team\/app/);
  });

  it('leaves out tokens that name no team: they would share the anonymous tenant', () => {
    const token = (method: Identity['method'], team: string | null): Identity => ({
      ...identity(null),
      team,
      method,
    });
    for (const method of ['jwt', 'introspection'] as const) {
      const p = input({}, { identity: token(method, null) });
      assert.deepEqual([p.lookup, p.store, p.reason], [false, false, 'no team to keep the answer in']);
      assert.equal(input({}, { identity: token(method, 'acme') }).lookup, true);
    }
    // Anonymous callers are their own tenant, `-`, and keep the cache (the demo config runs without keys).
    assert.equal(input({}, { identity: token('anonymous', null) }).lookup, true);
    assert.equal(input({}, { identity: undefined }).lookup, true);
  });

  it('leaves out other models, n > 1, and temperatures above the bound (absent counts as 1)', () => {
    assert.equal(input({}, { modelId: 'claude-x' }).lookup, false);
    assert.equal(input({ n: 2 }).store, false);
    assert.equal(input({ temperature: 0.7 }).lookup, false);
    const { temperature: _t, ...noTemperature } = { temperature: 0 };
    assert.equal(
      policy({
        endpoint: 'chat',
        modelId: 'gpt-4o',
        body: noTemperature,
        identity: undefined,
        cacheControl: undefined,
        piiFindings: 0,
      }).lookup,
      false,
    );
  });

  it('follows Cache-Control: no-cache skips the lookup, no-store the write, both skip everything', () => {
    assert.deepEqual(
      [input({}, { cacheControl: 'no-cache' }).lookup, input({}, { cacheControl: 'no-cache' }).store],
      [false, true],
    );
    assert.deepEqual(
      [input({}, { cacheControl: 'No-Store' }).lookup, input({}, { cacheControl: 'No-Store' }).store],
      [true, false],
    );
    const both = input({}, { cacheControl: 'no-store, no-cache' });
    assert.equal(both.lookup || both.store, false);
    assert.deepEqual(
      [...parseCacheControl(' max-age=0 , NO-CACHE')],
      [
        ['max-age', '0'],
        ['no-cache', undefined],
      ],
    );
  });

  it('reads max-age=0 and, without Cache-Control, Pragma: no-cache as no-cache', () => {
    for (const cacheControl of ['max-age=0', 'max-age="0"', 'private, max-age=0']) {
      const p = input({}, { cacheControl });
      assert.deepEqual([p.lookup, p.store], [false, true], cacheControl);
    }
    assert.equal(input({}, { cacheControl: 'max-age=60' }).lookup, true);
    const pragma = input({}, { pragma: 'no-cache' });
    assert.deepEqual([pragma.lookup, pragma.store], [false, true]);
    // Cache-Control, when present, is the one that counts.
    assert.equal(input({}, { pragma: 'no-cache', cacheControl: 'max-age=60' }).lookup, true);
  });

  it('blocks semantic hits for requests with PII unless allowed, keeping the exact layer', () => {
    const p = input({}, { piiFindings: 1 });
    assert.deepEqual([p.lookup, p.semantic], [true, false]);
    const allow = createPolicy(cacheConfigSchema.parse({ enabled: true, semantic: { allow_pii: true } }));
    assert.equal(
      allow({
        endpoint: 'chat',
        modelId: 'm',
        body: { temperature: 0 },
        identity: undefined,
        cacheControl: undefined,
        piiFindings: 3,
      }).semantic,
      true,
    );
  });
});

describe('request keys', () => {
  const base = {
    model: 'gpt-4o',
    temperature: 0,
    messages: [
      { role: 'system', content: 'Be brief.' },
      { role: 'user', content: 'What is HTTP/3?' },
    ],
  };

  it('ignores field order, stream, user and metadata in the exact key, but not any parameter', () => {
    const k = requestKeys('chat', 'gpt-4o', base).exact;
    const reordered = { messages: base.messages, temperature: 0, model: 'alias' };
    assert.equal(requestKeys('chat', 'gpt-4o', reordered).exact, k);
    assert.equal(
      requestKeys('chat', 'gpt-4o', { ...base, stream: true, user: 'u', metadata: { a: '1' } }).exact,
      k,
    );
    assert.notEqual(requestKeys('chat', 'gpt-4o', { ...base, max_tokens: 10 }).exact, k);
    // n = 1 is the default: an explicit one shares the entry (exact and semantic fingerprint alike).
    assert.equal(requestKeys('chat', 'gpt-4o', { ...base, n: 1 }).exact, k);
    assert.equal(requestKeys('chat', 'gpt-4o', { ...base, n: null }).exact, k);
    assert.equal(
      requestKeys('chat', 'gpt-4o', { ...base, n: 1 }).semantic!.fingerprint,
      requestKeys('chat', 'gpt-4o', base).semantic!.fingerprint,
    );
    assert.notEqual(requestKeys('chat', 'gpt-4o', { ...base, n: 2 }).exact, k);
    assert.notEqual(requestKeys('chat', 'gpt-4o-mini', base).exact, k);
    assert.notEqual(requestKeys('messages', 'gpt-4o', base).exact, k);
  });

  it('embeds the last user turn and fingerprints everything else', () => {
    const a = requestKeys('chat', 'gpt-4o', base).semantic!;
    assert.equal(a.text, 'What is HTTP/3?');
    const paraphrase = {
      ...base,
      messages: [base.messages[0], { role: 'user', content: 'Explain HTTP/3.' }],
    };
    assert.equal(requestKeys('chat', 'gpt-4o', paraphrase).semantic!.fingerprint, a.fingerprint);
    const otherSystem = {
      ...base,
      messages: [{ role: 'system', content: 'Be a pirate.' }, base.messages[1]],
    };
    assert.notEqual(requestKeys('chat', 'gpt-4o', otherSystem).semantic!.fingerprint, a.fingerprint);
    assert.notEqual(
      requestKeys('chat', 'gpt-4o', { ...base, tools: [{ type: 'function' }] }).semantic!.fingerprint,
      a.fingerprint,
    );
  });

  it('has no semantic text when the last turn is not plain user text', () => {
    const image = {
      ...base,
      messages: [
        {
          role: 'user',
          content: [
            { type: 'text', text: 'What is this?' },
            { type: 'image_url', image_url: { url: 'x' } },
          ],
        },
      ],
    };
    assert.equal(requestKeys('chat', 'gpt-4o', image).semantic, undefined);
    assert.equal(
      requestKeys('chat', 'gpt-4o', {
        ...base,
        messages: [...base.messages, { role: 'assistant', content: 'x' }],
      }).semantic,
      undefined,
    );
    const parts = {
      ...base,
      messages: [
        {
          role: 'user',
          content: [
            { type: 'text', text: 'a' },
            { type: 'text', text: 'b' },
          ],
        },
      ],
    };
    assert.equal(requestKeys('chat', 'gpt-4o', parts).semantic!.text, 'a\nb');
  });

  it('writes canonical JSON with sorted keys at every depth and keeps array order', () => {
    assert.equal(canonicalJson({ b: 1, a: { d: [2, 1], c: null } }), '{"a":{"c":null,"d":[2,1]},"b":1}');
  });
});

describe('tenants', () => {
  it('scopes by team/app or team, and encodes ids for Redis keys and SCAN patterns', () => {
    assert.equal(cacheTenant(identity('web'), 'app'), 'acme/web');
    assert.equal(cacheTenant(identity('web'), 'team'), 'acme');
    assert.equal(cacheTenant(undefined, 'app'), '-/-');
    assert.equal(keySegment('a*b:c?[d]é'), 'a%2Ab%3Ac%3F%5Bd%5D%C3%A9');
  });
});
