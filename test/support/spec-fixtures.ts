import { fileURLToPath } from "node:url";

/**
 * Iceberg's own test files (table and view metadata, manifest Avro schemas), copied from the
 * planning repository's `specs/fixtures` into `test/fixtures/spec` so the suite needs nothing
 * outside the clone.
 */
export function specFixture(relative: string): string {
  return fileURLToPath(new URL(`../fixtures/spec/${relative}`, import.meta.url));
}
