import { type DuckDBConnection, DuckDBInstance } from "@duckdb/node-api";
import { mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll } from "vitest";

/** An in-memory DuckDB connection and a fresh warehouse directory for one test file. */
export function useDuck(): { duck: () => DuckDBConnection; warehouse: () => string } {
  let instance: DuckDBInstance | undefined;
  let connection: DuckDBConnection | undefined;
  let dir = "";
  beforeAll(async () => {
    instance = await DuckDBInstance.create(":memory:");
    connection = await instance.connect();
    dir = await mkdtemp(join(tmpdir(), "floe-engine-"));
  });
  afterAll(() => {
    connection?.closeSync();
    instance?.closeSync();
  });
  return {
    duck: () => connection as DuckDBConnection,
    warehouse: () => dir,
  };
}

/** All rows of a query as objects of JSON-friendly values (64-bit integers as strings). */
export async function rows(duck: DuckDBConnection, sql: string): Promise<Record<string, unknown>[]> {
  return (await duck.runAndReadAll(sql)).getRowObjectsJson() as Record<string, unknown>[];
}
