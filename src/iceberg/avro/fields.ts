import { badRequest } from "../../core/errors.ts";
import { IdStruct } from "./by-id.ts";

/** Typed access by field id to an `IdStruct`, with errors that name the file and the field. */

interface KindValue {
  int: number;
  long: bigint;
  string: string;
  bytes: Uint8Array;
  boolean: boolean;
  struct: IdStruct;
  list: unknown[];
}
type Kind = keyof KindValue;

const matches: { [K in Kind]: (v: unknown) => boolean } = {
  int: (v) => typeof v === "number" && Number.isInteger(v),
  long: (v) => typeof v === "bigint",
  string: (v) => typeof v === "string",
  bytes: (v) => v instanceof Uint8Array,
  boolean: (v) => typeof v === "boolean",
  struct: (v) => v instanceof IdStruct,
  list: (v) => Array.isArray(v),
};

export class FieldReader {
  /** `what` names the file ("manifest s3://…/m0.avro"). */
  constructor(readonly what: string) {}

  fail(problem: string): never {
    throw badRequest(`Cannot read ${this.what}: ${problem}`);
  }

  /** The field's value, or `null` when the file lacks the field or holds null in it. */
  optional<K extends Kind>(s: IdStruct, id: number, name: string, kind: K): KindValue[K] | null {
    let v = s.get(id);
    if (v === null || v === undefined) return null;
    // Avro's int → long promotion, allowed by Iceberg's schema evolution.
    if (kind === "long" && typeof v === "number") v = BigInt(v);
    if (!matches[kind](v)) {
      const avro = s.field(id)?.name;
      this.fail(`field ${id} (${name}${avro && avro !== name ? `, written as ${avro}` : ""}) is not ${kind}`);
    }
    return v as KindValue[K];
  }

  required<K extends Kind>(s: IdStruct, id: number, name: string, kind: K): KindValue[K] {
    const v = this.optional(s, id, name, kind);
    if (v !== null) return v;
    return s.has(id)
      ? this.fail(`required field ${id} (${name}) is null`)
      : this.fail(`no field with id ${id} (${name}); the file's fields have ids ${idsOf(s)}`);
  }

  /** An Iceberg `map<int, V>` stored as Avro array of key/value records, by key and value field ids. */
  intMap<K extends "long" | "bytes">(
    s: IdStruct,
    id: number,
    name: string,
    keyId: number,
    valueId: number,
    kind: K,
  ): Map<number, KindValue[K]> | undefined {
    const out = new Map<number, KindValue[K]>();
    const isValue = matches[kind];
    const read = s.mapEntries(id, keyId, valueId, (k, raw) => {
      const v = kind === "long" && typeof raw === "number" ? BigInt(raw) : raw;
      if (!matches.int(k)) this.fail(`field ${id} (${name}) has a key that is not int`);
      if (!isValue(v)) this.fail(`field ${id} (${name}) has a value that is not ${kind}`);
      out.set(k as number, v as KindValue[K]);
    });
    if (read === null) return undefined;
    if (read === undefined) {
      if (!s.has(id)) return undefined;
      return this.fail(`field ${id} (${name}) is not a map with key ${keyId} and value ${valueId}`);
    }
    return out;
  }

  /** An Iceberg list of int or long. */
  list<K extends "int" | "long">(s: IdStruct, id: number, name: string, kind: K): KindValue[K][] | undefined {
    const list = this.optional(s, id, name, "list");
    if (list === null) return undefined;
    return list.map((v) => {
      const x = kind === "long" && typeof v === "number" ? BigInt(v) : v;
      if (!matches[kind](x)) this.fail(`field ${id} (${name}) is not a list of ${kind}`);
      return x as KindValue[K];
    });
  }
}

function idsOf(s: IdStruct): string {
  const ids = s.ids();
  return ids.length === 0 ? "none" : ids.join(", ");
}
