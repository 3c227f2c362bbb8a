// Width and height of a base64 image (PNG, JPEG, GIF, WebP) read from its header, without an image library.
// Only the first few KB are decoded unless a JPEG hides its frame header behind large metadata segments.

export interface ImageSize {
  readonly width: number;
  readonly height: number;
}

// Base64 characters decoded on the first attempt: 3 KB of bytes covers PNG/GIF/WebP and most JPEGs.
const FIRST_CHUNK_CHARS = 4096;

function pngSize(b: Uint8Array): ImageSize | undefined {
  // Signature (8 bytes), IHDR length (4) and type (4), then big-endian width and height.
  if (b.length < 24 || b[0] !== 0x89 || b[1] !== 0x50 || b[2] !== 0x4e || b[3] !== 0x47) return undefined;
  const view = new DataView(b.buffer, b.byteOffset, b.byteLength);
  return { width: view.getUint32(16), height: view.getUint32(20) };
}

function gifSize(b: Uint8Array): ImageSize | undefined {
  // "GIF87a"/"GIF89a", then the logical screen size, little-endian.
  if (b.length < 10 || b[0] !== 0x47 || b[1] !== 0x49 || b[2] !== 0x46) return undefined;
  return { width: b[6] | (b[7] << 8), height: b[8] | (b[9] << 8) };
}

function webpSize(b: Uint8Array): ImageSize | undefined {
  const ascii = (from: number, to: number) => String.fromCharCode(...b.subarray(from, to));
  if (b.length < 30 || ascii(0, 4) !== 'RIFF' || ascii(8, 12) !== 'WEBP') return undefined;
  const chunk = ascii(12, 16);
  if (chunk === 'VP8 ') {
    // Lossy: 14-bit sizes after the 3-byte frame tag and the 9d 01 2a start code.
    return { width: (b[26] | (b[27] << 8)) & 0x3fff, height: (b[28] | (b[29] << 8)) & 0x3fff };
  }
  if (chunk === 'VP8L') {
    // Lossless: after the 0x2f signature, 14 bits width-1 then 14 bits height-1, little-endian bit order.
    const bits = b[21] | (b[22] << 8) | (b[23] << 16) | (b[24] << 24);
    return { width: (bits & 0x3fff) + 1, height: ((bits >>> 14) & 0x3fff) + 1 };
  }
  if (chunk === 'VP8X') {
    // Extended: 24-bit canvas width-1 and height-1 after 4 bytes of flags.
    return {
      width: (b[24] | (b[25] << 8) | (b[26] << 16)) + 1,
      height: (b[27] | (b[28] << 8) | (b[29] << 16)) + 1,
    };
  }
  return undefined;
}

// Start-of-frame markers carry the size; C4 (DHT), C8 (JPG) and CC (DAC) share the range but do not.
function isStartOfFrame(marker: number): boolean {
  return marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc;
}

type JpegResult = ImageSize | 'truncated' | undefined;

function jpegSize(b: Uint8Array): JpegResult {
  if (b.length < 4 || b[0] !== 0xff || b[1] !== 0xd8) return undefined;
  let i = 2;
  while (i + 3 < b.length) {
    if (b[i] !== 0xff) return undefined;
    const marker = b[i + 1];
    if (marker === 0xff) {
      i += 1; // fill byte
      continue;
    }
    // Standalone markers have no length field.
    if (marker === 0x01 || (marker >= 0xd0 && marker <= 0xd8)) {
      i += 2;
      continue;
    }
    if (marker === 0xd9 || marker === 0xda) return undefined; // end of image / scan data before any frame
    const length = (b[i + 2] << 8) | b[i + 3];
    if (isStartOfFrame(marker)) {
      if (i + 9 > b.length) return 'truncated';
      return { height: (b[i + 5] << 8) | b[i + 6], width: (b[i + 7] << 8) | b[i + 8] };
    }
    i += 2 + length;
  }
  return 'truncated';
}

export function imageSizeFromBytes(bytes: Uint8Array): ImageSize | 'truncated' | undefined {
  return pngSize(bytes) ?? gifSize(bytes) ?? webpSize(bytes) ?? jpegSize(bytes);
}

function valid(size: ImageSize | 'truncated' | undefined): ImageSize | undefined {
  return typeof size === 'object' && size.width > 0 && size.height > 0 ? size : undefined;
}

/** Size of a base64 payload (no `data:` prefix), or undefined when it is not a recognised image. */
export function imageSizeFromBase64(data: string): ImageSize | undefined {
  const head = data.slice(0, FIRST_CHUNK_CHARS);
  const first = imageSizeFromBytes(Buffer.from(head, 'base64'));
  if (first !== 'truncated' || head.length === data.length) return valid(first);
  return valid(imageSizeFromBytes(Buffer.from(data, 'base64')));
}

/** Size of an image in a `data:image/...;base64,` URL; undefined for remote URLs and unreadable data. */
export function imageSizeFromDataUrl(url: string): ImageSize | undefined {
  if (!url.startsWith('data:')) return undefined;
  const comma = url.indexOf(',');
  if (comma < 0 || !url.slice(0, comma).endsWith(';base64')) return undefined;
  return imageSizeFromBase64(url.slice(comma + 1));
}
