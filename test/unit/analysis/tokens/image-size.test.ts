// Image dimensions from PNG, JPEG, GIF and WebP headers, built byte by byte here.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  imageSizeFromBase64,
  imageSizeFromDataUrl,
} from '../../../../dataplane/analysis/tokens/image-size.js';

const u16be = (n: number) => [(n >> 8) & 0xff, n & 0xff];
const u16le = (n: number) => [n & 0xff, (n >> 8) & 0xff];
const u24le = (n: number) => [n & 0xff, (n >> 8) & 0xff, (n >> 16) & 0xff];
const u32be = (n: number) => [(n >>> 24) & 0xff, (n >> 16) & 0xff, (n >> 8) & 0xff, n & 0xff];
const ascii = (s: string) => [...s].map((c) => c.charCodeAt(0));

function png(width: number, height: number): Buffer {
  const signature = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
  return Buffer.from([
    ...signature,
    ...u32be(13),
    ...ascii('IHDR'),
    ...u32be(width),
    ...u32be(height),
    8,
    6,
    0,
    0,
    0,
  ]);
}

function gif(width: number, height: number): Buffer {
  return Buffer.from([...ascii('GIF89a'), ...u16le(width), ...u16le(height), 0, 0, 0]);
}

function jpeg(width: number, height: number, metadataBytes = 14): Buffer {
  const app1 = [0xff, 0xe1, ...u16be(metadataBytes + 2), ...new Array<number>(metadataBytes).fill(0x41)];
  const sof2 = [
    0xff,
    0xc2,
    ...u16be(17),
    8,
    ...u16be(height),
    ...u16be(width),
    3,
    1,
    0x22,
    0,
    2,
    0x11,
    1,
    3,
    0x11,
    1,
  ];
  return Buffer.from([0xff, 0xd8, ...app1, ...sof2, 0xff, 0xda, 0, 0]);
}

function webp(chunk: 'VP8 ' | 'VP8L' | 'VP8X', width: number, height: number): Buffer {
  const header = [...ascii('RIFF'), 0, 0, 0, 0, ...ascii('WEBP'), ...ascii(chunk), 10, 0, 0, 0];
  let body: number[];
  if (chunk === 'VP8 ') body = [0, 0, 0, 0x9d, 0x01, 0x2a, ...u16le(width), ...u16le(height)];
  else if (chunk === 'VP8L') {
    const bits = (width - 1) | ((height - 1) << 14);
    body = [0x2f, bits & 0xff, (bits >> 8) & 0xff, (bits >> 16) & 0xff, (bits >>> 24) & 0xff, 0, 0, 0, 0, 0];
  } else body = [0, 0, 0, 0, ...u24le(width - 1), ...u24le(height - 1)];
  return Buffer.from([...header, ...body]);
}

const dataUrl = (mime: string, bytes: Buffer) => `data:${mime};base64,${bytes.toString('base64')}`;

describe('imageSizeFromDataUrl', () => {
  it('reads PNG', () => {
    assert.deepEqual(imageSizeFromDataUrl(dataUrl('image/png', png(1024, 768))), {
      width: 1024,
      height: 768,
    });
  });

  it('reads GIF', () => {
    assert.deepEqual(imageSizeFromDataUrl(dataUrl('image/gif', gif(640, 421))), { width: 640, height: 421 });
  });

  it('reads JPEG, skipping metadata segments', () => {
    assert.deepEqual(imageSizeFromDataUrl(dataUrl('image/jpeg', jpeg(4032, 3024))), {
      width: 4032,
      height: 3024,
    });
  });

  it('reads JPEG whose frame header sits behind more metadata than the first chunk', () => {
    const big = jpeg(1920, 1080, 60_000);
    assert.deepEqual(imageSizeFromDataUrl(dataUrl('image/jpeg', big)), { width: 1920, height: 1080 });
  });

  it('reads the three WebP flavours', () => {
    for (const chunk of ['VP8 ', 'VP8L', 'VP8X'] as const) {
      assert.deepEqual(imageSizeFromDataUrl(dataUrl('image/webp', webp(chunk, 1000, 333))), {
        width: 1000,
        height: 333,
      });
    }
  });

  it('trusts the bytes over the declared media type', () => {
    assert.deepEqual(imageSizeFromDataUrl(dataUrl('image/jpeg', png(10, 20))), { width: 10, height: 20 });
  });

  it('returns undefined for remote URLs, non-base64 data and junk', () => {
    assert.equal(imageSizeFromDataUrl('https://example.com/cat.png'), undefined);
    assert.equal(imageSizeFromDataUrl('data:image/png,rawbytes'), undefined);
    assert.equal(imageSizeFromDataUrl('data:image/png;base64,bm90IGFuIGltYWdl'), undefined);
    assert.equal(imageSizeFromDataUrl('data:image/png;base64,'), undefined);
    assert.equal(imageSizeFromBase64(jpeg(10, 10).subarray(0, 12).toString('base64')), undefined);
  });
});
