import { decimal, fixed, type IcebergType, type NestedField, primitive } from "../../iceberg/types.ts";
import type { Cursor } from "./cursor.ts";

/**
 * A column type as Spark, Trino and DuckDB write them, as an Iceberg type. Nested types
 * (`array<…>`, `map<…, …>`, `struct<name: type, …>`) get placeholder ids; creating the table or
 * adding the column assigns fresh ones.
 */
export function parseType(c: Cursor): IcebergType {
  let t = parseBase(c);
  // DuckDB's lists: INTEGER[]
  while (c.isSymbol("[") && c.peek(1)?.value === "]") {
    c.expectSymbol("[");
    c.expectSymbol("]");
    t = { type: "list", elementId: 0, element: t, elementRequired: false };
  }
  return t;
}

function open(c: Cursor): ")" | ">" {
  if (c.acceptSymbol("(")) return ")";
  c.expectSymbol("<");
  return ">";
}

function parseBase(c: Cursor): IcebergType {
  const at = c.peek();
  const name = c.ident("a type").toLowerCase();
  switch (name) {
    case "boolean":
    case "bool":
      return primitive("boolean");
    case "tinyint":
    case "smallint":
    case "utinyint":
    case "usmallint":
    case "int":
    case "integer":
    case "int4":
      return primitive("int");
    case "bigint":
    case "uinteger":
    case "long":
    case "int8":
      return primitive("long");
    case "float":
    case "real":
    case "float4":
      return primitive("float");
    case "double":
    case "float8":
      c.acceptWord("PRECISION");
      return primitive("double");
    case "decimal":
    case "numeric":
    case "dec": {
      if (!c.acceptSymbol("(")) return decimal(38, 18);
      const p = c.integer("a precision");
      const s = c.acceptSymbol(",") ? c.integer("a scale") : 0;
      c.expectSymbol(")");
      return decimal(p, s);
    }
    case "string":
    case "text":
    case "varchar":
    case "char":
      if (c.acceptSymbol("(")) {
        c.integer("a length");
        c.expectSymbol(")");
      }
      return primitive("string");
    case "binary":
    case "blob":
    case "bytea":
    case "varbinary":
      return primitive("binary");
    case "fixed": {
      c.expectSymbol("(");
      const n = c.integer("a length");
      c.expectSymbol(")");
      return fixed(n);
    }
    case "uuid":
      return primitive("uuid");
    case "date":
      return primitive("date");
    case "time":
      return primitive("time");
    case "hugeint":
    case "ubigint":
      return decimal(38, 0);
    case "timestamp_ntz":
    case "timestamp_s":
    case "timestamp_ms":
      return primitive("timestamp");
    case "timestamptz":
    case "timestamp_ltz":
      return primitive("timestamptz");
    case "timestamp":
      if (c.acceptWord("WITH", "TIME", "ZONE")) return primitive("timestamptz");
      c.acceptWord("WITHOUT", "TIME", "ZONE");
      return primitive("timestamp");
    case "array":
    case "list": {
      const close = open(c);
      const element = parseType(c);
      c.expectSymbol(close);
      return { type: "list", elementId: 0, element, elementRequired: false };
    }
    case "map": {
      const close = open(c);
      const key = parseType(c);
      c.expectSymbol(",");
      const value = parseType(c);
      c.expectSymbol(close);
      return { type: "map", keyId: 0, key, valueId: 0, value, valueRequired: false };
    }
    case "struct": {
      const close = open(c);
      const fields: NestedField[] = [];
      do {
        const fieldName = c.ident("a field name");
        c.acceptSymbol(":");
        const type = parseType(c);
        const required = c.acceptWord("NOT", "NULL");
        fields.push({ id: 0, name: fieldName, required, type });
      } while (c.acceptSymbol(","));
      c.expectSymbol(close);
      return { type: "struct", fields };
    }
    default:
      return c.fail(`unknown column type '${name}'`, at);
  }
}
