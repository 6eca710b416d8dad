import { badRequest } from "../core/errors.ts";
import { printable } from "../versioning/ref-spec.ts";

/**
 * The paths under `/api/v2/trees/`, matched on the raw (still URL-encoded) path the way Nessie's
 * JAX-RS templates match them. A ref path element is `([^/]+|[^@]+(@|%40)[^@/]*)`: a name that
 * holds '/' is written `a/b@` or `a/b@hash`, unencoded, or with the '/' encoded as %2F. Fastify's
 * router cannot express that, so one wildcard route hands the rest of the path to `matchTreePath`.
 */
export type TreeEndpoint =
  | "reference"
  | "recent-changes"
  | "entries"
  | "history"
  | "commit"
  | "merge"
  | "transplant"
  | "contents"
  | "content"
  | "diff";

const REF = "([^/]+|[^@]+(?:@|%40)[^@/]*)";

/** Most specific first, as JAX-RS prefers the template with the most literal characters. */
const PATTERNS: ReadonlyArray<{ endpoint: TreeEndpoint; re: RegExp; label: string }> = [
  { endpoint: "commit", re: new RegExp(`^${REF}/history/commit$`), label: "{ref}/history/commit" },
  { endpoint: "merge", re: new RegExp(`^${REF}/history/merge$`), label: "{ref}/history/merge" },
  {
    endpoint: "transplant",
    re: new RegExp(`^${REF}/history/transplant$`),
    label: "{ref}/history/transplant",
  },
  { endpoint: "recent-changes", re: new RegExp(`^${REF}/recent-changes$`), label: "{ref}/recent-changes" },
  { endpoint: "content", re: new RegExp(`^${REF}/contents/([^/]+)$`), label: "{ref}/contents/{key}" },
  { endpoint: "contents", re: new RegExp(`^${REF}/contents$`), label: "{ref}/contents" },
  { endpoint: "entries", re: new RegExp(`^${REF}/entries$`), label: "{ref}/entries" },
  { endpoint: "history", re: new RegExp(`^${REF}/history$`), label: "{ref}/history" },
  { endpoint: "diff", re: new RegExp(`^${REF}/diff/${REF}$`), label: "{from-ref}/diff/{to-ref}" },
  { endpoint: "reference", re: new RegExp(`^${REF}$`), label: "{ref}" },
];

interface TreePath {
  readonly endpoint: TreeEndpoint;
  /** The route pattern, for metrics and logs. */
  readonly label: string;
  /** Decoded path parameters: the ref, then the key or the to-ref. */
  readonly params: readonly string[];
}

/** `rest` is the raw path after `/api/v2/trees/`, without the query string. */
export function matchTreePath(rest: string): TreePath | undefined {
  for (const { endpoint, re, label } of PATTERNS) {
    const m = re.exec(rest);
    if (m) return { endpoint, label: `/api/v2/trees/${label}`, params: m.slice(1).map(decodeSegment) };
  }
  return undefined;
}

function decodeSegment(raw: string): string {
  try {
    return decodeURIComponent(raw);
  } catch {
    throw badRequest(`malformed URL encoding in path element '${printable(raw)}'`);
  }
}
