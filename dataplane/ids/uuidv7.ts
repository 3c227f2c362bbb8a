// UUIDv7 (RFC 9562): 48-bit Unix ms timestamp, then random bits, so ids sort by creation time in ClickHouse.
import { randomFillSync } from 'node:crypto';

const HEX: string[] = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));

/** A factory rather than a function with module state: each gateway owns its random pool. */
export function createUuidV7(): () => string {
  const pool = new Uint8Array(16 * 256);
  let offset = pool.length;
  const bytes = new Uint8Array(16);
  return function uuidv7(): string {
    if (offset + 10 > pool.length) {
      randomFillSync(pool);
      offset = 0;
    }
    const ms = Date.now();
    // 48-bit big-endian timestamp; split because bitwise ops in JS are 32-bit.
    const high = Math.floor(ms / 0x100000000);
    const low = ms >>> 0;
    bytes[0] = (high >>> 8) & 0xff;
    bytes[1] = high & 0xff;
    bytes[2] = (low >>> 24) & 0xff;
    bytes[3] = (low >>> 16) & 0xff;
    bytes[4] = (low >>> 8) & 0xff;
    bytes[5] = low & 0xff;
    for (let i = 6; i < 16; i++) bytes[i] = pool[offset++]!;
    bytes[6] = 0x70 | (bytes[6]! & 0x0f);
    bytes[8] = 0x80 | (bytes[8]! & 0x3f);
    let out = '';
    for (let i = 0; i < 16; i++) {
      if (i === 4 || i === 6 || i === 8 || i === 10) out += '-';
      out += HEX[bytes[i]!];
    }
    return out;
  };
}
