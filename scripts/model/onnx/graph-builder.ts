// A small, typed helper over onnx-proto for writing an ONNX graph by hand: it names intermediate values,
// stores weights as raw_data initializers, and serialises a ModelProto. It knows nothing about BERT.
import onnxProto from 'onnx-proto';
import type { onnx as Onnx } from 'onnx-proto';

// onnx-proto is CommonJS (`module.exports = { onnx }`), so it is reached through its default export.
const { onnx } = onnxProto;
type NodeAttributes = Record<string, number | readonly number[]>;

export const TensorType = onnx.TensorProto.DataType;

/** A symbolic or fixed dimension of a graph input/output. */
export type Dim = string | number;

export interface ValueSpec {
  readonly name: string;
  readonly elemType: number;
  readonly dims: readonly Dim[];
}

export interface ModelOptions {
  readonly irVersion: number;
  readonly opsetVersion: number;
  readonly producerName: string;
  readonly docString?: string;
}

/** onnxruntime's contrib-op domain (DynamicQuantizeMatMul, ...); its only opset version is 1. */
export const MS_DOMAIN = 'com.microsoft';

export class GraphBuilder {
  private readonly nodes: Onnx.INodeProto[] = [];
  private readonly domains = new Set<string>();
  private readonly initializers: Onnx.ITensorProto[] = [];
  private readonly names = new Set<string>();
  /** Identical small constants (shapes, axes, scalars) are shared rather than repeated per layer. */
  private readonly constants = new Map<string, string>();
  private counter = 0;

  /** A fresh value name derived from a readable hint (the hint alone if unused). */
  private fresh(hint: string): string {
    let name = hint;
    while (this.names.has(name)) name = `${hint}_${++this.counter}`;
    this.names.add(name);
    return name;
  }

  /** Registers a graph input name so no intermediate value collides with it. */
  reserve(name: string): string {
    if (this.names.has(name)) throw new Error(`value name already used: ${name}`);
    this.names.add(name);
    return name;
  }

  /** A float32 initializer; raw_data keeps the model compact and the encode fast. */
  f32(hint: string, dims: readonly number[], values: Float32Array): string {
    return this.raw(hint, dims, TensorType.FLOAT, values);
  }

  /** An int8 initializer (quantized weights, zero points). */
  i8(hint: string, dims: readonly number[], values: Int8Array): string {
    return this.raw(hint, dims, TensorType.INT8, values);
  }

  /** A uint8 initializer (activation zero points). */
  u8(hint: string, dims: readonly number[], values: Uint8Array): string {
    return this.raw(hint, dims, TensorType.UINT8, values);
  }

  private raw(
    hint: string,
    dims: readonly number[],
    dataType: number,
    values: Float32Array | Int8Array | Uint8Array,
  ): string {
    const count = dims.reduce((n, d) => n * d, 1);
    if (count !== values.length)
      throw new Error(`${hint}: ${values.length} values for dims [${dims.join(', ')}]`);
    const name = this.fresh(hint);
    this.initializers.push({
      name,
      dataType,
      dims: [...dims],
      rawData: new Uint8Array(values.buffer, values.byteOffset, values.byteLength),
    });
    return name;
  }

  /** An int64 constant initializer (shapes, axes, indices); identical ones are shared. */
  i64(hint: string, dims: readonly number[], values: readonly number[]): string {
    const key = `i64:${dims.join('x')}:${values.join(',')}`;
    const existing = this.constants.get(key);
    if (existing !== undefined) return existing;
    const bytes = new Uint8Array(values.length * 8);
    const view = new DataView(bytes.buffer);
    values.forEach((v, i) => view.setBigInt64(i * 8, BigInt(v), true));
    const name = this.fresh(hint);
    this.initializers.push({ name, dataType: TensorType.INT64, dims: [...dims], rawData: bytes });
    this.constants.set(key, name);
    return name;
  }

  /** A float32 scalar constant (0-d tensor, broadcasts against anything); identical ones are shared. */
  scalar(hint: string, value: number): string {
    const key = `f32:${value}`;
    const existing = this.constants.get(key);
    if (existing !== undefined) return existing;
    const name = this.f32(hint, [], Float32Array.of(value));
    this.constants.set(key, name);
    return name;
  }

  /** Appends one node with a single output and returns the output's name. */
  op(opType: string, inputs: readonly string[], hint: string, attributes: NodeAttributes = {}): string {
    return this.node(opType, inputs, this.fresh(hint), attributes);
  }

  /** An onnxruntime contrib op (domain com.microsoft) with a single output. */
  msOp(opType: string, inputs: readonly string[], hint: string, attributes: NodeAttributes = {}): string {
    this.domains.add(MS_DOMAIN);
    return this.node(opType, inputs, this.fresh(hint), attributes, MS_DOMAIN);
  }

  /** A default-domain node with several outputs; returns their names in order. */
  opMulti(
    opType: string,
    inputs: readonly string[],
    hints: readonly string[],
    attributes: NodeAttributes = {},
  ): string[] {
    const outputs = hints.map((h) => this.fresh(h));
    this.nodes.push({
      opType,
      name: `${opType}:${outputs[0] ?? ''}`,
      input: [...inputs],
      output: outputs,
      attribute: Object.entries(attributes).map(([name, value]) => toAttribute(name, value)),
    });
    return outputs;
  }

  /** Like op(), but the output gets exactly `name` (a graph output), which must be unused. */
  opNamed(opType: string, inputs: readonly string[], name: string, attributes: NodeAttributes = {}): string {
    return this.node(opType, inputs, this.reserve(name), attributes);
  }

  private node(
    opType: string,
    inputs: readonly string[],
    output: string,
    attributes: NodeAttributes,
    domain = '',
  ): string {
    this.nodes.push({
      opType,
      ...(domain === '' ? {} : { domain }),
      name: `${opType}:${output}`,
      input: [...inputs],
      output: [output],
      attribute: Object.entries(attributes).map(([name, value]) => toAttribute(name, value)),
    });
    return output;
  }

  /** Serialises the graph as an ONNX ModelProto. */
  encode(inputs: readonly ValueSpec[], outputs: readonly ValueSpec[], options: ModelOptions): Uint8Array {
    const model = onnx.ModelProto.create({
      irVersion: options.irVersion,
      opsetImport: [
        { domain: '', version: options.opsetVersion },
        ...[...this.domains].sort().map((domain) => ({ domain, version: 1 })),
      ],
      producerName: options.producerName,
      docString: options.docString ?? '',
      graph: {
        name: 'main_graph',
        node: this.nodes,
        initializer: this.initializers,
        input: inputs.map(toValueInfo),
        output: outputs.map(toValueInfo),
      },
    });
    return onnx.ModelProto.encode(model).finish();
  }
}

function toAttribute(name: string, value: number | readonly number[]): Onnx.IAttributeProto {
  const { AttributeType } = onnx.AttributeProto;
  if (typeof value !== 'number') return { name, type: AttributeType.INTS, ints: [...value] };
  // Integral values are INT attributes (axis, perm...); ops here never take an integral-valued float.
  if (Number.isInteger(value)) return { name, type: AttributeType.INT, i: value };
  return { name, type: AttributeType.FLOAT, f: value };
}

function toValueInfo(spec: ValueSpec): Onnx.IValueInfoProto {
  return {
    name: spec.name,
    type: {
      tensorType: {
        elemType: spec.elemType,
        shape: {
          dim: spec.dims.map((d) => (typeof d === 'number' ? { dimValue: d } : { dimParam: d })),
        },
      },
    },
  };
}
