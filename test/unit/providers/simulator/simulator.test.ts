// The simulator provider called directly: stop sequences, response_format shapes, and sim-flaky counted per model.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ChatCompletion, ChatRequest } from '../../../../dataplane/api/openai-chat.js';
import { parseConfig } from '../../../../dataplane/config/load.js';
import { createSimulatorProvider } from '../../../../dataplane/providers/simulator/index.js';
import type { CallOptions, Provider } from '../../../../dataplane/providers/types.js';

const config = parseConfig({}, {}, 'test');
const simulatorConfig = config.providers.simulator;
if (simulatorConfig?.type !== 'simulator') throw new Error('the default config has a simulator provider');

function provider(): Provider {
  return createSimulatorProvider('simulator', {
    ...simulatorConfig!,
    ttft_ms: 0,
    tokens_per_second: 0,
  } as never);
}

function callFor(model: string): CallOptions {
  return {
    signal: new AbortController().signal as unknown as CallOptions['signal'],
    requestId: 'r',
    model: { id: model, upstreamModel: model, config: { provider: 'simulator', kind: 'chat' } as never },
  };
}

async function answer(p: Provider, request: Partial<ChatRequest>, model = 'sim-1'): Promise<ChatCompletion> {
  const result = await p.chat(
    { model, messages: [{ role: 'user', content: 'Tell me about the sea.' }], ...request } as ChatRequest,
    callFor(model),
  );
  assert.equal(result.stream, false);
  return (result as { body: ChatCompletion }).body;
}

describe('simulator', () => {
  it('stops before the first stop sequence, and bills what it wrote', async () => {
    const p = provider();
    const whole = (await answer(p, {})).choices[0]!.message.content!;
    assert.match(whole, /a simulated model/);
    const cut = await answer(p, { stop: ['simulated', 'nothing like this'] });
    const text = cut.choices[0]!.message.content!;
    // Trailing whitespace is no token of the simulator's: "…, a" rather than "…, a ".
    assert.equal(text, whole.slice(0, whole.indexOf('simulated')).trimEnd());
    assert.equal(cut.choices[0]!.finish_reason, 'stop');
    const full = await answer(p, {});
    assert.ok(cut.usage!.completion_tokens < full.usage!.completion_tokens);
    assert.equal((await answer(p, { stop: 'zzz-never' })).choices[0]!.message.content, whole);
  });

  it('answers JSON for response_format json_object and a value of the schema for json_schema', async () => {
    const p = provider();
    const object = JSON.parse(
      (await answer(p, { response_format: { type: 'json_object' } })).choices[0]!.message.content!,
    ) as {
      answer: string;
    };
    assert.match(object.answer, /simulated model/);
    const schema = {
      type: 'object',
      properties: {
        summary: { type: 'string' },
        mood: { type: 'string', enum: ['calm', 'stormy'] },
        depth_m: { type: 'number' },
        tags: { type: 'array', items: { type: 'string' } },
        nested: {
          type: 'object',
          properties: { ok: { type: 'boolean' }, note: { type: ['string', 'null'] } },
        },
      },
      required: ['summary', 'mood', 'depth_m', 'tags', 'nested'],
      additionalProperties: false,
    };
    const shaped = await answer(p, {
      response_format: { type: 'json_schema', json_schema: { name: 'sea', schema, strict: true } },
    });
    const value = JSON.parse(shaped.choices[0]!.message.content!) as Record<string, unknown>;
    assert.deepEqual(Object.keys(value), ['summary', 'mood', 'depth_m', 'tags', 'nested']);
    assert.match(value.summary as string, /simulated model/);
    assert.equal(value.mood, 'calm');
    assert.equal(value.depth_m, 1);
    assert.deepEqual(value.tags, ['simulated']);
    assert.deepEqual(value.nested, { ok: true, note: 'simulated' });
    assert.equal(
      (await answer(p, { response_format: { type: 'text' } })).choices[0]!.message.content!.startsWith('{'),
      false,
    );
  });

  it('sim-flaky fails every other call of each model, whatever other models do', async () => {
    const p = provider();
    const outcome = async (model: string) => {
      try {
        await answer(p, {}, model);
        return 'ok';
      } catch (error) {
        return (error as { status?: number }).status;
      }
    };
    const seen = [];
    for (const model of [
      'sim-flaky-a',
      'sim-flaky-b',
      'sim-flaky-a',
      'sim-flaky-b',
      'sim-1',
      'sim-flaky-a',
    ]) {
      seen.push(await outcome(model));
    }
    assert.deepEqual(seen, [503, 503, 'ok', 'ok', 'ok', 503]);
  });
});
