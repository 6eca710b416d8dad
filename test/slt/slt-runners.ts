import { randomUUID } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { openCatalog } from "../../src/catalog/catalog.ts";
import { parseStatement } from "../../src/engine/sql/parse.ts";
import { allRows } from "../../src/engine/sql/result.ts";
import { SqlSession } from "../../src/engine/sql/session.ts";
import { openKvStore } from "../../src/storage/open-kv.ts";
import { ObjectStoreResolver } from "../../src/storage/open-object-store.ts";
import { openVersionStore } from "../../src/versioning/version-store.ts";
import { runFloe, startFloe } from "../cli/floe-process.ts";
import type { RunnerName } from "./slt-format.ts";

/** What one statement gave: its rows (values as JSON), the column count if known, its message. */
export interface Outcome {
  readonly columnCount: number | undefined;
  readonly rows: unknown[][];
  readonly message: string | undefined;
}

/** Runs a file's statements, one at a time, on a catalog of its own; a failed statement throws. */
export interface SltRunner {
  run(sql: string): Promise<Outcome>;
  close(): Promise<void>;
}

/** The suite's S3 server (test/support/global-setup.ts), for `control warehouse s3`. */
export interface SltS3 {
  readonly endpoint: string;
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly bucket: string;
}

export function openRunner(name: RunnerName, s3?: SltS3): Promise<SltRunner> {
  if (name === "cli" && s3) throw new Error("the cli runner has a local warehouse only");
  return name === "session" ? sessionRunner(s3) : cliRunner();
}

/**
 * In this process: one `SqlSession` on an embedded catalog (PGlite in memory), its warehouse a temp
 * directory or a fresh prefix of the S3 server's bucket.
 */
async function sessionRunner(s3: SltS3 | undefined): Promise<SltRunner> {
  const store = await openVersionStore(await openKvStore("pglite:memory"));
  const objects = new ObjectStoreResolver(
    s3
      ? {
          s3: {
            endpoint: s3.endpoint,
            accessKeyId: s3.accessKeyId,
            secretAccessKey: s3.secretAccessKey,
            pathStyle: true,
            region: "us-east-1",
          },
        }
      : {},
  );
  const warehouse = s3
    ? `s3://${s3.bucket}/slt-${randomUUID()}`
    : mkdtempSync(join(tmpdir(), "floe-slt-wh-"));
  const catalog = openCatalog({ store, objects, warehouse });
  const session = await SqlSession.open({ catalog, objects, author: "slt" });
  return {
    run: async (sql) => {
      const r = await session.execute(sql);
      const rows = await allRows(r);
      return { columnCount: r.columns.length, rows, message: r.message };
    },
    close: async () => {
      await session.close();
      await store.close();
      await objects.close();
      if (!s3) rmSync(warehouse, { recursive: true, force: true });
    },
  };
}

/**
 * The real programs: a `floe serve` (embedded PGlite catalog, local warehouse, in a temp directory)
 * and one `floe sql --format json -e <statement>` process per statement, which sends it to the
 * server. The reference `USE REFERENCE` picks is passed on to the next statements with `--ref`, as
 * `floe sql` does between the statements of one run. JSON lines carry no column list, so the column
 * count is known only when there are rows.
 */
async function cliRunner(): Promise<SltRunner> {
  const cwd = mkdtempSync(join(tmpdir(), "floe-slt-cli-"));
  const server = await startFloe("serve", ["--port", "0"], { cwd });
  let ref: string | undefined;
  return {
    run: async (sql) => {
      const args = [
        "sql",
        "--uri",
        server.url,
        "--format",
        "json",
        ...(ref ? ["--ref", ref] : []),
        "-e",
        sql,
      ];
      const r = await runFloe(args, { cwd });
      if (r.code !== 0)
        throw new Error(r.stderr.trim().replace(/^error: /, "") || `floe sql exited ${r.code}`);
      const rows = r.stdout
        .split("\n")
        .filter((l) => l !== "")
        .map((l) => Object.values(JSON.parse(l) as Record<string, unknown>));
      const st = parseStatement(sql);
      if (st.kind === "use-reference") ref = st.hash === undefined ? st.name : `${st.name}@${st.hash}`;
      const message = r.stderr.trim();
      return { columnCount: rows[0]?.length, rows, message: message === "" ? undefined : message };
    },
    close: async () => {
      await server.stop();
      rmSync(cwd, { recursive: true, force: true });
    },
  };
}
