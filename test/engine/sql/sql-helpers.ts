import { mkdtempSync, readdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, expect } from "vitest";
import { openCatalog } from "../../../src/catalog/catalog.ts";
import type { CatalogContext } from "../../../src/catalog/context.ts";
import { allRows } from "../../../src/engine/sql/result.ts";
import { SqlSession } from "../../../src/engine/sql/session.ts";
import { openKvStore } from "../../../src/storage/open-kv.ts";
import { ObjectStoreResolver } from "../../../src/storage/open-object-store.ts";
import type { VersionStoreApi } from "../../../src/versioning/api.ts";
import { openVersionStore } from "../../../src/versioning/version-store.ts";

export interface SqlFixture {
  readonly store: VersionStoreApi;
  readonly catalog: CatalogContext;
  readonly objects: ObjectStoreResolver;
  readonly warehouse: string;
  /** A new session on `ref` (default main), closed after the file's tests. */
  session(ref?: string): Promise<SqlSession>;
}

/** An embedded catalog (PGlite in memory, a warehouse in a temp directory) for one test file. */
export function useSqlCatalog(): () => SqlFixture {
  let fixture: SqlFixture | undefined;
  const sessions: SqlSession[] = [];
  beforeAll(async () => {
    const store = await openVersionStore(await openKvStore("pglite:memory"));
    const objects = new ObjectStoreResolver();
    const warehouse = mkdtempSync(join(tmpdir(), "floe-sql-wh-"));
    const catalog = openCatalog({ store, objects, warehouse });
    fixture = {
      store,
      catalog,
      objects,
      warehouse,
      session: async (ref) => {
        const s = await SqlSession.open({ catalog, objects, ...(ref ? { ref } : {}), author: "test" });
        sessions.push(s);
        return s;
      },
    };
  });
  afterAll(async () => {
    for (const s of sessions) await s.close();
    await fixture?.store.close();
    await fixture?.objects.close();
  });
  return () => fixture as SqlFixture;
}

/** Runs statements and returns the rows of the last one. */
export async function sql(session: SqlSession, ...statements: string[]): Promise<unknown[][]> {
  let rows: unknown[][] = [];
  for (const st of statements) rows = await allRows(await session.execute(st));
  return rows;
}

/** The message of a statement that returns one. */
export async function message(session: SqlSession, statement: string): Promise<string | undefined> {
  const r = await session.execute(statement);
  await allRows(r);
  return r.message;
}

/** The hash of the fixture's main branch. */
export const mainHead = async (f: SqlFixture): Promise<string> => (await f.store.getReference("main")).hash;

/** Commits on main since the commit `from`. */
export const commitsSince = async (f: SqlFixture, from: string): Promise<number> =>
  (await f.store.log(await mainHead(f), { limitHash: from })).items.length - 1;

/** Every file under a directory (the warehouse), by path. */
export function filesUnder(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => join(e.parentPath, e.name));
}

/** Runs each statement, expecting it refused with the error given, in one line. */
export async function expectRefused(
  session: SqlSession,
  refused: readonly [string, RegExp][],
): Promise<void> {
  for (const [statement, error] of refused) {
    await expect(session.execute(statement), statement).rejects.toThrow(error);
    await session.execute(statement).catch((e: Error) => expect(e.message).not.toContain("\n"));
  }
}
