// The mock upstream's decisions (latency draws, error injection) and its cheap request-flag reading.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  behaviourSchema,
  decide,
  sampleLatency,
  seededRandom,
} from '../../../bench/mock-upstream/behaviour.js';
import { buildBodies } from '../../../bench/mock-upstream/bodies.js';
import { wantsStream, wantsUsageChunk } from '../../../bench/mock-upstream/request-flags.js';

describe('seededRandom', () => {
  it('repeats for a seed and stays in [0, 1)', () => {
    const a = seededRandom(42);
    const b = seededRandom(42);
    for (let i = 0; i < 1000; i++) {
      const x = a();
      assert.equal(x, b());
      assert.ok(x >= 0 && x < 1);
    }
    assert.notEqual(seededRandom(1)(), seededRandom(2)());
  });
});

describe('sampleLatency', () => {
  const random = seededRandom(7);
  it('fixed is fixed', () => assert.equal(sampleLatency({ kind: 'fixed', ms: 50 }, random), 50));

  it('uniform stays in its range', () => {
    for (let i = 0; i < 1000; i++) {
      const v = sampleLatency({ kind: 'uniform', minMs: 10, maxMs: 20 }, random);
      assert.ok(v >= 10 && v <= 20);
    }
  });

  it('exponential has about the right mean and respects its cap', () => {
    let sum = 0;
    const n = 20_000;
    for (let i = 0; i < n; i++) sum += sampleLatency({ kind: 'exponential', meanMs: 5 }, random);
    assert.ok(Math.abs(sum / n - 5) < 0.25);
    for (let i = 0; i < 1000; i++)
      assert.ok(sampleLatency({ kind: 'exponential', meanMs: 5, capMs: 6 }, random) <= 6);
  });

  it('lognormal has about the right median', () => {
    const xs = Array.from({ length: 20_001 }, () =>
      sampleLatency({ kind: 'lognormal', medianMs: 30, sigma: 0.5 }, random),
    ).sort((a, b) => a - b);
    assert.ok(Math.abs(xs[10_000]! - 30) < 1.5);
  });
});

describe('decide', () => {
  it('injects errors at the configured rate, reproducibly', () => {
    const behaviour = behaviourSchema.parse({ errorRate: 0.05, seed: 3 });
    const run = (): number => {
      const random = seededRandom(behaviour.seed);
      let fails = 0;
      for (let i = 0; i < 20_000; i++) if (decide(behaviour, random).fail) fails++;
      return fails;
    };
    const fails = run();
    assert.equal(run(), fails);
    assert.ok(Math.abs(fails / 20_000 - 0.05) < 0.006);
  });

  it('never fails at rate 0', () => {
    const behaviour = behaviourSchema.parse({});
    const random = seededRandom(1);
    for (let i = 0; i < 1000; i++) assert.equal(decide(behaviour, random).fail, false);
  });
});

describe('request flags', () => {
  const body = (o: unknown): Buffer => Buffer.from(JSON.stringify(o));

  it('reads stream and include_usage', () => {
    assert.equal(wantsStream(body({ model: 'm', stream: true })), true);
    assert.equal(wantsStream(body({ model: 'm', stream: false })), false);
    assert.equal(wantsStream(body({ model: 'm' })), false);
    assert.equal(wantsUsageChunk(body({ stream: true, stream_options: { include_usage: true } })), true);
    assert.equal(wantsUsageChunk(body({ stream: true })), false);
  });

  it('tolerates whitespace and is not fooled by string contents', () => {
    assert.equal(wantsStream(Buffer.from('{"stream" :\n true}')), true);
    assert.equal(wantsStream(body({ messages: [{ content: '"stream":true' }], stream: false })), false);
    assert.equal(wantsStream(body({ type: 'stream', stream: true })), true);
  });
});

describe('bodies', () => {
  it('builds N valid OpenAI chunks, the last one finishing', () => {
    const bodies = buildBodies(behaviourSchema.parse({ chunks: 5 }));
    assert.equal(bodies.openaiChunks.length, 5);
    const chunks = bodies.openaiChunks.map((c) => {
      assert.match(c, /^data: .*\n\n$/s);
      return JSON.parse(c.slice(6)) as { choices: { finish_reason: string | null }[] };
    });
    assert.equal(chunks[4]!.choices[0]!.finish_reason, 'stop');
    assert.equal(chunks[0]!.choices[0]!.finish_reason, null);
    assert.equal(bodies.anthropicDeltas.length, 5);
    JSON.parse(bodies.openaiJson);
    JSON.parse(bodies.anthropicJson);
  });
});
