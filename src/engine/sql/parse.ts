import { Cursor } from "./cursor.ts";
import { parseDml } from "./parse-dml.ts";
import { parseType } from "./parse-type.ts";
import { parseAlterSpec } from "./parse-alter-spec.ts";
import { parseCall } from "./parse-call.ts";
import { parseViewStatement } from "./parse-view.ts";
import { parseTransformTerm } from "./parse-transform.ts";
import type { AlterAction, ColumnDef, PartitionDef, RefType, Statement } from "./statements.ts";

/**
 * Parses one statement. Branch statements follow Nessie's Spark SQL extensions (an `IN <catalog>`
 * clause is accepted and ignored: a session has one catalog); DDL follows Spark's Iceberg DDL
 * (`PARTITIONED BY`, `TBLPROPERTIES`, also Trino's `WITH (…)`); `INSERT INTO` is parsed up to its
 * source, which DuckDB runs. Anything else is a `query` for DuckDB.
 */
export function parseStatement(sql: string): Statement {
  const c = new Cursor(sql);
  if (c.done) c.fail("expected a statement");
  const s = parse(c);
  if (
    s.kind !== "query" &&
    s.kind !== "insert" &&
    s.kind !== "delete" &&
    !(s.kind === "create-table" && s.asQuery)
  ) {
    acceptCatalog(c);
    c.expectEnd();
  }
  return s;
}

function parse(c: Cursor): Statement {
  const dml = parseDml(c); // UPDATE, MERGE INTO, BEGIN / COMMIT / ROLLBACK
  if (dml) return dml;
  if (c.acceptWord("CALL")) return parseCall(c);
  if (c.acceptWord("CREATE")) return parseCreate(c);
  if (c.acceptWord("DROP")) return parseDrop(c);
  if (c.acceptWord("USE")) {
    if (!c.acceptWord("REFERENCE") && !c.acceptWord("BRANCH") && !c.acceptWord("TAG"))
      c.fail("expected REFERENCE, BRANCH or TAG (floe sessions use references, not databases)");
    const name = c.refName();
    return c.acceptWord("AT")
      ? { kind: "use-reference", name, hash: c.refName("a commit hash") }
      : { kind: "use-reference", name };
  }
  if (c.isWord("MERGE", "BRANCH")) {
    c.expectWord("MERGE", "BRANCH");
    const from = c.isWord("INTO") || c.isWord("IN") || c.done ? undefined : c.refName();
    const into = c.acceptWord("INTO") ? c.refName() : undefined;
    return { kind: "merge-branch", ...(from ? { from } : {}), ...(into ? { into } : {}) };
  }
  if (c.acceptWord("ASSIGN")) {
    const type = refType(c);
    const name = c.isWord("TO") || c.isWord("IN") || c.done ? undefined : c.refName();
    let to: string | undefined;
    if (c.acceptWord("TO")) {
      to = c.refName();
      if (c.acceptWord("AT")) to = `${to}@${c.refName("a commit hash")}`;
    }
    return { kind: "assign-reference", type, ...(name ? { name } : {}), ...(to ? { to } : {}) };
  }
  if (c.acceptWord("SHOW") || (c.isWord("LIST", "REFERENCES") && c.acceptWord("LIST"))) {
    const view = parseViewStatement(c, "SHOW");
    if (view) return view;
    if (c.acceptWord("REFERENCES")) return { kind: "show-references" };
    if (c.acceptWord("REFERENCE")) return { kind: "show-reference" };
    if (c.acceptWord("LOG")) {
      if (c.done || c.isWord("IN")) return { kind: "show-log" };
      let ref = c.refName();
      if (c.acceptWord("AT")) ref = `${ref}@${c.refName("a commit hash")}`;
      return { kind: "show-log", ref };
    }
    if (c.acceptWord("NAMESPACES") || c.acceptWord("SCHEMAS") || c.acceptWord("DATABASES"))
      return { kind: "show-namespaces" };
    if (c.acceptWord("TABLES")) {
      if (c.acceptWord("IN") || c.acceptWord("FROM"))
        return { kind: "show-tables", namespace: c.qualifiedName("a namespace") };
      return { kind: "show-tables" };
    }
    return { kind: "query", sql: c.sql.trim() };
  }
  if (c.acceptWord("ALTER", "TABLE")) {
    const name = c.qualifiedName("a table name");
    return { kind: "alter-table", name, change: parseAlter(c) };
  }
  if (c.acceptWord("INSERT")) {
    if (c.acceptWord("OVERWRITE")) c.fail("INSERT OVERWRITE is not supported; use DELETE then INSERT");
    c.expectWord("INTO");
    c.acceptWord("TABLE");
    const table = c.qualifiedName("a table name");
    let columns: string[] | undefined;
    if (c.isSymbol("(") && !looksLikeQuery(c, 1)) {
      c.expectSymbol("(");
      columns = [];
      do columns.push(c.ident("a column name"));
      while (c.acceptSymbol(","));
      c.expectSymbol(")");
    }
    const source = c.rest();
    if (source === "") c.fail("expected VALUES or a query");
    c.skipToEnd();
    return { kind: "insert", table, ...(columns ? { columns } : {}), source };
  }
  if (c.acceptWord("DELETE")) {
    c.expectWord("FROM");
    const table = c.qualifiedName("a table name");
    if (c.done) return { kind: "delete", table };
    c.expectWord("WHERE");
    const where = c.rest();
    if (where === "") c.fail("expected a condition after WHERE");
    c.skipToEnd();
    return { kind: "delete", table, where };
  }
  return { kind: "query", sql: c.sql.trim() };
}

/** Whether the token at `offset` starts a query (`(SELECT …)` rather than a column list). */
function looksLikeQuery(c: Cursor, offset: number): boolean {
  const t = c.peek(offset);
  return t?.kind === "word" && ["SELECT", "WITH", "VALUES", "FROM"].includes(t.value.toUpperCase());
}

function refType(c: Cursor): RefType {
  if (c.acceptWord("BRANCH")) return "BRANCH";
  if (c.acceptWord("TAG")) return "TAG";
  return c.fail("expected BRANCH or TAG");
}

function acceptCatalog(c: Cursor): void {
  if (c.acceptWord("IN")) c.ident("a catalog name");
}

function parseCreate(c: Cursor): Statement {
  const view = parseViewStatement(c, "CREATE");
  if (view) return view;
  if (c.isWord("BRANCH") || c.isWord("TAG")) {
    const type = refType(c);
    const ifNotExists = c.acceptWord("IF", "NOT", "EXISTS");
    const name = c.refName();
    acceptCatalog(c);
    const from = c.acceptWord("FROM") ? c.refName() : undefined;
    return { kind: "create-reference", type, name, ifNotExists, ...(from ? { from } : {}) };
  }
  if (c.acceptWord("NAMESPACE") || c.acceptWord("SCHEMA") || c.acceptWord("DATABASE")) {
    const ifNotExists = c.acceptWord("IF", "NOT", "EXISTS");
    const namespace = c.qualifiedName("a namespace");
    const properties = c.acceptWord("WITH")
      ? (c.acceptWord("PROPERTIES") || c.acceptWord("DBPROPERTIES"), parseProperties(c))
      : {};
    return { kind: "create-namespace", namespace, ifNotExists, properties };
  }
  if (c.isWord("OR", "REPLACE")) c.fail("CREATE OR REPLACE is not supported");
  if (!c.acceptWord("TABLE")) {
    c.fail("expected TABLE, VIEW, NAMESPACE, SCHEMA, BRANCH or TAG after CREATE");
  }
  const ifNotExists = c.acceptWord("IF", "NOT", "EXISTS");
  const name = c.qualifiedName("a table name");
  let columns: ColumnDef[] | undefined;
  if (c.isSymbol("(") && !looksLikeQuery(c, 1)) {
    c.expectSymbol("(");
    columns = [];
    do columns.push(parseColumn(c));
    while (c.acceptSymbol(","));
    c.expectSymbol(")");
  }
  let partitionBy: PartitionDef[] = [];
  let properties: Record<string, string> = {};
  let location: string | undefined;
  for (;;) {
    if (c.acceptWord("USING")) {
      const format = c.ident("a table format");
      if (format.toLowerCase() !== "iceberg") c.fail(`only USING iceberg is supported, not '${format}'`);
    } else if (c.acceptWord("PARTITIONED", "BY")) partitionBy = parsePartitioning(c);
    else if (c.acceptWord("TBLPROPERTIES") || c.acceptWord("WITH"))
      properties = { ...properties, ...parseProperties(c) };
    else if (c.acceptWord("LOCATION")) location = c.string("a location");
    else if (c.acceptWord("COMMENT")) properties = { ...properties, comment: c.string("a comment") };
    else break;
  }
  // Trino spells partitioning as a table property: WITH (partitioning = ARRAY['day(ts)']) is not parsed.
  const base = { name, ifNotExists, partitionBy, properties, ...(location ? { location } : {}) };
  if (c.acceptWord("AS")) {
    const asQuery = c.rest();
    if (asQuery === "") c.fail("expected a query after AS");
    c.skipToEnd();
    return { kind: "create-table", ...base, ...(columns ? { columns } : {}), asQuery };
  }
  if (!columns) c.fail("expected a column list or AS <query>");
  return { kind: "create-table", ...base, columns };
}

function parseColumn(c: Cursor): ColumnDef {
  const name = c.ident("a column name");
  const type = parseType(c);
  let required = false;
  let doc: string | undefined;
  for (;;) {
    if (c.acceptWord("NOT", "NULL")) required = true;
    else if (c.acceptWord("NULL")) required = false;
    else if (c.acceptWord("COMMENT")) doc = c.string("a comment");
    else break;
  }
  return { name, type, required, ...(doc === undefined ? {} : { doc }) };
}

/** `day(ts), bucket(16, id)` (a `PARTITIONED BY` list without its parentheses), as `floe ingest --partition-by` takes it. */
export function parsePartitionList(text: string): PartitionDef[] {
  const c = new Cursor(`(${text})`);
  const out = parsePartitioning(c);
  c.expectEnd();
  return out;
}

/** `(col, bucket(16, id), days(ts), truncate(10, s))` */
function parsePartitioning(c: Cursor): PartitionDef[] {
  c.expectSymbol("(");
  const out: PartitionDef[] = [];
  do out.push(parseTransformTerm(c));
  while (c.acceptSymbol(","));
  c.expectSymbol(")");
  return out;
}

/** `('k' = 'v', k2 = 2, a.b = true)` */
function parseProperties(c: Cursor): Record<string, string> {
  c.expectSymbol("(");
  const out: Record<string, string> = {};
  if (c.acceptSymbol(")")) return out;
  do {
    const key = propertyKey(c);
    c.expectSymbol("=");
    out[key] = propertyValue(c);
  } while (c.acceptSymbol(","));
  c.expectSymbol(")");
  return out;
}

function propertyKey(c: Cursor): string {
  if (c.peek()?.kind === "string") return c.string();
  return c.qualifiedName("a property name").join(".");
}

function propertyValue(c: Cursor): string {
  const t = c.peek();
  if (t?.kind === "string") return c.string();
  if (t?.kind === "number" || t?.kind === "word") return c.take().value;
  return c.fail("expected a property value");
}

function parseDrop(c: Cursor): Statement {
  const view = parseViewStatement(c, "DROP");
  if (view) return view;
  if (c.isWord("BRANCH") || c.isWord("TAG")) {
    const type = refType(c);
    const ifExists = c.acceptWord("IF", "EXISTS");
    return { kind: "drop-reference", type, ifExists, name: c.refName() };
  }
  if (c.acceptWord("NAMESPACE") || c.acceptWord("SCHEMA") || c.acceptWord("DATABASE")) {
    const ifExists = c.acceptWord("IF", "EXISTS");
    return { kind: "drop-namespace", ifExists, namespace: c.qualifiedName("a namespace") };
  }
  if (c.acceptWord("TABLE")) {
    const ifExists = c.acceptWord("IF", "EXISTS");
    const name = c.qualifiedName("a table name");
    return { kind: "drop-table", name, ifExists, purge: c.acceptWord("PURGE") };
  }
  return c.fail("expected TABLE, NAMESPACE, SCHEMA, BRANCH or TAG after DROP");
}

function parseAlter(c: Cursor): AlterAction {
  const spec = parseAlterSpec(c);
  if (spec) return spec;
  if (c.acceptWord("ADD")) {
    if (c.acceptWord("COLUMNS") || c.acceptWord("COLUMN")) {
      if (c.acceptSymbol("(")) {
        const columns: ColumnDef[] = [];
        do columns.push(parseColumn(c));
        while (c.acceptSymbol(","));
        c.expectSymbol(")");
        return { action: "add-columns", columns };
      }
    }
    return { action: "add-columns", columns: [parseColumn(c)] };
  }
  if (c.acceptWord("RENAME", "COLUMN")) {
    const from = c.qualifiedName("a column name").join(".");
    c.expectWord("TO");
    return { action: "rename-column", from, to: c.ident("a column name") };
  }
  if (c.acceptWord("RENAME", "TO")) return { action: "rename-table", to: c.qualifiedName("a table name") };
  if (c.acceptWord("DROP")) {
    c.acceptWord("COLUMN");
    return { action: "drop-column", name: c.qualifiedName("a column name").join(".") };
  }
  if (c.acceptWord("ALTER")) {
    c.acceptWord("COLUMN");
    const name = c.qualifiedName("a column name").join(".");
    if (!c.acceptWord("TYPE")) c.expectWord("SET", "DATA", "TYPE");
    return { action: "alter-column-type", name, type: parseType(c) };
  }
  if (c.acceptWord("SET")) {
    if (!c.acceptWord("TBLPROPERTIES")) c.expectWord("PROPERTIES");
    return { action: "set-properties", properties: parseProperties(c) };
  }
  if (c.acceptWord("UNSET")) {
    if (!c.acceptWord("TBLPROPERTIES")) c.expectWord("PROPERTIES");
    c.acceptWord("IF", "EXISTS");
    c.expectSymbol("(");
    const keys: string[] = [];
    do keys.push(propertyKey(c));
    while (c.acceptSymbol(","));
    c.expectSymbol(")");
    return { action: "unset-properties", keys };
  }
  return c.fail("expected ADD, DROP, REPLACE, RENAME, ALTER, SET, UNSET or WRITE");
}
