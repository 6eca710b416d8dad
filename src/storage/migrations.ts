import type { SqlExecutor } from "./sql-executor.ts";

/**
 * Versioned schema migrations, applied in order, each once. An advisory lock makes concurrent
 * `floe serve` processes starting on one database apply them exactly once.
 */
const MIGRATIONS: readonly string[] = [
  // 1: the key-value table of the version store (objects and references).
  `CREATE TABLE IF NOT EXISTS floe_kv (k TEXT PRIMARY KEY COLLATE "C", v BYTEA NOT NULL)`,
];

const LOCK_ID = 4_711_019_120;

export async function migrate(db: SqlExecutor): Promise<number> {
  return db.transaction(async (tx) => {
    await tx.query(`SELECT pg_advisory_xact_lock(${LOCK_ID})`);
    await tx.query(`CREATE TABLE IF NOT EXISTS floe_schema_version (version INTEGER NOT NULL)`);
    const rows = await tx.query<{ version: number }>(`SELECT version FROM floe_schema_version`);
    const current = rows[0]?.version ?? 0;
    if (current > MIGRATIONS.length) {
      throw new Error(
        `database schema version ${current} is newer than this floe (${MIGRATIONS.length}); upgrade floe`,
      );
    }
    for (let v = current; v < MIGRATIONS.length; v++) await tx.query(MIGRATIONS[v]!);
    if (rows.length === 0) await tx.query(`INSERT INTO floe_schema_version VALUES ($1)`, [MIGRATIONS.length]);
    else await tx.query(`UPDATE floe_schema_version SET version = $1`, [MIGRATIONS.length]);
    return MIGRATIONS.length;
  });
}
