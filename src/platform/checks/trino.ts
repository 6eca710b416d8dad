import type { Check } from "./check.ts";

interface StatementResponse {
  nextUri?: string;
  data?: unknown[][];
  error?: { message?: string };
}

/** Runs one statement over Trino's client protocol and returns its rows. */
async function query(url: string, sql: string): Promise<unknown[][]> {
  const headers = { "X-Trino-User": "floe-doctor" };
  let res = (await (
    await fetch(`${url}/v1/statement`, { method: "POST", headers, body: sql })
  ).json()) as StatementResponse;
  const rows: unknown[][] = [];
  for (;;) {
    if (res.error) throw new Error(res.error.message ?? "query failed");
    rows.push(...(res.data ?? []));
    if (!res.nextUri) return rows;
    res = (await (await fetch(res.nextUri, { headers })).json()) as StatementResponse;
  }
}

/** Trino answers `/v1/info` and lists the schemas of its `iceberg` catalog (served by floe). */
export const trinoCheck: Check = {
  id: "trino",
  title: "Trino /v1/info and SHOW SCHEMAS IN iceberg",
  async run(ctx) {
    if (!ctx.trinoUrl)
      return { status: "skip", detail: "no --trino-url (e.g. kubectl port-forward svc/trino 8080)" };
    const info = await fetch(`${ctx.trinoUrl}/v1/info`).catch((e: unknown) => e as Error);
    if (info instanceof Error || !info.ok) {
      return {
        status: "fail",
        detail: `${ctx.trinoUrl}/v1/info: ${info instanceof Error ? info.message : `HTTP ${info.status}`}`,
      };
    }
    const body = (await info.json()) as { starting?: boolean; nodeVersion?: { version?: string } };
    if (body.starting) return { status: "warn", detail: "Trino is starting" };
    try {
      const schemas = await query(ctx.trinoUrl, "SHOW SCHEMAS IN iceberg");
      return {
        status: "ok",
        detail: `Trino ${body.nodeVersion?.version ?? "?"}; iceberg has ${schemas.length} schemas`,
      };
    } catch (e) {
      return {
        status: "fail",
        detail: `SHOW SCHEMAS IN iceberg: ${(e as Error).message}`,
        cause: "Trino cannot reach floe's Iceberg REST endpoint or S3",
        fix: "kubectl -n data-platform logs deployment/trino-coordinator",
      };
    }
  },
};
