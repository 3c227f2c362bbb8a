// Last user turns longer than the embedding model reads (issue 7's "input truncation"), through a real gateway
// with the real model, on the shared Redis 8 (REDIS_URL) and in process: such a turn is looked up by its last
// paragraph, in a partition of everything before it, so a paraphrased question under the same document hits
// and the same question under another document does not. Without a line break, or with `long_prompts: skip`,
// the semantic layer leaves it alone; the exact layer always serves it.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, it } from 'node:test';
import { withCacheGateway } from '../support/cache-ready.js';
import type { TestGateway } from '../support/gateway.js';
import { startCountingUpstream, type CountingUpstream } from '../support/counting-upstream.js';
import { bearer, newKey } from '../support/identities.js';
import { redisUrl } from '../support/redis.js';
import { waitFor } from '../support/wait.js';

type Backend = 'redis' | 'memory';

const user = newKey();
const admin = newKey();

const TOPICS = [
  'billing',
  'passwords',
  'two-factor login',
  'data export',
  'team invitations',
  'audit logs',
  'single sign-on',
  'API tokens',
  'webhooks',
  'usage quotas',
  'support hours',
  'account deletion',
];

/** A help-centre page of `sections` paragraphs, one of them changed by `variant` (a word of its own). */
function documentOf(sections: number, variant = ''): string {
  return TOPICS.slice(0, sections)
    .map(
      (topic, i) =>
        `Section ${i + 1}, ${topic}${i === 2 ? variant : ''}: the settings page lists every option for ${topic}, ` +
        `who may change it, and what happens to existing data when it changes. Changes apply within a minute ` +
        `and are recorded in the audit log with the name of the person who made them.`,
    )
    .join('\n\n');
}

// Longer than max_input_chars (2,000 characters): found too long before any model call.
const LONG_DOCUMENT = documentOf(12);
// Within 2,000 characters but beyond the model's 256 tokens: found too long by the model itself.
const TOKEN_LONG_DOCUMENT = documentOf(7);

const QUESTION = 'How do I reset my password?';
const PARAPHRASE = 'How can I reset my password?';

function gatewayDoc(
  upstream: CountingUpstream,
  backend: Backend,
  longPrompts?: string,
): Record<string, unknown> {
  return {
    providers: { up: { type: 'openai', base_url: `${upstream.url}/v1`, api_key: 'sk-test' } },
    models: { 'gpt-test': { provider: 'up' } },
    teams: {
      acme: {
        models: ['*'],
        apps: {
          web: { keys: [{ id: 'web', sha256: user.sha256 }] },
          ops: { keys: [{ id: 'ops', sha256: admin.sha256, roles: ['admin'] }] },
        },
      },
    },
    workers: { threads: 1 },
    cache: {
      enabled: true,
      semantic: longPrompts === undefined ? {} : { long_prompts: longPrompts },
      ...(backend === 'redis'
        ? {
            redis: {
              url: redisUrl(),
              key_prefix: `gwc-long-${randomBytes(4).toString('hex')}:`,
              command_timeout_ms: 2000,
            },
          }
        : {}),
    },
  };
}

async function withGateway(
  backend: Backend,
  longPrompts: string | undefined,
  body: (gateway: TestGateway, upstream: CountingUpstream) => Promise<void>,
): Promise<void> {
  await withCacheGateway(
    () => startCountingUpstream(),
    (upstream) => gatewayDoc(upstream, backend, longPrompts),
    admin.key,
    body,
  );
}

async function ask(
  gateway: TestGateway,
  content: string,
): Promise<{ cache: string | null; text: string; id: string }> {
  const response = await gateway.post(
    '/v1/chat/completions',
    { model: 'gpt-test', temperature: 0, messages: [{ role: 'user', content }] },
    bearer(user.key),
  );
  assert.equal(response.status, 200);
  const body = (await response.json()) as { choices: { message: { content: string } }[] };
  return {
    cache: response.headers.get('x-gateway-cache'),
    text: body.choices[0]!.message.content,
    id: response.headers.get('x-request-id') ?? '',
  };
}

/** A sample's value on /metrics (0 when absent). */
async function metric(gateway: TestGateway, sample: string): Promise<number> {
  const text = await (await fetch(`${gateway.url}/metrics`)).text();
  const line = text.split('\n').find((l) => l.startsWith(`${sample} `));
  return line === undefined ? 0 : Number(line.slice(sample.length + 1));
}

const stored = (layer: string) => `gateway_cache_stores_total{layer="${layer}"}`;

async function storedAtLeast(gateway: TestGateway, layer: string, count: number): Promise<void> {
  await waitFor(
    async () => (await metric(gateway, stored(layer))) >= count,
    `${count} ${layer} stores`,
    15_000,
  );
}

for (const backend of ['redis', 'memory'] as const) {
  describe(`long prompts (${backend} backend)`, () => {
    for (const [what, document] of [
      ['longer in characters', LONG_DOCUMENT],
      ['longer in tokens only', TOKEN_LONG_DOCUMENT],
    ] as const) {
      it(`looks a prompt ${what} than the model reads up by its last paragraph, under the same document only`, async () => {
        assert.ok(
          what === 'longer in characters' ? document.length > 2000 : document.length < 1900,
          `document of ${document.length} characters`,
        );
        await withGateway(backend, undefined, async (gateway, upstream) => {
          const first = await ask(gateway, `${document}\n\n${QUESTION}`);
          assert.equal(first.cache, 'miss');
          await storedAtLeast(gateway, 'semantic', 1);
          const paraphrase = await ask(gateway, `${document}\n\n${PARAPHRASE}`);
          assert.equal(paraphrase.cache, 'semantic');
          assert.equal(paraphrase.text, first.text);
          assert.equal(upstream.calls(), 1);
          // The same question under a document that differs in one word: another partition.
          const otherDocument = await ask(
            gateway,
            `${documentOf(what === 'longer in characters' ? 12 : 7, ' (beta)')}\n\n${PARAPHRASE}`,
          );
          assert.equal(otherDocument.cache, 'miss');
          // Another question under the same document: the lookup finds the stored one in its partition (the
          // record keeps its similarity), and it is no match.
          const otherQuestion = await ask(gateway, `${document}\n\nHow do I delete my account?`);
          assert.equal(otherQuestion.cache, 'miss');
          const record = await waitFor(
            () => gateway.records.find((r) => r.request_id === otherQuestion.id),
            'the record',
          );
          assert.ok(
            record.cache_similarity !== null && record.cache_similarity < 0.97,
            String(record.cache_similarity),
          );
          assert.equal(upstream.calls(), 3);
          // One per lookup: a store reuses its lookup's vector, a prefetch is not counted.
          assert.equal(
            await metric(gateway, 'gateway_cache_long_prompts_total{handling="last_paragraph"}'),
            4,
          );
        });
      });
    }

    it('leaves a long prompt without a line break to the exact layer', async () => {
      await withGateway(backend, undefined, async (gateway, upstream) => {
        const paragraph = LONG_DOCUMENT.replaceAll('\n', ' ');
        const first = await ask(gateway, `${paragraph} ${QUESTION}`);
        assert.equal(first.cache, 'miss');
        await storedAtLeast(gateway, 'exact', 1);
        assert.equal((await ask(gateway, `${paragraph} ${PARAPHRASE}`)).cache, 'miss');
        const again = await ask(gateway, `${paragraph} ${QUESTION}`);
        assert.equal(again.cache, 'exact');
        assert.equal(again.text, first.text);
        assert.equal(upstream.calls(), 2);
        assert.equal(await metric(gateway, stored('semantic')), 0);
        // One per lookup (the exact hit made none); the stores after the two misses do not try again.
        assert.equal(await metric(gateway, 'gateway_cache_long_prompts_total{handling="skipped"}'), 2);
      });
    });
  });
}

describe('long prompts: long_prompts: skip', () => {
  it('leaves every prompt longer than the model reads to the exact layer', async () => {
    await withGateway('memory', 'skip', async (gateway, upstream) => {
      await ask(gateway, `${LONG_DOCUMENT}\n\n${QUESTION}`);
      await storedAtLeast(gateway, 'exact', 1);
      assert.equal((await ask(gateway, `${LONG_DOCUMENT}\n\n${PARAPHRASE}`)).cache, 'miss');
      assert.equal(upstream.calls(), 2);
      assert.equal(await metric(gateway, stored('semantic')), 0);
      assert.equal(await metric(gateway, 'gateway_cache_long_prompts_total{handling="last_paragraph"}'), 0);
    });
  });
});
