import type { IncomingHttpHeaders } from "node:http";
import type { CommitMetaInput } from "../versioning/model.ts";

/**
 * Nessie's request headers that amend the commit metadata of commit, merge and transplant
 * (RestCommon.updateCommitMeta): `Nessie-Commit-Message` replaces the message,
 * `Nessie-Commit-Authors` and `Nessie-Commit-SignedOffBy` (comma-separated) add to the lists,
 * `Nessie-Commit-Property-<name>` sets a property.
 */
export function applyCommitHeaders(meta: CommitMetaInput, headers: IncomingHttpHeaders): CommitMetaInput {
  const out: {
    -readonly [K in keyof CommitMetaInput]: CommitMetaInput[K];
  } = { ...meta };
  const values = (v: string | string[] | undefined): string[] =>
    (Array.isArray(v) ? v : v === undefined ? [] : [v]).map((s) => s.trim()).filter((s) => s !== "");
  const list = (v: string | string[] | undefined): string[] => values(v).flatMap((s) => s.split(","));

  const message = values(headers["nessie-commit-message"])[0];
  if (message !== undefined) out.message = message;
  const authors = list(headers["nessie-commit-authors"])
    .map((s) => s.trim())
    .filter((s) => s !== "");
  if (authors.length > 0) out.authors = [...(meta.authors ?? []), ...authors];
  const signedOff = list(headers["nessie-commit-signedoffby"])
    .map((s) => s.trim())
    .filter((s) => s !== "");
  if (signedOff.length > 0) out.allSignedOffBy = [...(meta.allSignedOffBy ?? []), ...signedOff];
  const prefix = "nessie-commit-property-";
  for (const [name, value] of Object.entries(headers)) {
    if (!name.startsWith(prefix) || name.length === prefix.length) continue;
    const props = values(value);
    if (props.length === 0) continue;
    out.allProperties = {
      ...(out.allProperties ?? meta.allProperties ?? {}),
      [name.slice(prefix.length)]: props,
    };
  }
  return out;
}
