// Image token formulas against the worked examples in OpenAI's and Anthropic's vision docs.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  anthropicImageTokens,
  imageProfileForModel,
  openAiImageTokens,
  patchCount,
  tileCount,
} from '../../../../dataplane/analysis/tokens/image-tokens.js';

const gpt4o = imageProfileForModel('gpt-4o-2024-08-06');

describe('OpenAI tile formula', () => {
  it('1024×1024 high → 768×768 → 4 tiles → 765 tokens (docs example)', () => {
    assert.equal(tileCount({ width: 1024, height: 1024 }), 4);
    assert.deepEqual(openAiImageTokens(gpt4o, { width: 1024, height: 1024 }, 'high'), {
      tokens: 765,
      exact: true,
    });
  });

  it('2048×4096 high → 768×1536 → 6 tiles → 1105 tokens (docs example)', () => {
    assert.deepEqual(openAiImageTokens(gpt4o, { width: 2048, height: 4096 }, 'high'), {
      tokens: 1105,
      exact: true,
    });
  });

  it('4096×8192 low → 85 tokens regardless of size (docs example)', () => {
    assert.deepEqual(openAiImageTokens(gpt4o, { width: 4096, height: 8192 }, 'low'), {
      tokens: 85,
      exact: true,
    });
  });

  it('treats auto like high and never enlarges small images', () => {
    assert.equal(openAiImageTokens(gpt4o, { width: 128, height: 64 }, 'auto').tokens, 85 + 170);
    assert.equal(tileCount({ width: 513, height: 500 }), 2);
  });

  it('a very thin image still needs tiles (a side never scales to zero pixels)', () => {
    assert.equal(tileCount({ width: 12_000, height: 1 }), 4);
    assert.equal(openAiImageTokens(gpt4o, { width: 12_000, height: 1 }, 'high').tokens, 85 + 4 * 170);
    assert.equal(tileCount({ width: 1, height: 1 }), 1);
  });

  it('rounds scaled sides: 2049×513 needs two tile rows, 2050×513 one', () => {
    assert.equal(tileCount({ width: 2049, height: 513 }), 8);
    assert.equal(tileCount({ width: 2050, height: 513 }), 4);
  });

  it('uses the per-model constants', () => {
    const size = { width: 1024, height: 1024 };
    assert.equal(
      openAiImageTokens(imageProfileForModel('gpt-4o-mini'), size, 'high').tokens,
      2833 + 4 * 5667,
    );
    assert.equal(openAiImageTokens(imageProfileForModel('gpt-4o-mini'), size, 'low').tokens, 2833);
    assert.equal(openAiImageTokens(imageProfileForModel('o1'), size, 'high').tokens, 75 + 4 * 150);
    assert.equal(openAiImageTokens(imageProfileForModel('o3-2025-04-16'), size, 'low').tokens, 75);
    assert.equal(openAiImageTokens(imageProfileForModel('gpt-5'), size, 'high').tokens, 70 + 4 * 140);
    assert.equal(
      openAiImageTokens(imageProfileForModel('computer-use-preview'), size, 'high').tokens,
      65 + 4 * 129,
    );
    assert.equal(openAiImageTokens(imageProfileForModel('gpt-4.1'), size, 'high').tokens, 765);
  });

  it('assumes the worst case (8 tiles) for an unknown size, flagged inexact', () => {
    assert.deepEqual(openAiImageTokens(gpt4o, undefined, 'high'), { tokens: 85 + 8 * 170, exact: false });
    assert.deepEqual(openAiImageTokens(gpt4o, undefined, 'low'), { tokens: 85, exact: true });
  });

  it('flags models missing from the table', () => {
    assert.equal(
      openAiImageTokens(imageProfileForModel('gpt-5.2'), { width: 10, height: 10 }, 'high').exact,
      false,
    );
  });
});

describe('OpenAI patch formula', () => {
  it('1024×1024 → 1024 patches (docs example)', () => {
    assert.equal(patchCount({ width: 1024, height: 1024 }), 1024);
  });

  it('1800×2400 → scaled to 33×44 = 1452 patches (docs example)', () => {
    assert.equal(patchCount({ width: 1800, height: 2400 }), 1452);
  });

  it('never exceeds 1536 patches', () => {
    for (const [width, height] of [
      [4000, 1474],
      [10_000, 10_000],
      [20_000, 50],
      [1537 * 32, 32],
    ] as const) {
      assert.ok(patchCount({ width, height }) <= 1536, `${width}×${height}`);
    }
  });

  it('applies the model multiplier, detail aside, and stays an estimate', () => {
    const size = { width: 1024, height: 1024 };
    assert.deepEqual(openAiImageTokens(imageProfileForModel('gpt-4.1-mini'), size, 'low'), {
      tokens: 1659,
      exact: false,
    });
    assert.equal(
      openAiImageTokens(imageProfileForModel('gpt-4.1-nano'), size, 'high').tokens,
      Math.ceil(1024 * 2.46),
    );
    assert.equal(
      openAiImageTokens(imageProfileForModel('o4-mini'), size, 'high').tokens,
      Math.ceil(1024 * 1.72),
    );
    assert.equal(
      openAiImageTokens(imageProfileForModel('gpt-5-mini'), undefined, 'high').tokens,
      Math.ceil(1536 * 1.62),
    );
  });
});

describe('Anthropic image estimate', () => {
  it('follows width×height/750 (docs: 200×200 ≈ 54, 1000×1000 ≈ 1334)', () => {
    assert.equal(anthropicImageTokens({ width: 200, height: 200 }), 54);
    assert.equal(anthropicImageTokens({ width: 1000, height: 1000 }), 1334);
  });

  it('caps large and unknown images at ~1600', () => {
    assert.equal(anthropicImageTokens({ width: 1092, height: 1092 }), 1590);
    assert.equal(anthropicImageTokens({ width: 8000, height: 8000 }), 1600);
    assert.equal(anthropicImageTokens(undefined), 1600);
  });
});
