// Budgets and prompts the analysis cannot count: audio and file parts (PDFs) are not decoded ahead of the call,
// so their text-only count is a lower bound. A real gateway (in-process limit store, simulator upstream) must
// reserve the model's context window for them, refuse them when even that can never fit, and charge what the
// upstream then reports.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startTestGateway, type TestGateway } from '../support/gateway.js';
import { bearer, newKey } from '../support/identities.js';
import { waitFor } from '../support/wait.js';

interface ErrorBody {
  error: { message: string; type: string; code: string };
}
interface BudgetRow {
  scope: string;
  period: string;
  used: number;
  reserved: number;
  limit: number;
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
          },
        },
      },
    });
  });
  after(() => gateway.shutdown(0));

  const chat = (key: string, model: string, parts: object[]) =>
    fetch(`${gateway.url}/v1/chat/completions`, {
      method: 'POST',
      headers: bearer(key),
      body: JSON.stringify({
        model,
        max_tokens: 50,
        messages: [{ role: 'user', content: [{ type: 'text', text: 'Summarise this.' }, ...parts] }],
      }),
    });
  const dayBudget = async (key: string, scope: string): Promise<BudgetRow> => {
    const body = (await (await fetch(`${gateway.url}/v1/budgets`, { headers: bearer(key) })).json()) as {
      data: BudgetRow[];
    };
    const row = body.data.find((b) => b.scope === scope && b.period === 'day');
    assert.ok(row !== undefined, `no day budget for ${scope}`);
    return row;
  };

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
    const pending = chat(roomy.key, 'sim-windowed', [pdf]);
    const during = await waitFor(async () => {
      const row = await dayBudget(roomy.key, 'app:acme/roomy');
      return row.reserved > 0 ? row : undefined;
    }, 'the reservation of the running request');
    // The context window for the prompt, plus max_tokens: not the few tokens of its text.
    assert.equal(during.reserved, CONTEXT_WINDOW + 50);
    const response = await pending;
    assert.equal(response.status, 200);
    const usage = ((await response.json()) as { usage: { prompt_tokens: number; completion_tokens: number } })
      .usage;
    const settled = await waitFor(async () => {
      const row = await dayBudget(roomy.key, 'app:acme/roomy');
      return row.reserved === 0 ? row : undefined;
    }, 'the reservation to be reconciled');
    assert.equal(settled.used, usage.prompt_tokens + usage.completion_tokens);
  });

  it('refuses a prompt with a file when the window can never fit, and says why', async () => {
    const refused = await chat(tight.key, 'sim-windowed', [audio]);
    assert.equal(refused.status, 429);
    const error = ((await refused.json()) as ErrorBody).error;
    assert.equal(error.code, 'budget_exceeded');
    assert.match(error.message, /context window, as the prompt holds audio or files/);
    assert.match(error.message, /Raise the limit above the context window, or send the content as text\.$/);
    // The same text without the file is counted exactly and fits.
    const plain = await chat(tight.key, 'sim-windowed', []);
    assert.equal(plain.status, 200);
    await plain.text();
  });

  it('without a configured context window, reserves the counted text only', async () => {
    const pending = chat(tight.key, 'sim-unbounded', [pdf]);
    const during = await waitFor(async () => {
      const row = await dayBudget(tight.key, 'app:acme/tight');
      return row.reserved > 0 ? row : undefined;
    }, 'the reservation of the running request');
    assert.ok(during.reserved < 100, `reserved ${during.reserved}`);
    const response = await pending;
    assert.equal(response.status, 200);
    await response.text();
  });
});
