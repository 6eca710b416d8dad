import { execFileSync } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { ProvidedContext } from "vitest";

/** Where the suite's S3 server is, and a bucket on it tests may use (each under its own prefix). */
export interface TestS3 {
  endpoint: string;
  accessKeyId: string;
  secretAccessKey: string;
  bucket: string;
}

type Provide = <K extends keyof ProvidedContext>(key: K, value: ProvidedContext[K]) => void;

/**
 * Starts a private PostgreSQL server for the suite unless FLOE_TEST_PG_URL names one already, and a
 * private S3 server (SeaweedFS, scripts/s3.sh) unless FLOE_TEST_S3_ENDPOINT does (with
 * FLOE_TEST_S3_ACCESS_KEY, FLOE_TEST_S3_SECRET_KEY and optionally FLOE_TEST_S3_BUCKET, default
 * `floe-test`). scripts/test-all.sh and .ci/run start both and pass them on. Tests reach them
 * through `inject("pgUrl")` and `inject("s3")`; `inject("duckdbExtensions")` is a DuckDB extension
 * directory with httpfs.
 */
export default function setup({ provide }: { provide: Provide }) {
  const stops: Array<() => void> = [];
  const givenPg = process.env.FLOE_TEST_PG_URL;
  if (givenPg) {
    provide("pgUrl", givenPg);
  } else {
    const dir = mkdtempSync(join(tmpdir(), "floe-test-pg-"));
    const url = execFileSync("bash", ["scripts/pg.sh", "start", dir], { encoding: "utf8" }).trim();
    provide("pgUrl", url);
    stops.push(() => execFileSync("bash", ["scripts/pg.sh", "stop", dir]));
  }
  const bucket = process.env.FLOE_TEST_S3_BUCKET || "floe-test";
  const givenS3 = process.env.FLOE_TEST_S3_ENDPOINT;
  if (givenS3) {
    const accessKeyId = process.env.FLOE_TEST_S3_ACCESS_KEY ?? "";
    const secretAccessKey = process.env.FLOE_TEST_S3_SECRET_KEY ?? "";
    provide("s3", { endpoint: givenS3, accessKeyId, secretAccessKey, bucket });
  } else {
    const dir = mkdtempSync(join(tmpdir(), "floe-test-s3-"));
    stops.push(() => execFileSync("bash", ["scripts/s3.sh", "stop", dir]));
    try {
      const out = execFileSync("bash", ["scripts/s3.sh", "start", dir], {
        encoding: "utf8",
        stdio: ["ignore", "pipe", "inherit"],
      });
      const [endpoint = "", accessKeyId = "", secretAccessKey = ""] = out.trim().split(/\s+/);
      provide("s3", { endpoint, accessKeyId, secretAccessKey, bucket: "floe-test" });
    } catch (e) {
      for (const stop of stops.reverse()) stop();
      throw e;
    }
  }
  // DuckDB's extensions (httpfs) from PyPI, laid out as an extension directory (scripts/duckdb-extensions.sh)
  try {
    const dir =
      process.env.FLOE_TEST_DUCKDB_EXTENSIONS ||
      execFileSync("bash", ["scripts/duckdb-extensions.sh"], {
        encoding: "utf8",
        stdio: ["ignore", "pipe", "inherit"],
      })
        .trim()
        .split("\n")
        .pop();
    provide("duckdbExtensions", dir ?? "");
  } catch (e) {
    for (const stop of stops.reverse()) stop();
    throw e;
  }
  return () => {
    for (const stop of stops.reverse()) stop();
  };
}

declare module "vitest" {
  export interface ProvidedContext {
    pgUrl: string;
    s3: TestS3;
    /** A DuckDB extension directory with httpfs (FLOE_TEST_DUCKDB_EXTENSIONS or scripts/duckdb-extensions.sh). */
    duckdbExtensions: string;
  }
}
