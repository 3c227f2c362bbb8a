// Budgets and prompts the analysis cannot count: audio and file parts (PDFs) are not decoded ahead of the call,
// so their text-only count is a lower bound. A real gateway (in-process limit store, simulator upstream) must
// reserve the model's context window for them, refuse them when even that can never fit, and charge what the
// upstream then reports.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { dayTokenBudget } from '../support/budgets.js';
import { startTestGateway, type TestGateway } from '../support/gateway.js';
import { bearer, newKey } from '../support/identities.js';
import { waitFor } from '../support/wait.js';

interface ErrorBody {
  error: { message: string; type: string; code: string };
}

const pdf = {
  type: 'file',
  file: { filename: 'report.pdf', file_data: 'data:application/pdf;base64,JVBERi0xLjQKJcfsj6IK' },
};
const audio = { type: 'input_audio', input_audio: { data: 'UklGRiQAAABXQVZF', format: 'wav' } };
const CONTEXT_WINDOW = 2_000;

describe('budgets reserve the context window for prompts with audio or files', () => {
  let gateway: TestGateway;
  const roomy = newKey();
  const tight = newKey();
  const unbounded = newKey();
  const edge = newKey();

  before(async () => {
    gateway = await startTestGateway({
      auth: { anonymous: 'deny' },
      limits: { timezone: 'UTC' },
      providers: { simulator: { type: 'simulator', ttft_ms: 300, tokens_per_second: 0 } },
      models: {
        'sim-windowed': {
          provider: 'simulator',
          context_window: CONTEXT_WINDOW,
          simulation: { output_tokens: 10 },
        },
        'sim-unbounded': { provider: 'simulator', simulation: { output_tokens: 10 } },
      },
      teams: {
        acme: {
          models: ['sim-*'],
          apps: {
            roomy: { keys: [{ id: 'roomy-1', sha256: roomy.sha256 }], limits: { tokens: { day: 5_000 } } },
            tight: { keys: [{ id: 'tight-1', sha256: tight.sha256 }], limits: { tokens: { day: 1_500 } } },
            // Room for the prompt's share of the window and part of the completion, not for all of it.
            edge: { keys: [{ id: 'edge-1', sha256: edge.sha256 }], limits: { tokens: { day: 1_980 } } },
            unbounded: {
              keys: [{ id: 'unbounded-1', sha256: unbounded.sha256 }],
              limits: { tokens: { day: 1_500 } },
            },
          },
        },
      },
    });
  });
  after(() => gateway.shutdown(0));

  const chat = (key: string, model: string, parts: object[], options: object = { max_tokens: 50 }) =>
    fetch(`${gateway.url}/v1/chat/completions`, {
      method: 'POST',
      headers: bearer(key),
      body: JSON.stringify({
        model,
        ...options,
        messages: [{ role: 'user', content: [{ type: 'text', text: 'Summarise this.' }, ...parts] }],
      }),
    });
  /** The reservation seen while the request runs (the simulator waits 300 ms before answering). */
  const reservedWhileRunning = async (key: string, scope: string, response: Promise<Response>) => {
    const during = await waitFor(async () => {
      const row = await dayBudget(key, scope);
      return row.reserved > 0 ? row : undefined;
    }, 'the reservation of the running request');
    const answered = await response;
    assert.equal(answered.status, 200);
    const usage = ((await answered.json()) as { usage: { prompt_tokens: number; completion_tokens: number } })
      .usage;
    const settled = await waitFor(async () => {
      const row = await dayBudget(key, scope);
      return row.reserved === 0 ? row : undefined;
    }, 'the reservation to be reconciled');
    return { reserved: during.reserved, usage, settled };
  };
  const dayBudget = (key: string, scope: string) => dayTokenBudget(gateway.url, bearer(key), scope);

  it('/v1/analyze says which parts are not counted', async () => {
    const response = await fetch(`${gateway.url}/v1/analyze`, {
      method: 'POST',
      headers: bearer(roomy.key),
      body: JSON.stringify({
        model: 'sim-windowed',
        messages: [{ role: 'user', content: [{ type: 'text', text: 'Listen and read.' }, pdf, audio] }],
      }),
    });
    assert.equal(response.status, 200);
    const body = (await response.json()) as { tokens: { uncounted_parts: number; exact: boolean } };
    assert.equal(body.tokens.uncounted_parts, 2);
    assert.equal(body.tokens.exact, false);
  });

  it('holds the context window while the call runs, then charges the reported usage', async () => {
    const before = (await dayBudget(roomy.key, 'app:acme/roomy')).used;
    const run = await reservedWhileRunning(
      roomy.key,
      'app:acme/roomy',
      chat(roomy.key, 'sim-windowed', [pdf]),
    );
    // Prompt and completion share the window: the whole of it, not the few tokens of the text.
    assert.equal(run.reserved, CONTEXT_WINDOW);
    assert.equal(run.settled.used - before, run.usage.prompt_tokens + run.usage.completion_tokens);
  });

  it('reserves the window once without max_tokens (the completion bound is what it leaves)', async () => {
    const open = await reservedWhileRunning(
      roomy.key,
      'app:acme/roomy',
      chat(roomy.key, 'sim-windowed', [pdf], {}),
    );
    assert.equal(open.reserved, CONTEXT_WINDOW);
  });

  it('refuses a prompt with a file when the window can never fit, and says why', async () => {
    const refused = await chat(tight.key, 'sim-windowed', [audio]);
    assert.equal(refused.status, 429);
    const error = ((await refused.json()) as ErrorBody).error;
    assert.equal(error.code, 'budget_exceeded');
    assert.match(error.message, /context window, as the prompt holds audio or files/);
    assert.match(error.message, /it reserves 2000 tokens \(the model's context window/);
    assert.match(error.message, /Raise the limit to at least 2000 tokens, or send the content as text\.$/);
    // The same text without the file is counted exactly and fits.
    const plain = await chat(tight.key, 'sim-windowed', []);
    assert.equal(plain.status, 200);
    await plain.text();
  });

  it('starts a stream with such a prompt only with its whole reservation (no partial admission)', async () => {
    const refused = await chat(edge.key, 'sim-windowed', [pdf], { max_tokens: 50, stream: true });
    assert.equal(refused.status, 429);
    assert.match(((await refused.json()) as ErrorBody).error.message, /it reserves 2000 tokens/);
    // A text-only stream may start with what is left, as before.
    const text = await chat(edge.key, 'sim-windowed', [], { max_tokens: 50, stream: true });
    assert.equal(text.status, 200);
    await text.text();
  });

  it('without a configured context window, reserves the counted text only', async () => {
    const scope = 'app:acme/unbounded';
    const run = await reservedWhileRunning(unbounded.key, scope, chat(unbounded.key, 'sim-unbounded', [pdf]));
    assert.ok(run.reserved > 50 && run.reserved < 100, `reserved ${run.reserved}`);
  });
});
