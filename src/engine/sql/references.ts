import type { Json } from "@duckdb/node-api";
import { FloeError, isFloeError } from "../../core/errors.ts";
import { parseRefSpec } from "../../versioning/ref-spec.ts";
import { messageResult, rowsResult, type StatementResult } from "./result.ts";
import type { SessionContext } from "./session-context.ts";
import type { Statement } from "./statements.ts";

type RefStatement =
  | Extract<
      Statement,
      {
        kind:
          | "create-reference"
          | "use-reference"
          | "merge-branch"
          | "show-references"
          | "show-reference"
          | "show-log"
          | "assign-reference";
      }
    >
  | Extract<Statement, { kind: "drop-reference" }>;

const REF_COLUMNS = [
  { name: "refType", type: "VARCHAR" },
  { name: "name", type: "VARCHAR" },
  { name: "hash", type: "VARCHAR" },
];

/** The branch name of the session's ref (`main`, `main@hash` → `main`); a tag or `@hash` is not one. */
function branchOf(s: SessionContext, ref: string | undefined, what: string): string {
  const spec = parseRefSpec(ref ?? s.ref);
  const name = spec.name ?? (spec.defaultBranch ? s.catalog.store.defaultBranch : undefined);
  if (name === undefined)
    throw new FloeError("BAD_REQUEST", `Cannot ${what} a detached commit (${ref ?? s.ref})`);
  return name;
}

/** Branch statements of Nessie's Spark SQL extensions, on the version store. */
export async function runReferenceStatement(s: SessionContext, st: RefStatement): Promise<StatementResult> {
  const store = s.catalog.store;
  switch (st.kind) {
    case "create-reference": {
      const from = await store.resolve(parseRefSpec(st.from ?? s.ref));
      try {
        const r = await store.createReference(st.name, st.type, from.hash);
        return rowsResult(
          REF_COLUMNS,
          [[r.type, r.name, r.hash]],
          `Created ${st.type.toLowerCase()} ${r.name} at ${r.hash}`,
        );
      } catch (e) {
        if (!st.ifNotExists || !isFloeError(e, "REFERENCE_ALREADY_EXISTS")) throw e;
        const r = await store.getReference(st.name);
        return rowsResult(
          REF_COLUMNS,
          [[r.type, r.name, r.hash]],
          `${r.type === "TAG" ? "Tag" : "Branch"} ${r.name} already exists`,
        );
      }
    }
    case "use-reference": {
      const spec = st.hash === undefined ? st.name : `${st.name}@${st.hash}`;
      const r = await store.resolve(parseRefSpec(spec));
      s.ref = spec;
      return rowsResult(
        REF_COLUMNS,
        [[r.reference?.type ?? "DETACHED", r.reference?.name ?? "", r.hash]],
        `Using ${spec} at ${r.hash}`,
      );
    }
    case "show-reference": {
      const r = await store.resolve(parseRefSpec(s.ref));
      return rowsResult(REF_COLUMNS, [[r.reference?.type ?? "DETACHED", r.reference?.name ?? s.ref, r.hash]]);
    }
    case "show-references": {
      const rows: Json[][] = [];
      let pageToken: string | undefined;
      do {
        const page = await store.listReferences(pageToken === undefined ? {} : { pageToken });
        for (const r of page.items) rows.push([r.type, r.name, r.hash]);
        pageToken = page.token;
      } while (pageToken !== undefined);
      rows.sort((a, b) => String(a[1]).localeCompare(String(b[1])));
      return rowsResult(REF_COLUMNS, rows);
    }
    case "show-log": {
      const from = await store.resolve(parseRefSpec(st.ref ?? s.ref));
      const rows: Json[][] = [];
      let pageToken: string | undefined;
      do {
        const page = await store.log(from.hash, pageToken === undefined ? {} : { pageToken });
        for (const e of page.items) {
          const m = e.commitMeta;
          rows.push([m.hash, m.authors.join(", ") || m.committer, m.commitTime, m.message]);
        }
        pageToken = page.token;
      } while (pageToken !== undefined);
      const columns = ["hash", "author", "commitTime", "message"].map((name) => ({ name, type: "VARCHAR" }));
      return rowsResult(columns, rows);
    }
    case "assign-reference": {
      const name = st.name ?? branchOf(s, undefined, "assign");
      const current = await store.getReference(name);
      const to = await store.resolve(parseRefSpec(st.to ?? store.defaultBranch));
      const r = await store.assignReference(name, current.hash, to.hash, st.type);
      return rowsResult(
        REF_COLUMNS,
        [[r.type, r.name, r.hash]],
        `Assigned ${st.type.toLowerCase()} ${name} to ${r.hash}`,
      );
    }
    case "drop-reference": {
      let current;
      try {
        current = await store.getReference(st.name);
      } catch (e) {
        if (st.ifExists && isFloeError(e, "REFERENCE_NOT_FOUND"))
          return messageResult(`${st.type === "TAG" ? "Tag" : "Branch"} ${st.name} does not exist`);
        throw e;
      }
      if (current.type !== st.type)
        throw new FloeError(
          "BAD_REQUEST",
          `${st.name} is a ${current.type.toLowerCase()}, not a ${st.type.toLowerCase()}`,
        );
      await store.deleteReference(st.name, current.hash, st.type);
      if (parseRefSpec(s.ref).name === st.name) s.ref = store.defaultBranch;
      return messageResult(`Dropped ${st.type.toLowerCase()} ${st.name}`);
    }
    case "merge-branch": {
      const fromName = st.from ?? branchOf(s, undefined, "merge");
      const from = await store.resolve(parseRefSpec(fromName));
      const into = st.into ?? store.defaultBranch;
      if (into === fromName) throw new FloeError("BAD_REQUEST", `Cannot merge ${fromName} into itself`);
      const target = await store.getReference(into);
      if (target.type !== "BRANCH")
        throw new FloeError("BAD_REQUEST", `Cannot merge into ${into}: it is a tag`);
      const r = await store.merge(into, target.hash, from.reference?.name ?? fromName, from.hash);
      return rowsResult(
        [
          { name: "name", type: "VARCHAR" },
          { name: "hash", type: "VARCHAR" },
        ],
        [[into, r.resultantTargetHash]],
        `Merged ${fromName} into ${into}: ${into} is at ${r.resultantTargetHash}`,
      );
    }
  }
}
