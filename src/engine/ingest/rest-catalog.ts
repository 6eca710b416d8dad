import { type ErrorKind, FloeError } from "../../core/errors.ts";
import { parseJson, stringifyJson } from "../../core/json.ts";
import { tableRequirementToJson } from "../../iceberg/requirements.ts";
import { type Schema, schemaToJson } from "../../iceberg/schema.ts";
import { tableMetadataFromJson, type TableMetadata } from "../../iceberg/table-metadata.ts";
import { tableUpdateToJson, type UnboundPartitionSpec, unboundSpecToJson } from "../../iceberg/updates.ts";
import type { ContentKey } from "../../versioning/model.ts";
import { checkBranchSpec, type IngestCatalog } from "./target.ts";

/**
 * The catalog of a floe server, reached as an Iceberg client reaches it: the Iceberg REST API
 * under `<uri>/iceberg/v1/<branch>/…` (the prefix names the branch). A table is loaded
 * (`LoadTableResult`), created by a staged create whose metadata the first commit carries
 * (`assert-create`), and changed by `POST …/tables/<t>` with requirements and updates; the commit
 * message and author go in `Nessie-Commit-Message` / `Nessie-Commit-Authors`. The server's
 * refusals come back as `FloeError`s of the kind its status says (409 `CommitFailedException`: a
 * COMMIT_CONFLICT); a failed request whose outcome is unknown (5xx, no answer) as INTERNAL or
 * SERVICE_UNAVAILABLE, so that files written for it stay.
 */
export async function openRestCatalog(
  uri: string,
  ref: string | undefined,
  author: string | undefined,
  application: string,
): Promise<IngestCatalog> {
  const root = uri.replace(/\/+$/, "");
  if (ref !== undefined) checkBranchSpec(ref);
  const name =
    ref ??
    ((await call(root, "GET", "/api/v2/config")) as { defaultBranch?: string }).defaultBranch ??
    "main";
  const tree = (await call(root, "GET", `/api/v2/trees/${encodeURIComponent(name)}`)) as {
    reference?: { type?: string };
  };
  if (tree.reference?.type !== "BRANCH")
    throw new FloeError("BAD_REQUEST", `Cannot ingest into tag ${name}: tags are read-only`);
  const base = `/iceberg/v1/${encodeURIComponent(name)}/namespaces`;
  const ns = (key: ContentKey) => encodeURIComponent(key.slice(0, -1).join("\u001f"));
  const table = (key: ContentKey) => `${base}/${ns(key)}/tables/${encodeURIComponent(key.at(-1) ?? "")}`;
  const metadataOf = (body: unknown): TableMetadata =>
    tableMetadataFromJson((body as { metadata: unknown }).metadata);
  const load = async (key: ContentKey) => {
    const body = (await call(root, "GET", table(key))) as { "metadata-location"?: string };
    return { metadataLocation: body["metadata-location"] ?? "", metadata: metadataOf(body) };
  };
  return {
    ref: name,
    load,
    find: (key) =>
      load(key).then(
        (t) => t.metadata,
        (e: unknown) => {
          if (e instanceof FloeError && e.kind === "NOT_FOUND" && /table/i.test(e.message)) return undefined;
          throw e;
        },
      ),
    newTable: async (key: ContentKey, schema: Schema, spec: UnboundPartitionSpec) =>
      metadataOf(
        await call(root, "POST", `${base}/${ns(key)}/tables`, {
          body: {
            name: key.at(-1),
            schema: schemaToJson(schema),
            "partition-spec": unboundSpecToJson(spec),
            "stage-create": true,
          },
        }),
      ),
    commit: async (change, message) => {
      await call(root, "POST", table(change.key), {
        body: {
          identifier: { namespace: change.key.slice(0, -1), name: change.key.at(-1) },
          requirements: change.requirements.map(tableRequirementToJson),
          updates: change.updates.map(tableUpdateToJson),
        },
        headers: {
          "Nessie-Commit-Message": encodeHeader(message),
          ...(author === undefined ? {} : { "Nessie-Commit-Authors": encodeHeader(author) }),
          "Nessie-Commit-Property-application": application,
        },
      });
    },
  };
}

/** Header values are Latin-1: other characters of a message are replaced. */
const encodeHeader = (s: string): string => s.replace(/[^\x20-\x7e]/g, "?");

/** One request to the server; its JSON answer (exact 64-bit ints), or its error as a FloeError. */
async function call(
  root: string,
  method: "GET" | "POST",
  path: string,
  opts: { body?: unknown; headers?: Record<string, string> } = {},
): Promise<unknown> {
  let res: Response;
  try {
    res = await fetch(`${root}${path}`, {
      method,
      headers: {
        ...(opts.body === undefined ? {} : { "content-type": "application/json" }),
        ...opts.headers,
      },
      ...(opts.body === undefined ? {} : { body: stringifyJson(opts.body) }),
    });
  } catch (e) {
    throw new FloeError("SERVICE_UNAVAILABLE", `Cannot reach floe at ${root}: ${(e as Error).message}`);
  }
  const text = await res.text();
  let body: unknown;
  try {
    body = text === "" ? undefined : parseJson(text);
  } catch {
    body = undefined;
  }
  if (res.ok) return body;
  const error = body as { error?: { message?: string; type?: string }; message?: string } | undefined;
  const message = error?.error?.message ?? error?.message ?? `${res.status} ${res.statusText}`;
  throw new FloeError(kindOf(res.status, error?.error?.type), message);
}

function kindOf(status: number, type: string | undefined): ErrorKind {
  switch (status) {
    case 400:
      return "BAD_REQUEST";
    case 403:
      return "FORBIDDEN";
    case 404:
      return "NOT_FOUND";
    case 409:
      return type === "CommitFailedException" ? "COMMIT_CONFLICT" : "REFERENCE_ALREADY_EXISTS";
    case 408:
      return "TIMEOUT";
    case 429:
      return "TOO_MANY_REQUESTS";
    case 503:
      return "SERVICE_UNAVAILABLE";
    default:
      return status >= 400 && status < 500 ? "BAD_REQUEST" : "INTERNAL";
  }
}
