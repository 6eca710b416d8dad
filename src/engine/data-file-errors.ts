import type { DuckDBConnection, DuckDBResultReader } from "@duckdb/node-api";
import { badRequest, FloeError } from "../core/errors.ts";
import { duckFiles } from "./duck-files.ts";
import { sqlString } from "./duck-types.ts";

/**
 * DuckDB's errors about Parquet data files as floe's: a truncated file ("No magic bytes found at
 * end of file"), a corrupt footer or page, a file too small to be Parquet become a BAD_REQUEST
 * `Cannot read data file <location>: <problem>`; a file that is not there a NOT_FOUND. DuckDB
 * names the file in most of its messages; when it does not (a corrupt footer: "don't know what
 * type"), each file's footer is read on its own to find the culprit.
 */

/** Runs `sql`, which reads `files` (locations as the manifests give them). */
export async function runOnDataFiles(
  duck: DuckDBConnection,
  sql: string,
  files: readonly string[],
): Promise<DuckDBResultReader> {
  try {
    return await duck.runAndReadAll(sql);
  } catch (e) {
    throw await dataFileError(duck, e, files);
  }
}

/**
 * The error to throw for `e`, raised by a query over `files`: a FloeError naming the file when one
 * of them is the cause, else `e` itself (an error in the query, not in a file).
 */
export async function dataFileError(
  duck: DuckDBConnection,
  e: unknown,
  files: readonly string[],
): Promise<unknown> {
  if (!(e instanceof Error) || e instanceof FloeError) return e;
  const message = problem(e.message);
  const localPath = (f: string): string => duckFiles(duck).pathOf(f);
  const named = files.find(
    (f) => e.message.includes(`'${localPath(f)}'`) || e.message.includes(`"${localPath(f)}"`),
  );
  if (named !== undefined) return asFloeError(named, message);
  for (const f of files) {
    try {
      await duck.runAndReadAll(`SELECT num_rows FROM parquet_file_metadata(${sqlString(localPath(f))})`);
    } catch (p) {
      return asFloeError(f, problem((p as Error).message));
    }
  }
  return e;
}

function asFloeError(file: string, message: string): FloeError {
  if (/No files found that match the pattern|No such file/i.test(message))
    return new FloeError("NOT_FOUND", `Cannot read data file ${file}: it does not exist`);
  return badRequest(`Cannot read data file ${file}: not a readable Parquet file (${message})`);
}

/** DuckDB's message without its error class, its LINE pointer and the file name it repeats. */
function problem(message: string): string {
  const first = message.split("\n")[0] ?? message;
  return first
    .replace(/^[A-Za-z ]*Error: /, "")
    .replace(/ (?:in|of|at end of) file '[^']*'/, "")
    .replace(/^Failed to read file "[^"]*": /, "")
    .replace(/^File '[^']*' /, "file ")
    .replace(/[\u0000-\u001f\u007f]/g, "?")
    .trim();
}
