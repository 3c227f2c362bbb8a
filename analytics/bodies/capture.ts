// Bounded capture of bodies on the request path: the request bytes decoded up to a byte limit, and SSE
// frames appended as they pass until the limit. Never more than the limit is held per body, so the queue
// of body records stays bounded however large the traffic is.

/** The first `maxBytes` bytes of `bytes` as text, cut back to a character boundary. */
export function truncateUtf8Bytes(bytes: Uint8Array, maxBytes: number): { text: string; truncated: boolean } {
  const buffer = Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length);
  if (buffer.length <= maxBytes) return { text: buffer.toString('utf8'), truncated: false };
  let end = maxBytes;
  // Back off continuation bytes (10xxxxxx) so that the cut does not split a character.
  while (end > 0 && (buffer[end]! & 0xc0) === 0x80) end--;
  return { text: buffer.toString('utf8', 0, end), truncated: true };
}

/** `text` cut to at most `maxBytes` UTF-8 bytes. */
export function truncateUtf8(text: string, maxBytes: number): { text: string; truncated: boolean } {
  // Three bytes per UTF-16 unit at most: short texts need no encoding to know they fit.
  if (text.length * 3 <= maxBytes || Buffer.byteLength(text, 'utf8') <= maxBytes)
    return { text, truncated: false };
  return truncateUtf8Bytes(Buffer.from(text, 'utf8'), maxBytes);
}

/** Collects SSE frames up to `maxBytes` (UTF-8); what does not fit is counted as truncation, not kept. */
export class FrameCapture {
  private readonly parts: string[] = [];
  private bytes = 0;
  truncated = false;

  constructor(private readonly maxBytes: number) {}

  add(frame: string): void {
    if (this.truncated) return;
    const size = Buffer.byteLength(frame, 'utf8');
    if (this.bytes + size <= this.maxBytes) {
      this.parts.push(frame);
      this.bytes += size;
      return;
    }
    const rest = truncateUtf8(frame, this.maxBytes - this.bytes);
    if (rest.text !== '') this.parts.push(rest.text);
    this.bytes = this.maxBytes;
    this.truncated = true;
  }

  text(): string {
    return this.parts.join('');
  }
}
