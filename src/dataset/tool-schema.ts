import type { DatasetTool, JsonSchemaObject } from '../format/dataset.js';

/** What a function name must look like in OpenAI's `tools` (and so in its tool calls). */
export const TOOL_NAME = /^[a-zA-Z0-9_-]{1,64}$/;

/** The JSON type of a value, as JSON Schema names it. */
function jsonType(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  if (typeof v === 'number') return Number.isInteger(v) ? 'integer' : 'number';
  return typeof v; // string, boolean, object
}

/**
 * A JSON Schema of the values seen, merged one value at a time: types unioned (an integer and a
 * number make `number`), object members merged (`required`: those every object had), array items
 * merged. Values nest at most 16 deep; deeper ones are any.
 */
export class SchemaBuilder {
  private readonly types = new Set<string>();
  private props: Map<string, SchemaBuilder> | undefined;
  private requiredCount: Map<string, number> | undefined;
  private objects = 0;
  private items: SchemaBuilder | undefined;

  constructor(private readonly depth = 0) {}

  add(value: unknown): void {
    const t = jsonType(value);
    this.types.add(t);
    if (this.depth >= 16) return;
    if (t === 'object') {
      this.objects++;
      this.props ??= new Map();
      this.requiredCount ??= new Map();
      for (const [k, v] of Object.entries(value as object)) {
        let b = this.props.get(k);
        if (b === undefined) this.props.set(k, (b = new SchemaBuilder(this.depth + 1)));
        b.add(v);
        this.requiredCount.set(k, (this.requiredCount.get(k) ?? 0) + 1);
      }
    } else if (t === 'array') {
      for (const v of value as unknown[]) (this.items ??= new SchemaBuilder(this.depth + 1)).add(v);
    }
  }

  build(): JsonSchemaObject {
    const types = [...this.types];
    if (types.includes('number') && types.includes('integer')) types.splice(types.indexOf('integer'), 1);
    types.sort();
    const schema: JsonSchemaObject = {};
    if (types.length === 1) schema.type = types[0]!;
    else if (types.length > 1) schema.type = types;
    if (this.props !== undefined && this.depth < 16) {
      schema.properties = {};
      for (const k of [...this.props.keys()].sort()) schema.properties[k] = this.props.get(k)!.build();
      const required = [...this.props.keys()]
        .filter((k) => this.requiredCount?.get(k) === this.objects)
        .sort();
      if (required.length > 0) schema.required = required;
    }
    if (this.items !== undefined) schema.items = this.items.build();
    return schema;
  }
}

/** The `tools` list of a session: one function per name called, with its parameters' schema. */
export class ToolsCollector {
  private readonly tools = new Map<string, SchemaBuilder>();

  /** One call: `args` is the parsed arguments object. */
  add(name: string, args: Record<string, unknown>): void {
    let b = this.tools.get(name);
    if (b === undefined) this.tools.set(name, (b = new SchemaBuilder()));
    b.add(args);
  }

  /** Whether a function of this name was called. */
  has(name: string): boolean {
    return this.tools.has(name);
  }

  /** The tools, in the order they were first called. */
  build(): DatasetTool[] {
    return [...this.tools].map(([name, b]) => {
      const parameters = b.build();
      parameters.type = 'object';
      parameters.properties ??= {};
      return { type: 'function', function: { name, parameters } };
    });
  }
}
