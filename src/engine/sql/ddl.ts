import { commitTables } from "../../catalog/commit-path.ts";
import { createNamespace, dropNamespace, listNamespaces } from "../../catalog/namespaces.ts";
import { createTable, dropContent, listContents, loadTable, renameContent } from "../../catalog/tables.ts";
import { defaultLocation } from "../../catalog/table-content.ts";
import { badRequest, isFloeError } from "../../core/errors.ts";
import { newTableMetadata } from "../../iceberg/create-table.ts";
import { assignFreshIds, findFieldByName, type Schema } from "../../iceberg/schema.ts";
import {
  addColumn,
  dropColumn,
  type Evolved,
  renameColumn,
  updateColumnType,
} from "../../iceberg/schema-update.ts";
import type { TableMetadata } from "../../iceberg/table-metadata.ts";
import { parseTransform } from "../../iceberg/transforms.ts";
import type { UnboundPartitionSpec } from "../../iceberg/updates.ts";
import { canonicalLocation } from "../../storage/location.ts";
import { isSpecAction, type SpecAction, specChange } from "./alter-spec.ts";
import { Cursor } from "./cursor.ts";
import { parseType } from "./parse-type.ts";
import { messageResult, rowsResult, type StatementResult } from "./result.ts";
import type { SessionContext } from "./session-context.ts";
import type { AlterAction, ColumnDef, PartitionDef, Statement } from "./statements.ts";
import { otherHolders } from "./table-holders.ts";
import { registerTables } from "./table-views.ts";
import { commitMeta, createTableWithRows, discardFiles } from "./writes.ts";

type St<K extends Statement["kind"]> = Extract<Statement, { kind: K }>;

const metaFor = (s: SessionContext) => (message: string) => commitMeta(s, message);

export async function runCreateNamespace(
  s: SessionContext,
  st: St<"create-namespace">,
): Promise<StatementResult> {
  const name = st.namespace.join(".");
  try {
    await createNamespace(s.catalog, s.ref, st.namespace, st.properties, metaFor(s));
  } catch (e) {
    if (st.ifNotExists && isFloeError(e, "REFERENCE_ALREADY_EXISTS"))
      return messageResult(`Namespace ${name} already exists`);
    throw e;
  }
  return messageResult(`Created namespace ${name}`);
}

export async function runDropNamespace(
  s: SessionContext,
  st: St<"drop-namespace">,
): Promise<StatementResult> {
  const name = st.namespace.join(".");
  try {
    await dropNamespace(s.catalog, s.ref, st.namespace, metaFor(s));
  } catch (e) {
    if (st.ifExists && isFloeError(e, "NOT_FOUND")) return messageResult(`Namespace ${name} does not exist`);
    throw e;
  }
  return messageResult(`Dropped namespace ${name}`);
}

export async function runShowNamespaces(s: SessionContext): Promise<StatementResult> {
  return rowsResult(
    [{ name: "namespace", type: "VARCHAR" }],
    (await allNamespaces(s)).map((ns) => [ns.join(".")]),
  );
}

/** Every namespace of the session's ref, nested ones after their parent, as levels (a level may hold a dot). */
async function allNamespaces(s: SessionContext): Promise<string[][]> {
  const out: string[][] = [];
  const walk = async (parent: readonly string[]): Promise<void> => {
    let pageToken: string | undefined;
    do {
      const page = await listNamespaces(
        s.catalog,
        s.ref,
        parent,
        pageToken === undefined ? {} : { pageToken },
      );
      for (const ns of page.items) {
        out.push([...ns]);
        await walk(ns);
      }
      pageToken = page.nextPageToken;
    } while (pageToken !== undefined);
  };
  await walk([]);
  return out;
}

export async function runShowTables(
  s: SessionContext,
  st: St<"show-tables"> | St<"show-views">,
  type: "ICEBERG_TABLE" | "ICEBERG_VIEW" = "ICEBERG_TABLE",
): Promise<StatementResult> {
  const namespaces = st.namespace ? [st.namespace] : await allNamespaces(s);
  const rows: string[][] = [];
  for (const ns of namespaces) {
    let pageToken: string | undefined;
    do {
      const page = await listContents(
        s.catalog,
        s.ref,
        ns,
        type,
        pageToken === undefined ? {} : { pageToken },
      );
      for (const key of page.items) rows.push([ns.join("."), key[key.length - 1] as string]);
      pageToken = page.nextPageToken;
    } while (pageToken !== undefined);
  }
  return rowsResult(
    [
      { name: "namespace", type: "VARCHAR" },
      { name: type === "ICEBERG_TABLE" ? "table" : "view", type: "VARCHAR" },
    ],
    rows,
  );
}

export function schemaOf(columns: readonly ColumnDef[]): Schema {
  const seen = new Set<string>();
  for (const c of columns) {
    if (seen.has(c.name.toLowerCase())) throw badRequest(`Column ${c.name} is defined twice`);
    seen.add(c.name.toLowerCase());
  }
  const fields = columns.map((c) => ({
    id: 0,
    name: c.name,
    required: c.required,
    type: c.type,
    ...(c.doc === undefined ? {} : { doc: c.doc }),
  }));
  return assignFreshIds({ schemaId: 0, identifierFieldIds: [], fields }, 0).schema;
}

/** Partition field names as Spark gives them: `id_bucket`, `ts_day`, `s_trunc`, the column for identity. */
export function specOf(schema: Schema, partitionBy: readonly PartitionDef[]): UnboundPartitionSpec {
  return {
    specId: 0,
    fields: partitionBy.map((p) => {
      const field = findFieldByName(schema, p.column, false);
      if (!field) throw badRequest(`Cannot partition by ${p.column}: no such column`);
      const transform = parseTransform(p.transform);
      const suffix: Record<string, string> = {
        bucket: "bucket",
        truncate: "trunc",
        year: "year",
        month: "month",
        day: "day",
        hour: "hour",
        void: "null",
      };
      const name =
        transform.kind === "identity"
          ? field.name
          : `${field.name}_${suffix[transform.kind] ?? transform.kind}`;
      return { sourceId: field.id, name, transform };
    }),
  };
}

export async function runCreateTable(s: SessionContext, st: St<"create-table">): Promise<StatementResult> {
  const key = [...st.name];
  const name = key.join(".");
  if (key.length < 2) throw badRequest(`Name the table with its namespace: <namespace>.${name}`);
  if (st.ifNotExists) {
    const exists = await loadTable(s.catalog, s.ref, key).then(
      () => true,
      (e: unknown) => {
        if (isFloeError(e, "NOT_FOUND")) return false;
        throw e;
      },
    );
    if (exists) return messageResult(`Table ${name} already exists`);
  }
  const location = st.location === undefined ? undefined : canonicalLocation(st.location).replace(/\/+$/, "");
  if (st.asQuery === undefined) {
    const schema = schemaOf(st.columns ?? []);
    await createTable(
      s.catalog,
      s.ref,
      key,
      {
        schema,
        spec: specOf(schema, st.partitionBy),
        properties: st.properties,
        ...(location ? { location } : {}),
      },
      { stage: false, meta: metaFor(s) },
    );
    return messageResult(`Created table ${name}`);
  }
  await registerTables(s, st.asQuery);
  const columns = st.columns ?? (await queryColumns(s, st.asQuery));
  const schema = schemaOf(columns);
  const metadata: TableMetadata = newTableMetadata({
    schema,
    spec: specOf(schema, st.partitionBy),
    properties: st.properties,
    location: location ?? defaultLocation(s.catalog.warehouse, key),
  });
  const source = `SELECT * FROM (${st.asQuery}) AS __floe_src(${columns.map((c) => `"${c.name.replace(/"/g, '""')}"`).join(", ")})`;
  const n = (await createTableWithRows(s, key, metadata, source)).rows;
  return messageResult(`Created table ${name} with ${n} rows`);
}

/** The columns of a query's result, typed for Iceberg. */
export async function queryColumns(s: SessionContext, query: string): Promise<ColumnDef[]> {
  const reader = await s.duck.runAndReadAll(`DESCRIBE (${query})`).catch((e: unknown) => {
    throw badRequest(`Cannot create a table from the query: ${(e as Error).message.split("\n")[0]}`);
  });
  return reader.getRows().map((r) => {
    const name = String(r[0]);
    const duckType = String(r[1]);
    let type;
    try {
      const c = new Cursor(duckType);
      type = parseType(c);
      c.expectEnd();
    } catch {
      throw badRequest(`Column ${name} of the query has type ${duckType}, which no Iceberg type holds`);
    }
    return { name, type, required: false };
  });
}

export async function runDropTable(s: SessionContext, st: St<"drop-table">): Promise<StatementResult> {
  const key = [...st.name];
  const name = key.join(".");
  let purgeFiles: string[] = [];
  try {
    if (st.purge) purgeFiles = await tableFiles(s, key);
    await dropContent(s.catalog, s.ref, key, "ICEBERG_TABLE", metaFor(s));
  } catch (e) {
    if (st.ifExists && isFloeError(e, "NOT_FOUND")) return messageResult(`Table ${name} does not exist`);
    throw e;
  }
  if (!st.purge) return messageResult(`Dropped table ${name}`);
  await discardFiles(s, purgeFiles);
  return messageResult(`Dropped table ${name} and purged its location (${purgeFiles.length} files)`);
}

/**
 * The files under a table's location, for DROP TABLE … PURGE. Other references may still point at
 * the table, so a purge is refused when any other branch or tag holds a table with this location.
 */
async function tableFiles(s: SessionContext, key: string[]): Promise<string[]> {
  const { metadata } = await loadTable(s.catalog, s.ref, key);
  const [other] = await otherHolders(s, key, metadata.location);
  if (other)
    throw badRequest(
      `Cannot purge ${key.join(".")}: ${other.type} ${other.name} still holds it; drop it without PURGE`,
    );
  const store = s.objects.storeFor(metadata.location);
  const out: string[] = [];
  let token: string | undefined;
  do {
    const page = await store.list(`${metadata.location}/`, token === undefined ? {} : { pageToken: token });
    out.push(...page.items.map((i) => i.path));
    token = page.nextToken;
  } while (token !== undefined);
  return out;
}

export async function runAlterTable(s: SessionContext, st: St<"alter-table">): Promise<StatementResult> {
  const key = [...st.name];
  const name = key.join(".");
  const change = st.change;
  if (change.action === "rename-table") {
    await renameContent(s.catalog, s.ref, key, [...change.to], "ICEBERG_TABLE", metaFor(s));
    return messageResult(`Renamed table ${name} to ${change.to.join(".")}`);
  }
  const { metadata: m } = await loadTable(s.catalog, s.ref, key);
  if (isSpecAction(change)) {
    const { updates, requirements } = specChange(m, change, name);
    await commitTables(
      s.catalog,
      s.ref,
      [{ key, requirements, updates }],
      commitMeta(s, `Alter table ${name}`),
    );
    return messageResult(`Altered table ${name}`);
  }
  const requirements = [
    ...(m.tableUuid === undefined ? [] : [{ type: "assert-table-uuid" as const, uuid: m.tableUuid }]),
    { type: "assert-current-schema-id" as const, currentSchemaId: m.currentSchemaId },
  ];
  if (change.action === "set-properties" || change.action === "unset-properties") {
    const update =
      change.action === "set-properties"
        ? { action: "set-properties" as const, updates: change.properties }
        : { action: "remove-properties" as const, removals: change.keys };
    await commitTables(
      s.catalog,
      s.ref,
      [{ key, requirements, updates: [update] }],
      commitMeta(s, `Alter table ${name}`),
    );
    return messageResult(`Altered table ${name}`);
  }
  const evolved = evolve(m, change);
  await commitTables(
    s.catalog,
    s.ref,
    [
      {
        key,
        requirements,
        updates: [
          { action: "add-schema", schema: evolved.schema, lastColumnId: evolved.lastColumnId },
          { action: "set-current-schema", schemaId: -1 },
        ],
      },
    ],
    commitMeta(s, `Alter table ${name}`),
  );
  return messageResult(`Altered table ${name}`);
}

function evolve(
  m: TableMetadata,
  change: Exclude<
    AlterAction,
    SpecAction | { action: "set-properties" | "unset-properties" | "rename-table" }
  >,
): Evolved {
  const schema = m.schemas.find((x) => x.schemaId === m.currentSchemaId) as Schema;
  switch (change.action) {
    case "add-columns": {
      let e: Evolved = { schema, lastColumnId: m.lastColumnId };
      for (const c of change.columns)
        e = addColumn(e.schema, e.lastColumnId, {
          name: c.name,
          type: c.type,
          required: c.required,
          ...(c.doc === undefined ? {} : { doc: c.doc }),
        });
      return e;
    }
    case "rename-column":
      return renameColumn(schema, m.lastColumnId, change.from, change.to);
    case "drop-column": {
      const field = findFieldByName(schema, change.name);
      const spec = m.partitionSpecs.find((x) => x.specId === m.defaultSpecId);
      if (field && spec?.fields.some((f) => f.sourceId === field.id && f.transform.kind !== "void"))
        throw badRequest(`Cannot drop column ${change.name}: the table is partitioned by it`);
      return dropColumn(schema, m.lastColumnId, change.name);
    }
    case "alter-column-type":
      return updateColumnType(schema, m.lastColumnId, change.name, change.type, m.formatVersion);
  }
}
