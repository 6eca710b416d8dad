import { dropContent } from "../../catalog/tables.ts";
import { createView, loadView, replaceView } from "../../catalog/views.ts";
import { badRequest, isFloeError } from "../../core/errors.ts";
import type { SqlRepresentation, ViewVersion } from "../../iceberg/view-metadata.ts";
import { queryColumns, schemaOf } from "./ddl.ts";
import { messageResult, type StatementResult } from "./result.ts";
import { rewriteTableRefs } from "./rewrite.ts";
import type { SessionContext } from "./session-context.ts";
import type { Statement } from "./statements.ts";
import { registerTables } from "./table-views.ts";
import { commitMeta } from "./writes.ts";

type St<K extends Statement["kind"]> = Extract<Statement, { kind: K }>;

/**
 * Iceberg views from floe sql, made through the catalog's view code (`catalog/views.ts`, as the
 * REST view endpoints): a view metadata file and an ICEBERG_VIEW content, one commit. The version
 * holds the query as written with dialect `duckdb` (what floe runs), and the same text with dialect
 * `spark` when it looks portable (`portable`): no DuckDB-only syntax floe can spot.
 */
const DUCKDB_ONLY = [
  { re: /::/, what: "a :: cast" },
  { re: /"/, what: "a double-quoted name" },
  { re: /\$/, what: "a metadata table" },
  { re: /@/, what: "a table@reference" },
  { re: /^\s*FROM\b/i, what: "FROM first" },
  { re: /\b(EXCLUDE|COLUMNS|QUALIFY|STRUCT_PACK|LIST_VALUE)\b/i, what: "a DuckDB-only keyword" },
];

const portable = (sql: string): boolean => !DUCKDB_ONLY.some((d) => d.re.test(sql));

export async function runCreateView(s: SessionContext, st: St<"create-view">): Promise<StatementResult> {
  const key = [...st.name];
  const name = key.join(".");
  if (key.length < 2) throw badRequest(`Name the view with its namespace: <namespace>.${name}`);
  const existing = await loadView(s.catalog, s.ref, key).catch((e: unknown) => {
    if (isFloeError(e, "NOT_FOUND")) return undefined;
    throw e;
  });
  if (existing && st.ifNotExists) return messageResult(`View ${name} already exists`);
  const body = rewriteTableRefs(st.query);
  await registerTables(s, body);
  await s.duck.runAndReadAll(`DESCRIBE (${body})`); // an unknown table or column is named here
  const schema = schemaOf(await queryColumns(s, body));
  const representations: SqlRepresentation[] = [
    { type: "sql", sql: st.query, dialect: "duckdb" },
    ...(portable(st.query) ? [{ type: "sql" as const, sql: st.query, dialect: "spark" }] : []),
  ];
  const version = (versionId: number): ViewVersion => ({
    versionId,
    schemaId: -1,
    timestampMs: Date.now(),
    summary: { "engine-name": "floe", operation: existing ? "replace" : "create" },
    representations,
    defaultNamespace: key.slice(0, -1),
  });
  const meta = (m: string) => commitMeta(s, m);
  if (!existing) {
    await createView(s.catalog, s.ref, key, { schema, viewVersion: version(1), properties: {} }, meta);
    return messageResult(`Created view ${name}`);
  }
  if (!st.orReplace) throw badRequest(`View ${name} already exists (use CREATE OR REPLACE VIEW)`);
  const m = existing.metadata;
  const next = Math.max(...m.versions.map((v) => v.versionId)) + 1;
  await replaceView(
    s.catalog,
    s.ref,
    key,
    [{ type: "assert-view-uuid", uuid: m.viewUuid }],
    [
      { action: "add-schema", schema },
      { action: "add-view-version", viewVersion: version(next) },
      { action: "set-current-view-version", viewVersionId: -1 },
    ],
    meta,
  );
  return messageResult(`Replaced view ${name}`);
}

export async function runDropView(s: SessionContext, st: St<"drop-view">): Promise<StatementResult> {
  const name = st.name.join(".");
  try {
    await dropContent(s.catalog, s.ref, [...st.name], "ICEBERG_VIEW", (m) => commitMeta(s, m));
  } catch (e) {
    if (st.ifExists && isFloeError(e, "NOT_FOUND")) return messageResult(`View ${name} does not exist`);
    throw e;
  }
  return messageResult(`Dropped view ${name}`);
}
