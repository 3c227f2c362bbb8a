// Renders function/tool definitions the way OpenAI injects them into the system prompt: a TypeScript-like
// `namespace functions`. Its token count plus fixed framing constants reproduces the billed prompt tokens.

export interface FunctionDefinition {
  readonly name: string;
  readonly description?: string;
  readonly parameters?: unknown;
}

export interface FormattedFunctions {
  text: string;
  /** False when a schema used constructs whose rendering is not pinned by test vectors (anyOf, $ref, ...). */
  exact: boolean;
}

type Schema = Record<string, unknown>;

function asSchema(value: unknown): Schema | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Schema) : undefined;
}

function propertiesOf(schema: Schema | undefined): [string, unknown][] {
  const properties = asSchema(schema?.properties);
  return properties === undefined ? [] : Object.entries(properties);
}

// Descriptions only render for properties at the two outermost levels (indent 0), as the vectors show.
const MAX_DESCRIBED_INDENT = 2;

class Renderer {
  exact = true;

  objectProperties(schema: Schema, indent: number): string {
    const required = Array.isArray(schema.required) ? (schema.required as unknown[]) : [];
    const lines: string[] = [];
    for (const [name, value] of propertiesOf(schema)) {
      const property = asSchema(value) ?? {};
      const { description } = property;
      if (typeof description === 'string' && description !== '' && indent < MAX_DESCRIBED_INDENT) {
        lines.push(`// ${description}`);
      }
      const optional = required.includes(name) ? '' : '?';
      lines.push(`${name}${optional}: ${this.type(property, indent)},`);
    }
    // Only each entry's first line is indented; nested closing braces stay at column 0, as OpenAI renders them.
    return lines.map((line) => ' '.repeat(indent) + line).join('\n');
  }

  enumUnion(values: unknown[], quote: boolean): string {
    return values.map((v) => (quote ? `"${String(v)}"` : String(v))).join(' | ');
  }

  type(schema: Schema, indent: number): string {
    const values = Array.isArray(schema.enum) ? (schema.enum as unknown[]) : undefined;
    switch (schema.type) {
      case 'string':
        return values ? this.enumUnion(values, true) : 'string';
      case 'number':
      case 'integer':
        return values ? this.enumUnion(values, false) : 'number';
      case 'boolean':
        return 'boolean';
      case 'null':
        return 'null';
      case 'object':
        return ['{', this.objectProperties(schema, indent + 2), '}'].join('\n');
      case 'array': {
        const items = asSchema(schema.items);
        return items ? `${this.type(items, indent)}[]` : 'any[]';
      }
      default:
        // Type unions, anyOf/oneOf, $ref, enum without type: rendered plausibly, but not verified.
        this.exact = false;
        if (values) return this.enumUnion(values, true);
        if (Array.isArray(schema.type)) {
          return schema.type.map((t: unknown) => this.type({ ...schema, type: t }, indent)).join(' | ');
        }
        return 'any';
    }
  }
}

export function formatFunctionNamespace(functions: readonly FunctionDefinition[]): FormattedFunctions {
  const renderer = new Renderer();
  const lines = ['namespace functions {', ''];
  for (const fn of functions) {
    if (fn.description) lines.push(`// ${fn.description}`);
    const parameters = asSchema(fn.parameters);
    if (parameters !== undefined && propertiesOf(parameters).length > 0) {
      lines.push(`type ${fn.name} = (_: {`);
      lines.push(renderer.objectProperties(parameters, 0));
      lines.push('}) => any;');
    } else {
      lines.push(`type ${fn.name} = () => any;`);
    }
    lines.push('');
  }
  lines.push('} // namespace functions');
  return { text: lines.join('\n'), exact: renderer.exact };
}
