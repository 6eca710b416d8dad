import { randomUUID } from "node:crypto";
import pg from "pg";
import { inject } from "vitest";

/** A new, empty database on the suite's PostgreSQL server; returns its URL. */
export async function freshPgDatabase(): Promise<string> {
  const base = inject("pgUrl");
  const name = `t_${randomUUID().replaceAll("-", "")}`;
  const client = new pg.Client({ connectionString: base });
  await client.connect();
  try {
    await client.query(`CREATE DATABASE ${name}`);
  } finally {
    await client.end();
  }
  const url = new URL(base);
  url.pathname = `/${name}`;
  return url.toString();
}
