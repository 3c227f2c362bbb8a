// A safetensors reader: 8-byte little-endian header length, a JSON header mapping tensor names to
// {dtype, shape, data_offsets}, then the raw little-endian bytes. We only need F32 (weights) and I64
// (BERT's position_ids buffer), but every entry is bounds- and size-checked so a bad file fails loudly.

export type SafetensorsDtype = 'F32' | 'F16' | 'BF16' | 'F64' | 'I64' | 'I32' | 'I16' | 'I8' | 'U8' | 'BOOL';

const DTYPE_BYTES: Record<SafetensorsDtype, number> = {
  F64: 8,
  F32: 4,
  F16: 2,
  BF16: 2,
  I64: 8,
  I32: 4,
  I16: 2,
  I8: 1,
  U8: 1,
  BOOL: 1,
};

export interface TensorInfo {
  readonly dtype: SafetensorsDtype;
  readonly shape: readonly number[];
  /** The tensor's raw bytes (a view into the file buffer). */
  readonly bytes: Buffer;
}

export class SafetensorsError extends Error {
  override readonly name = 'SafetensorsError';
}

export class Safetensors {
  readonly tensors: ReadonlyMap<string, TensorInfo>;
  readonly metadata: Readonly<Record<string, string>>;

  constructor(buffer: Buffer) {
    const parsed = parseSafetensors(buffer);
    this.tensors = parsed.tensors;
    this.metadata = parsed.metadata;
  }

  get(name: string): TensorInfo {
    const tensor = this.tensors.get(name);
    if (!tensor) throw new SafetensorsError(`tensor not found: ${name}`);
    return tensor;
  }

  /** A float32 tensor as a fresh (aligned) Float32Array, checked against the expected shape. */
  f32(name: string, expectedShape: readonly number[]): Float32Array {
    const tensor = this.get(name);
    if (tensor.dtype !== 'F32') throw new SafetensorsError(`${name}: expected F32, got ${tensor.dtype}`);
    if (!sameShape(tensor.shape, expectedShape)) {
      throw new SafetensorsError(
        `${name}: expected shape [${expectedShape.join(', ')}], got [${tensor.shape.join(', ')}]`,
      );
    }
    // Copy: the view's byteOffset in the file buffer need not be 4-aligned. The file is little-endian, as
    // is every platform Node supports in practice.
    const out = new Float32Array(tensor.bytes.length / 4);
    new Uint8Array(out.buffer).set(tensor.bytes);
    return out;
  }
}

function sameShape(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}

function isDtype(value: unknown): value is SafetensorsDtype {
  return typeof value === 'string' && Object.hasOwn(DTYPE_BYTES, value);
}

function parseSafetensors(buffer: Buffer): {
  tensors: Map<string, TensorInfo>;
  metadata: Record<string, string>;
} {
  if (buffer.length < 8) throw new SafetensorsError('file too short for a safetensors header');
  const headerLength = buffer.readBigUInt64LE(0);
  if (headerLength > BigInt(buffer.length - 8)) throw new SafetensorsError('header length exceeds file size');
  const headerEnd = 8 + Number(headerLength);
  let header: unknown;
  try {
    header = JSON.parse(buffer.toString('utf8', 8, headerEnd));
  } catch (error) {
    throw new SafetensorsError(`header is not valid JSON: ${(error as Error).message}`);
  }
  if (typeof header !== 'object' || header === null || Array.isArray(header)) {
    throw new SafetensorsError('header is not a JSON object');
  }
  const data = buffer.subarray(headerEnd);
  const tensors = new Map<string, TensorInfo>();
  let metadata: Record<string, string> = {};
  for (const [name, raw] of Object.entries(header as Record<string, unknown>)) {
    if (name === '__metadata__') {
      metadata = raw as Record<string, string>;
      continue;
    }
    const entry = raw as { dtype?: unknown; shape?: unknown; data_offsets?: unknown };
    if (!isDtype(entry.dtype))
      throw new SafetensorsError(`${name}: unsupported dtype ${String(entry.dtype)}`);
    const shape = entry.shape;
    const offsets = entry.data_offsets;
    if (!Array.isArray(shape) || !shape.every((d) => Number.isSafeInteger(d) && (d as number) >= 0)) {
      throw new SafetensorsError(`${name}: bad shape`);
    }
    if (
      !Array.isArray(offsets) ||
      offsets.length !== 2 ||
      !offsets.every((o) => Number.isSafeInteger(o) && (o as number) >= 0)
    ) {
      throw new SafetensorsError(`${name}: bad data_offsets`);
    }
    const [begin, end] = offsets as [number, number];
    const dims = shape as number[];
    const expected = dims.reduce((n, d) => n * d, 1) * DTYPE_BYTES[entry.dtype];
    if (end < begin || end > data.length) throw new SafetensorsError(`${name}: data_offsets out of range`);
    if (end - begin !== expected) {
      throw new SafetensorsError(
        `${name}: ${end - begin} bytes for shape [${dims.join(', ')}] of ${entry.dtype}`,
      );
    }
    tensors.set(name, { dtype: entry.dtype, shape: dims, bytes: data.subarray(begin, end) });
  }
  return { tensors, metadata };
}
