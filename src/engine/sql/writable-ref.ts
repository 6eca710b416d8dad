import { badRequest, FloeError } from "../../core/errors.ts";
import { parseRefSpec } from "../../versioning/ref-spec.ts";
import { decodeTableName } from "./rewrite.ts";
import type { SessionContext } from "./session-context.ts";

/**
 * Refuses a write (INSERT, DELETE, UPDATE, MERGE, DDL, a procedure that commits) on a tag or a
 * detached commit (`ref@hash`, `ref~1`) with one line naming the reference, before the statement
 * reads or writes anything: the session's reference, or the one its target names
 * (`` ns.`t@v1` ``). Only a branch can be written, and only as the session's reference.
 */
export async function requireBranch(s: SessionContext, target?: readonly string[]): Promise<void> {
  const t = target === undefined ? undefined : decodeTableName(target.at(-1) ?? "");
  const ref = t?.ref ?? s.ref;
  const spec = parseRefSpec(ref);
  const name = spec.name ?? (spec.defaultBranch ? s.catalog.store.defaultBranch : undefined);
  if (spec.hash !== undefined || spec.relative.length > 0 || name === undefined)
    throw readOnly(`Cannot write on commit '${ref}': a detached commit is read-only; use a branch`);
  const r = await s.catalog.store.getReference(name);
  if (r.type === "TAG") throw readOnly(`Cannot write on tag '${ref}': tags are read-only; use a branch`);
  if (t === undefined) return;
  const table = [...(target ?? []).slice(0, -1), t.name].join(".");
  if (t.version !== undefined || t.timestamp !== undefined)
    throw readOnly(`Cannot write on ${table} at a snapshot or a time: only a branch's head can be written`);
  if (t.ref !== undefined)
    throw badRequest(
      `Cannot write on ${table}@${t.ref}: writes go to the session's branch; USE BRANCH ${t.ref} and write ${table}`,
    );
}

const readOnly = (message: string) => new FloeError("FORBIDDEN", message);
