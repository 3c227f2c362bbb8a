// Image input tokens: OpenAI's documented tile and patch formulas per model, and Anthropic's pixels/750 rule.
// Constants from OpenAI's "Images and vision — calculating costs" and Anthropic's vision guide.
import { normalizeModel } from './model-encoding.js';
import type { ImageSize } from './image-size.js';

export type ImageDetail = 'low' | 'high' | 'auto';

interface TileProfile {
  readonly kind: 'tile';
  readonly base: number;
  readonly tile: number;
}

interface PatchProfile {
  readonly kind: 'patch';
  readonly multiplier: number;
}

export type ImageProfile = (TileProfile | PatchProfile) & {
  /** False when the model is not in OpenAI's table and a neighbouring family's constants stand in. */
  readonly documented: boolean;
};

export interface ImageCount {
  tokens: number;
  exact: boolean;
}

const tile = (base: number, tilePrice: number, documented = true): ImageProfile => ({
  kind: 'tile',
  base,
  tile: tilePrice,
  documented,
});
const patch = (multiplier: number): ImageProfile => ({ kind: 'patch', multiplier, documented: true });

// First match wins, so the -mini/-nano variants precede their family.
const PROFILES: readonly (readonly [RegExp, ImageProfile])[] = [
  [/^gpt-4o-mini(-|$)/, tile(2833, 5667)],
  [/^gpt-4\.1-mini(-|$)/, patch(1.62)],
  [/^gpt-4\.1-nano(-|$)/, patch(2.46)],
  [/^gpt-5-mini(-|$)/, patch(1.62)],
  [/^gpt-5-nano(-|$)/, patch(2.46)],
  [/^o4-mini(-|$)/, patch(1.72)],
  [/^o1(-pro)?(-\d{4}-\d{2}-\d{2})?$/, tile(75, 150)],
  [/^o3(-pro)?(-\d{4}-\d{2}-\d{2})?$/, tile(75, 150)],
  [/^gpt-5(-chat-latest)?(-\d{4}-\d{2}-\d{2})?$/, tile(70, 140)],
  [/^computer-use-preview(-|$)/, tile(65, 129)],
  [/^(gpt-4o|chatgpt-4o|gpt-4\.1|gpt-4\.5|gpt-4-turbo|gpt-4-vision)(-|$)/, tile(85, 170)],
];

// Unlisted models (newer gpt-5.x, self-hosted, ...) get gpt-4o's constants, flagged as undocumented.
const FALLBACK: ImageProfile = tile(85, 170, false);

export function imageProfileForModel(model: string): ImageProfile {
  const name = normalizeModel(model);
  for (const [pattern, profile] of PROFILES) if (pattern.test(name)) return profile;
  return FALLBACK;
}

const TILE_FIT = 2048;
const TILE_SHORT_SIDE = 768;
const TILE_SIZE = 512;
/** Most tiles a high-detail image can need: 768×2048 after scaling is 2×4 tiles. */
const MAX_TILES = 8;
const PATCH_SIZE = 32;
const MAX_PATCHES = 1536;

/** Tiles covering the image after fitting into 2048² and shrinking the short side to 768 (never enlarging). */
export function tileCount(size: ImageSize): number {
  let { width, height } = size;
  const fit = Math.min(1, TILE_FIT / Math.max(width, height));
  // Rounded, not floored: 2049×513 bills two tile rows and 2050×513 one (community-measured on gpt-4.1).
  // A side never scales below one pixel: a 12000×1 strip is still an image of at least one tile.
  width = Math.max(1, Math.round(width * fit));
  height = Math.max(1, Math.round(height * fit));
  const shrink = Math.min(1, TILE_SHORT_SIDE / Math.min(width, height));
  width = Math.max(1, Math.round(width * shrink));
  height = Math.max(1, Math.round(height * shrink));
  return Math.ceil(width / TILE_SIZE) * Math.ceil(height / TILE_SIZE);
}

/** 32-px patches covering the image, scaled down (keeping whole patches) to at most 1536. */
export function patchCount(size: ImageSize): number {
  const { width, height } = size;
  // A small epsilon keeps 33.0000000001 from becoming 34 after floating-point scaling.
  const ceil = (x: number) => Math.ceil(x - 1e-9);
  const raw = ceil(width / PATCH_SIZE) * ceil(height / PATCH_SIZE);
  if (raw <= MAX_PATCHES) return raw;
  let r = Math.sqrt((PATCH_SIZE * PATCH_SIZE * MAX_PATCHES) / (width * height));
  const w = (width * r) / PATCH_SIZE;
  const h = (height * r) / PATCH_SIZE;
  r *= Math.min(Math.floor(w) / w, Math.floor(h) / h);
  const scaled = ceil((width * r) / PATCH_SIZE) * ceil((height * r) / PATCH_SIZE);
  return Math.min(scaled, MAX_PATCHES);
}

/**
 * OpenAI image tokens. Unknown size (remote URL) takes the worst case and is inexact; patch models are inexact
 * too, as OpenAI does not say how the multiplied count is rounded (rounded up here, the safe side for budgets).
 */
export function openAiImageTokens(
  profile: ImageProfile,
  size: ImageSize | undefined,
  detail: ImageDetail,
): ImageCount {
  if (profile.kind === 'patch') {
    const patches = size === undefined ? MAX_PATCHES : patchCount(size);
    return { tokens: Math.ceil(patches * profile.multiplier), exact: false };
  }
  if (detail === 'low') return { tokens: profile.base, exact: profile.documented };
  const tiles = size === undefined ? MAX_TILES : tileCount(size);
  return { tokens: profile.base + profile.tile * tiles, exact: profile.documented && size !== undefined };
}

const CLAUDE_LONG_EDGE = 1568;
const CLAUDE_MAX_TOKENS = 1600;

/** Claude: about width×height/750 tokens after the long edge is limited to 1568 px, at most ~1600. */
export function anthropicImageTokens(size: ImageSize | undefined): number {
  if (size === undefined) return CLAUDE_MAX_TOKENS;
  const scale = Math.min(1, CLAUDE_LONG_EDGE / Math.max(size.width, size.height));
  const pixels = Math.round(size.width * scale) * Math.round(size.height * scale);
  return Math.min(CLAUDE_MAX_TOKENS, Math.ceil(pixels / 750));
}
