import type { KvStore } from "./kv.ts";
import { migrate } from "./migrations.ts";
import type { SqlExecutor } from "./sql-executor.ts";

const toBytes = (v: unknown): Uint8Array => (v instanceof Uint8Array ? v : Buffer.from(v as string));

/** `KvStore` over PostgreSQL SQL; the same statements run on `pg` and on PGlite. */
export class SqlKvStore implements KvStore {
  private constructor(
    private readonly db: SqlExecutor,
    readonly description: string,
  ) {}

  static async open(db: SqlExecutor, description: string): Promise<SqlKvStore> {
    await migrate(db);
    return new SqlKvStore(db, description);
  }

  async get(key: string): Promise<Uint8Array | undefined> {
    const rows = await this.db.query<{ v: Uint8Array }>(`SELECT v FROM floe_kv WHERE k = $1`, [key]);
    return rows[0] ? toBytes(rows[0].v) : undefined;
  }

  async getMany(keys: readonly string[]): Promise<Map<string, Uint8Array>> {
    const out = new Map<string, Uint8Array>();
    if (keys.length === 0) return out;
    const rows = await this.db.query<{ k: string; v: Uint8Array }>(
      `SELECT k, v FROM floe_kv WHERE k = ANY($1::text[])`,
      [keys],
    );
    for (const r of rows) out.set(r.k, toBytes(r.v));
    return out;
  }

  async putIfAbsent(entries: ReadonlyArray<readonly [string, Uint8Array]>): Promise<void> {
    if (entries.length === 0) return;
    await this.db.query(
      `INSERT INTO floe_kv (k, v) SELECT * FROM unnest($1::text[], $2::bytea[]) ON CONFLICT (k) DO NOTHING`,
      [entries.map((e) => e[0]), entries.map((e) => Buffer.from(e[1]))],
    );
  }

  async compareAndSet(
    key: string,
    expected: Uint8Array | undefined,
    next: Uint8Array | undefined,
    alsoPut: ReadonlyArray<readonly [string, Uint8Array]> = [],
  ): Promise<boolean> {
    if (expected !== undefined && next !== undefined) {
      // The hot path (moving a branch): objects and the swap in one statement, one round trip.
      // A data-modifying CTE runs whatever the UPDATE finds, so the objects land even on a miss.
      const rows = await this.db.query(
        `WITH objects AS (
           INSERT INTO floe_kv (k, v) SELECT * FROM unnest($4::text[], $5::bytea[]) ON CONFLICT (k) DO NOTHING
         )
         UPDATE floe_kv SET v = $3 WHERE k = $1 AND v = $2 RETURNING 1 AS ok`,
        [
          key,
          Buffer.from(expected),
          Buffer.from(next),
          alsoPut.map((e) => e[0]),
          alsoPut.map((e) => Buffer.from(e[1])),
        ],
      );
      return rows.length === 1;
    }
    await this.putIfAbsent(alsoPut);
    let rows: unknown[];
    if (expected === undefined && next === undefined) {
      rows = await this.db.query(`SELECT 1 FROM floe_kv WHERE k = $1`, [key]);
      return rows.length === 0;
    } else if (expected === undefined) {
      rows = await this.db.query(
        `INSERT INTO floe_kv (k, v) VALUES ($1, $2) ON CONFLICT (k) DO NOTHING RETURNING 1 AS ok`,
        [key, Buffer.from(next!)],
      );
    } else {
      rows = await this.db.query(`DELETE FROM floe_kv WHERE k = $1 AND v = $2 RETURNING 1 AS ok`, [
        key,
        Buffer.from(expected),
      ]);
    }
    return rows.length === 1;
  }

  async scan(
    prefix: string,
    opts: { after?: string; limit?: number } = {},
  ): Promise<Array<[string, Uint8Array]>> {
    // Prefix match as a range on the C-collated primary key: [prefix, prefix + U+FFFF).
    const from = opts.after !== undefined && opts.after >= prefix ? opts.after : undefined;
    const params: unknown[] = [prefix, prefix + "\uffff"];
    let sql = `SELECT k, v FROM floe_kv WHERE k >= $1 AND k < $2`;
    if (from !== undefined) {
      params.push(from);
      sql += ` AND k > $${params.length}`;
    }
    sql += ` ORDER BY k`;
    if (opts.limit !== undefined) {
      params.push(opts.limit);
      sql += ` LIMIT $${params.length}`;
    }
    const rows = await this.db.query<{ k: string; v: Uint8Array }>(sql, params);
    return rows.map((r) => [r.k, toBytes(r.v)]);
  }

  async ping(): Promise<void> {
    await this.db.query(`SELECT 1`);
  }

  close(): Promise<void> {
    return this.db.close();
  }
}
