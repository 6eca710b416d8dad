/**
 * The sqllogictest format as floe's suite uses it (test/slt/README.md): parsing a `.slt` file into
 * records, rendering result values as text, and comparing a result with a record's expectation.
 */

export type SortMode = "nosort" | "rowsort" | "valuesort";

/** How a file's records are run: in this process through `SqlSession`, or by the `floe sql` program. */
export type RunnerName = "session" | "cli";

interface RecordBase {
  /** 1-based line of the record's first line (`statement …`, `query …`, `let …`). */
  readonly line: number;
  readonly sql: string;
  /** `skipif <runner>` / `onlyif <runner>` before the record. */
  readonly skipIf: readonly RunnerName[];
  readonly onlyIf: readonly RunnerName[];
}

export type SltRecord =
  | (RecordBase & { readonly kind: "statement-ok" })
  | (RecordBase & { readonly kind: "statement-count"; readonly count: bigint })
  | (RecordBase & { readonly kind: "error"; readonly pattern: RegExp | undefined })
  | (RecordBase & {
      readonly kind: "query";
      readonly types: string;
      readonly sort: SortMode;
      readonly expected: readonly string[];
    })
  | (RecordBase & { readonly kind: "let"; readonly names: readonly string[] });

export interface SltFile {
  /** `control runner cli`: the file always runs through the `floe sql` program too. */
  readonly runners: readonly RunnerName[];
  /** `control warehouse s3`: the file's tables are on the suite's S3 server, not a local directory. */
  readonly s3: boolean;
  readonly records: readonly SltRecord[];
}

const RUNNERS: readonly RunnerName[] = ["session", "cli"];

/** Parses a `.slt` text; a malformed record is an error naming `file:line`. */
export function parseSlt(text: string, file: string): SltFile {
  const lines = text.split(/\r?\n/);
  const records: SltRecord[] = [];
  const runners: RunnerName[] = [];
  let s3 = false;
  let skipIf: RunnerName[] = [];
  let onlyIf: RunnerName[] = [];
  let i = 0;
  const fail = (at: number, what: string): never => {
    throw new Error(`${file}:${at + 1}: ${what}`);
  };
  const runnerName = (at: number, word: string | undefined): RunnerName =>
    RUNNERS.includes(word as RunnerName)
      ? (word as RunnerName)
      : fail(at, `unknown runner '${word ?? ""}' (known: ${RUNNERS.join(", ")})`);
  /** Lines from `from` up to a blank line or `----` (not included). */
  const sqlLines = (from: number): { sql: string; next: number } => {
    let j = from;
    while (j < lines.length && (lines[j] as string).trim() !== "" && (lines[j] as string).trim() !== "----")
      j++;
    const sql = lines.slice(from, j).join("\n").trim();
    if (sql === "") fail(from - 1, "the record has no SQL");
    return { sql, next: j };
  };
  while (i < lines.length) {
    const raw = lines[i] as string;
    const head = raw.trim();
    if (head === "" || head.startsWith("#")) {
      i++;
      continue;
    }
    const words = head.split(/\s+/);
    const start = i;
    const base = { line: start + 1, skipIf, onlyIf };
    switch (words[0]) {
      case "skipif":
      case "onlyif": {
        const r = runnerName(i, words[1]);
        if (words[0] === "skipif") skipIf = [...skipIf, r];
        else onlyIf = [...onlyIf, r];
        i++;
        continue;
      }
      case "control": {
        if (words[1] === "warehouse" && words[2] === "s3" && words.length === 3) s3 = true;
        else if (words[1] === "runner" && words.length === 3) runners.push(runnerName(i, words[2]));
        else fail(i, `unknown control '${head}' (control runner cli, control warehouse s3)`);
        i++;
        continue;
      }
      case "statement": {
        const { sql, next } = sqlLines(i + 1);
        if (words[1] === "ok" && words.length === 2) records.push({ ...base, kind: "statement-ok", sql });
        else if (words[1] === "count" && words.length === 3 && /^\d+$/.test(words[2] as string))
          records.push({ ...base, kind: "statement-count", sql, count: BigInt(words[2] as string) });
        else if (words[1] === "error")
          records.push({ ...base, kind: "error", sql, pattern: errorPattern(head, i, fail) });
        else fail(i, `expected 'statement ok', 'statement count N' or 'statement error [regex]'`);
        i = next;
        break;
      }
      case "query": {
        if (words[1] === "error") {
          const { sql, next } = sqlLines(i + 1);
          records.push({ ...base, kind: "error", sql, pattern: errorPattern(head, i, fail) });
          i = next;
          break;
        }
        const types = words[1] ?? "";
        if (!/^[ITR]+$/.test(types))
          fail(i, `query types must be letters I, T, R (one per column): '${types}'`);
        const sort = (words[2] ?? "nosort") as SortMode;
        if (!["nosort", "rowsort", "valuesort"].includes(sort))
          fail(i, `unknown sort mode '${sort}' (nosort, rowsort, valuesort)`);
        const { sql, next } = sqlLines(i + 1);
        if ((lines[next] ?? "").trim() !== "----") fail(next, "a query needs '----' and its expected rows");
        let j = next + 1;
        while (j < lines.length && (lines[j] as string).trim() !== "") j++;
        const expected = lines.slice(next + 1, j);
        records.push({ ...base, kind: "query", sql, types, sort, expected });
        i = j;
        break;
      }
      case "let": {
        const names = words.slice(1);
        if (names.length === 0 || !names.every((n) => /^[A-Za-z_]\w*$/.test(n)))
          fail(i, "expected 'let <name> [<name> …]' and a statement returning one row of that many values");
        const { sql, next } = sqlLines(i + 1);
        records.push({ ...base, kind: "let", sql, names });
        i = next;
        break;
      }
      default:
        fail(i, `unknown record '${head}'`);
    }
    skipIf = [];
    onlyIf = [];
  }
  return { runners, s3, records };
}

function errorPattern(
  head: string,
  at: number,
  fail: (at: number, what: string) => never,
): RegExp | undefined {
  const text = head.replace(/^(statement|query)\s+error\s*/, "");
  if (text === "") return undefined;
  try {
    return new RegExp(text, "i");
  } catch (e) {
    return fail(at, `bad regular expression: ${(e as Error).message}`);
  }
}

/** A JSON value of a result (DuckDB's JSON rendering) as the text a `.slt` file expects. */
export function renderValue(v: unknown, type: string): string {
  if (v === null || v === undefined) return "NULL";
  if (type === "R" && (typeof v === "number" || (typeof v === "string" && /^-?[\d.]+(e-?\d+)?$/i.test(v))))
    return Number(v).toFixed(3);
  if (typeof v === "string") return v === "" ? "(empty)" : v;
  if (typeof v === "object") return JSON.stringify(v);
  return String(v);
}

const normalize = (line: string): string => line.trim().replace(/\s+/g, " ");

/** The wildcard of an expected row: any one value without whitespace (a hash, a commit time). */
const ANY = "<any>";

function sameLine(actual: string, expected: string): boolean {
  if (actual === expected) return true;
  if (!expected.includes(ANY)) return false;
  const a = actual.split(" ");
  const e = expected.split(" ");
  return a.length === e.length && e.every((v, i) => v === ANY || v === a[i]);
}

/** Substitutes `${name}` with the values `let` records bound; an unknown name is an error. */
export function substitute(text: string, vars: ReadonlyMap<string, string>): string {
  return text.replace(/\$\{([A-Za-z_]\w*)\}/g, (_, name: string) => {
    const v = vars.get(name);
    if (v === undefined) throw new Error(`\${${name}} is not bound by a 'let' record before it`);
    return v;
  });
}

/**
 * Compares a query's rows with a record's expected lines. Values of a row are compared as one line,
 * whitespace runs collapsed (a tab or spaces between values); `rowsort` sorts the rows of both sides,
 * `valuesort` every value. Returns a description of the difference, or undefined if they match.
 */
export function compareRows(
  record: Extract<SltRecord, { kind: "query" }>,
  columnCount: number | undefined,
  rows: readonly (readonly unknown[])[],
  vars: ReadonlyMap<string, string>,
): string | undefined {
  const width = record.types.length;
  if (columnCount !== undefined && columnCount !== width)
    return `the query returns ${columnCount} columns, the record declares ${width} ('${record.types}')`;
  let actual = rows.map((r) => normalize(r.map((v, i) => renderValue(v, record.types[i] ?? "T")).join(" ")));
  let expected = record.expected.map((l) => normalize(substitute(l, vars)));
  if (record.sort === "rowsort") {
    actual = [...actual].sort();
    expected = [...expected].sort();
  } else if (record.sort === "valuesort") {
    actual = actual.flatMap((l) => l.split(" ")).sort();
    expected = expected.flatMap((l) => l.split(" ")).sort();
  }
  if (actual.length === expected.length && actual.every((l, i) => sameLine(l, expected[i] as string)))
    return undefined;
  return [
    "result differs",
    "expected:",
    ...expected.map((l) => `  ${l}`),
    "actual:",
    ...actual.map((l) => `  ${l}`),
  ].join("\n");
}
