import type { DuckDBConnection } from "@duckdb/node-api";
import { stat } from "node:fs/promises";
import { basename, resolve } from "node:path";
import { badRequest } from "../../core/errors.ts";
import { sqlString } from "../duck-types.ts";

/** The formats `floe ingest` reads, each through its DuckDB reader. */
export const INPUT_FORMATS = ["csv", "parquet", "json"] as const;
export type InputFormat = (typeof INPUT_FORMATS)[number];

export interface InputFile {
  readonly path: string;
  readonly bytes: number;
}

export interface Inputs {
  readonly format: InputFormat;
  readonly files: readonly InputFile[];
  readonly totalBytes: number;
}

const EXTENSIONS: Record<string, InputFormat> = {
  csv: "csv",
  tsv: "csv",
  txt: "csv",
  parquet: "parquet",
  json: "json",
  ndjson: "json",
  jsonl: "json",
};

/** The format a file's name says (`x.csv`, `x.csv.gz`, `x.ndjson.zst`, `x.parquet`), if any. */
export function formatOf(path: string): InputFormat | undefined {
  const parts = basename(path).toLowerCase().split(".");
  if (parts.length > 2 && ["gz", "zst"].includes(parts[parts.length - 1] as string)) parts.pop();
  return parts.length > 1 ? EXTENSIONS[parts[parts.length - 1] as string] : undefined;
}

export function checkFormat(format: string): InputFormat {
  if ((INPUT_FORMATS as readonly string[]).includes(format)) return format as InputFormat;
  throw badRequest(`Unknown format '${format}': use ${INPUT_FORMATS.join(", ")}`);
}

const hidden = (path: string): boolean => /^[._]/.test(basename(path));

/**
 * The local files `input` names: a file, a directory (every file under it, recursively, whose
 * name says a format — all of them with a forced `format`; hidden files and `_SUCCESS`-style
 * markers are skipped) or a glob (`data/*.csv`, `logs/**\/*.json`, expanded by DuckDB). All files
 * must be of one format: the one forced, else the one their names say.
 */
export async function resolveInputs(duck: DuckDBConnection, input: string, format?: string): Promise<Inputs> {
  const forced = format === undefined ? undefined : checkFormat(format);
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(input))
    throw badRequest(`Cannot ingest ${input}: the input must be a local file, directory or glob`);
  const isGlob = /[*?[]/.test(input);
  let paths: string[];
  if (isGlob) {
    paths = await glob(duck, resolve(input));
    if (paths.length === 0) throw badRequest(`No file matches ${input}`);
  } else {
    const st = await stat(input).catch(() => undefined);
    if (!st) throw badRequest(`No such file or directory: ${input}`);
    if (st.isDirectory()) {
      paths = (await glob(duck, `${resolve(input)}/**`)).filter(
        (p) => !hidden(p) && (forced !== undefined || formatOf(p) !== undefined),
      );
      if (paths.length === 0)
        throw badRequest(`Directory ${input} holds no ${forced ?? "CSV, Parquet or JSON"} file`);
    } else {
      paths = [resolve(input)];
    }
  }
  let chosen = forced;
  if (chosen === undefined) {
    const found = new Set<InputFormat>();
    for (const p of paths) {
      const f = formatOf(p);
      if (f === undefined)
        throw badRequest(`Cannot tell the format of ${p} from its name: give --format csv, parquet or json`);
      found.add(f);
    }
    if (found.size > 1)
      throw badRequest(`The input mixes formats (${[...found].join(", ")}): ingest each separately`);
    chosen = [...found][0] as InputFormat;
  }
  const files: InputFile[] = [];
  for (const path of paths) {
    const st = await stat(path);
    if (st.isFile()) files.push({ path, bytes: st.size });
  }
  if (files.length === 0) throw badRequest(`No file matches ${input}`);
  return { format: chosen, files, totalBytes: files.reduce((n, f) => n + f.bytes, 0) };
}

async function glob(duck: DuckDBConnection, pattern: string): Promise<string[]> {
  const reader = await duck.runAndReadAll(`SELECT file FROM glob(${sqlString(pattern)}) ORDER BY file`);
  return reader.getRows().map((r) => String(r[0]));
}
