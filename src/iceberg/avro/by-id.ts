import { badRequest } from "../../core/errors.ts";
import type { AvroSchema } from "./container.ts";

/**
 * Iceberg resolves columns by field id, never by name: files written by other implementations use
 * older names (`added_data_files_count`) and other field orders. A record decoded with the file's
 * own writer schema is turned here into `IdStruct`s keyed by the `field-id` of each Avro field, and
 * readers pick fields by id.
 */

export type AvroNode =
  | {
      readonly kind: "record";
      readonly name: string;
      readonly fields: readonly AvroFieldNode[];
      /** The fields that carry a field id, by id. */
      readonly byId: ReadonlyMap<number, AvroFieldNode>;
    }
  | { readonly kind: "array"; readonly items: AvroNode; readonly elementId?: number }
  | { readonly kind: "map"; readonly values: AvroNode }
  | { readonly kind: "optional"; readonly of: AvroNode }
  | { readonly kind: "primitive"; readonly type: string; readonly props: Readonly<Record<string, unknown>> };

export interface AvroFieldNode {
  readonly id: number | undefined;
  readonly name: string;
  readonly node: AvroNode;
}

const PRIMITIVES = new Set(["null", "boolean", "int", "long", "float", "double", "bytes", "string"]);

const parsed = new WeakMap<object, AvroNode>();

/**
 * Parses a writer schema into nodes, following named references. Throws BAD_REQUEST naming `what`.
 * The nodes of a frozen schema object (as `readAvroFile` returns them) are kept with it.
 */
export function parseAvroSchema(schema: AvroSchema, what: string): AvroNode {
  const frozen = typeof schema === "object" && Object.isFrozen(schema);
  const known = frozen ? parsed.get(schema) : undefined;
  if (known) return known;
  const node = parseSchema(schema, what);
  if (frozen) parsed.set(schema as object, node);
  return node;
}

function parseSchema(schema: AvroSchema, what: string): AvroNode {
  const named = new Map<string, AvroNode>();
  const fail = (problem: string): never => {
    throw badRequest(`Cannot read ${what}: ${problem}`);
  };
  const parse = (s: AvroSchema, namespace: string): AvroNode => {
    if (typeof s === "string") {
      if (PRIMITIVES.has(s)) return { kind: "primitive", type: s, props: {} };
      return (
        named.get(s) ??
        named.get(`${namespace}.${s}`) ??
        fail(`the Avro schema refers to an unknown type "${s}"`)
      );
    }
    if (Array.isArray(s)) {
      const branches = (s as readonly AvroSchema[]).filter((b) => b !== "null");
      if (branches.length !== 1 || branches.length === s.length)
        return fail("Iceberg allows only unions of null and one other type");
      return { kind: "optional", of: parse(branches[0] as AvroSchema, namespace) };
    }
    const o = s as Record<string, unknown>;
    const type = o.type;
    if (typeof type !== "string") return parse(type as AvroSchema, namespace);
    const fullName = (): string => {
      const name = String(o.name ?? "");
      const ns = typeof o.namespace === "string" ? o.namespace : namespace;
      return name.includes(".") || !ns ? name : `${ns}.${name}`;
    };
    switch (type) {
      case "record":
      case "error": {
        const full = fullName();
        const ns = full.includes(".") ? full.slice(0, full.lastIndexOf(".")) : "";
        const fields: AvroFieldNode[] = [];
        const byId = new Map<number, AvroFieldNode>();
        const node: AvroNode = { kind: "record", name: String(o.name), fields, byId };
        named.set(full, node);
        named.set(String(o.name), node);
        if (!Array.isArray(o.fields)) fail(`record ${full} has no fields`);
        for (const f of o.fields as Record<string, unknown>[]) {
          const id = f["field-id"];
          const field: AvroFieldNode = {
            id:
              typeof id === "number"
                ? id
                : typeof id === "string" && /^\d+$/.test(id)
                  ? Number(id)
                  : undefined,
            name: String(f.name),
            node: parse(f.type as AvroSchema, ns),
          };
          fields.push(field);
          if (field.id !== undefined) byId.set(field.id, field);
        }
        return node;
      }
      case "array": {
        const elementId = o["element-id"];
        return {
          kind: "array",
          items: parse(o.items as AvroSchema, namespace),
          ...(typeof elementId === "number" ? { elementId } : {}),
        };
      }
      case "map":
        return { kind: "map", values: parse(o.values as AvroSchema, namespace) };
      case "fixed": {
        const node: AvroNode = { kind: "primitive", type: "fixed", props: o };
        named.set(fullName(), node);
        named.set(String(o.name), node);
        return node;
      }
      case "enum":
        return fail("Iceberg metadata has no Avro enums");
      default:
        if (!PRIMITIVES.has(type)) return parse(type, namespace);
        return { kind: "primitive", type, props: o };
    }
  };
  return parse(schema, "");
}

/**
 * A decoded record, fields keyed by field id; fields without an id are left out. Values are
 * converted when read: a manifest holds millions of small records (metric map entries), and one
 * object per record is all this costs.
 */
export class IdStruct {
  constructor(
    private readonly node: Extract<AvroNode, { kind: "record" }>,
    private readonly raw: Readonly<Record<string, unknown>>,
  ) {}

  has(id: number): boolean {
    return this.node.byId.has(id);
  }

  get(id: number): unknown {
    const f = this.node.byId.get(id);
    return f === undefined ? undefined : toIdForm(f.node, this.raw[f.name]);
  }

  /**
   * Calls `each` with the entries of an Iceberg map stored as an Avro array of key/value records,
   * keys and values picked by their field ids; `true` then, `null` when the value is null,
   * `undefined` when the field is absent or not such an array. Reads the decoded records directly,
   * without a wrapper or a tuple per entry: metric maps are most of a manifest.
   */
  mapEntries(
    id: number,
    keyId: number,
    valueId: number,
    each: (key: unknown, value: unknown) => void,
  ): boolean | null | undefined {
    const f = this.node.byId.get(id);
    if (f === undefined) return undefined;
    const value = this.raw[f.name];
    if (value === null || value === undefined) return null;
    const list = f.node.kind === "optional" ? f.node.of : f.node;
    if (list.kind !== "array" || list.items.kind !== "record") return undefined;
    const k = list.items.byId.get(keyId);
    const v = list.items.byId.get(valueId);
    if (k === undefined || v === undefined) return undefined;
    for (const item of value as Record<string, unknown>[])
      each(toIdForm(k.node, item[k.name]), toIdForm(v.node, item[v.name]));
    return true;
  }

  ids(): number[] {
    return [...this.node.byId.keys()];
  }

  /** The Avro field carrying `id`, for error messages and for nested schemas. */
  field(id: number): AvroFieldNode | undefined {
    return this.node.byId.get(id);
  }
}

/** Converts a value decoded by avsc with the schema of `node` into id-keyed form. */
export function toIdForm(node: AvroNode, value: unknown): unknown {
  switch (node.kind) {
    case "optional":
      return value === null || value === undefined ? null : toIdForm(node.of, value);
    case "record":
      return new IdStruct(node, value as Record<string, unknown>);
    case "array":
      return (value as unknown[]).map((v) => toIdForm(node.items, v));
    case "map":
      return new Map(Object.entries(value as object).map(([k, v]) => [k, toIdForm(node.values, v)]));
    case "primitive":
      // bytes are copied out of the decoded block (a Buffer view): `new Uint8Array(view)` copies
      // with one memcpy (`Uint8Array.from` iterates byte by byte)
      return value instanceof Uint8Array ? new Uint8Array(value) : value;
  }
}
