import { badRequest } from "../core/errors.ts";

/**
 * A small typed validator for `floe.platform.yaml`: each field knows its default and how to check a
 * raw value, and reports a bad one with its dotted path (`sizes.catalog.replicas: expected …`).
 * The definition's type is inferred from the fields, and its defaults are what an empty document
 * parses to — one description, so the type, the defaults and the checks cannot drift apart.
 */
export interface Field<T> {
  /** Checks `raw` (undefined = absent, which yields the default) at `path`; throws a BAD_REQUEST FloeError. */
  parse(raw: unknown, path: string): T;
  readonly doc: string;
}

export type Infer<F> = F extends Field<infer T> ? T : never;

type Shape = Record<string, Field<unknown>>;
type InferShape<S extends Shape> = { readonly [K in keyof S]: Infer<S[K]> };

function fail(path: string, expected: string, raw: unknown): never {
  throw badRequest(`${path}: expected ${expected}, got ${show(raw)}`);
}

export function show(raw: unknown): string {
  if (typeof raw === "string") return `'${raw}'`;
  if (raw === null) return "null";
  if (Array.isArray(raw)) return "a list";
  if (typeof raw === "object") return "a mapping";
  return String(raw);
}

/** A string matching `pattern` (described as `expected` in errors). */
export function text(
  dflt: string,
  doc: string,
  pattern = /^.+$/,
  expected = "a non-empty string",
): Field<string> {
  return {
    doc,
    parse(raw, path) {
      if (raw === undefined) return dflt;
      const s = typeof raw === "number" ? String(raw) : raw;
      if (typeof s !== "string" || !pattern.test(s)) fail(path, expected, raw);
      return s;
    },
  };
}

/** A DNS-1123 label: the names of namespaces, services and most Kubernetes objects. */
export function name(dflt: string, doc: string): Field<string> {
  return text(
    dflt,
    doc,
    /^(?=.{1,63}$)[a-z0-9]([-a-z0-9]*[a-z0-9])?$/,
    "a Kubernetes name (lower-case letters, digits, '-')",
  );
}

export function integer(dflt: number, min: number, max: number, doc: string): Field<number> {
  return {
    doc,
    parse(raw, path) {
      if (raw === undefined) return dflt;
      const n = typeof raw === "string" && /^\d+$/.test(raw) ? Number(raw) : raw;
      if (typeof n !== "number" || !Number.isInteger(n) || n < min || n > max) {
        fail(path, `an integer ${min}-${max}`, raw);
      }
      return n;
    },
  };
}

export function flag(dflt: boolean, doc: string): Field<boolean> {
  return {
    doc,
    parse(raw, path) {
      if (raw === undefined) return dflt;
      if (typeof raw !== "boolean") fail(path, "true or false", raw);
      return raw;
    },
  };
}

/** A Kubernetes memory or storage quantity: `512Mi`, `10Gi`, `1G`. */
export function bytes(dflt: string, doc: string): Field<string> {
  return text(dflt, doc, /^\d+(\.\d+)?(Ki|Mi|Gi|Ti|Pi|k|M|G|T|P)?$/, "a quantity such as 512Mi or 10Gi");
}

/** A Kubernetes CPU quantity: `500m`, `2`, `1.5`. */
export function cpu(dflt: string, doc: string): Field<string> {
  return text(dflt, doc, /^(\d+m|\d+(\.\d+)?)$/, "a CPU quantity such as 500m or 2");
}

/** A JVM heap size: `2G`, `512M`. */
export function heap(dflt: string, doc: string): Field<string> {
  return text(dflt, doc, /^\d+[KMG]$/, "a JVM heap size such as 512M or 4G");
}

export function oneOf<const T extends string>(dflt: T, values: readonly T[], doc: string): Field<T> {
  return {
    doc,
    parse(raw, path) {
      if (raw === undefined) return dflt;
      if (typeof raw !== "string" || !(values as readonly string[]).includes(raw)) {
        fail(path, `one of ${values.join(", ")}`, raw);
      }
      return raw as T;
    },
  };
}

/** An http(s) URL; the empty string is allowed where the default is empty (meaning "derived"). */
export function url(dflt: string, doc: string): Field<string> {
  return {
    doc,
    parse(raw, path) {
      if (raw === undefined || (raw === "" && dflt === "")) return dflt;
      if (typeof raw === "string") {
        try {
          const u = new URL(raw);
          if (u.protocol === "http:" || u.protocol === "https:") return raw.replace(/\/+$/, "");
        } catch {
          // reported below
        }
      }
      return fail(path, "an http:// or https:// URL", raw);
    },
  };
}

/** A five-field cron schedule. */
export function cron(dflt: string, doc: string): Field<string> {
  return text(dflt, doc, /^(\S+\s+){4}\S+$/, "a cron schedule of five fields such as '0 2 * * *'");
}

/** A mapping with exactly these keys (each optional; absent keys take their defaults). */
export function object<S extends Shape>(shape: S, doc = ""): Field<InferShape<S>> & { readonly shape: S } {
  return {
    doc,
    shape,
    parse(raw, path) {
      const value = raw ?? {};
      if (typeof value !== "object" || Array.isArray(value)) fail(path || "document", "a mapping", raw);
      const given = value as Record<string, unknown>;
      for (const key of Object.keys(given)) {
        if (!(key in shape)) {
          const where = path ? `${path}.${key}` : key;
          throw badRequest(`${where}: unknown setting (known here: ${Object.keys(shape).join(", ")})`);
        }
      }
      const out: Record<string, unknown> = {};
      for (const [key, field] of Object.entries(shape)) {
        out[key] = field.parse(given[key], path ? `${path}.${key}` : key);
      }
      return out as InferShape<S>;
    },
  };
}
