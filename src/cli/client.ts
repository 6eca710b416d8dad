/**
 * The CLI's one HTTP client: a thin, typed wrapper over floe's Nessie API v2 (the same JSON a
 * Nessie client sends). Errors are `ApiError` (the server answered with an error body) or
 * `ConnectionError` (no server answered).
 */

export type RefType = "BRANCH" | "TAG";

export interface KeyJson {
  readonly elements: readonly string[];
}

export interface ContentJson {
  readonly type: string;
  readonly id?: string;
  readonly [field: string]: unknown;
}

export interface CommitMetaJson {
  readonly hash?: string;
  readonly committer?: string;
  readonly authors?: readonly string[];
  readonly message: string;
  readonly commitTime?: string;
  readonly authorTime?: string;
  readonly properties?: Record<string, string>;
  readonly parentCommitHashes?: readonly string[];
}

export interface ReferenceJson {
  readonly type: RefType | "DETACHED";
  readonly name?: string;
  readonly hash: string;
  readonly metadata?: {
    readonly numCommitsAhead?: number;
    readonly numCommitsBehind?: number;
    readonly commitMetaOfHEAD?: CommitMetaJson;
    readonly commonAncestorHash?: string;
    readonly numTotalCommits?: number;
  };
}

export interface NessieConfigJson {
  readonly defaultBranch: string;
  readonly noAncestorHash?: string;
  readonly actualApiVersion?: number;
  readonly specVersion?: string;
}

export interface OperationJson {
  readonly type: "PUT" | "DELETE" | "UNCHANGED";
  readonly key: KeyJson;
  readonly content?: ContentJson;
}

export interface LogEntryJson {
  readonly commitMeta: CommitMetaJson;
  readonly parentCommitHash?: string;
  readonly operations?: readonly OperationJson[] | null;
}

export interface DiffEntryJson {
  readonly key: KeyJson;
  readonly from?: ContentJson | null;
  readonly to?: ContentJson | null;
}

export interface EntryJson {
  readonly type: string;
  readonly name: KeyJson;
  readonly contentId?: string;
  readonly content?: ContentJson;
}

export interface MergeResponseJson {
  readonly wasApplied?: boolean;
  readonly wasSuccessful?: boolean;
  readonly resultantTargetHash?: string;
  readonly commonAncestor?: string;
  readonly targetBranch?: string;
  readonly effectiveTargetHash?: string;
  readonly expectedHash?: string;
  readonly details?: ReadonlyArray<{
    readonly key: KeyJson;
    readonly mergeBehavior?: string;
    readonly conflict?: { readonly conflictType?: string; readonly message?: string } | null;
  }>;
}

export interface MergeRequest {
  readonly fromRefName: string;
  readonly fromHash: string;
  readonly message?: string;
  readonly dryRun?: boolean;
  readonly keyMergeModes?: ReadonlyArray<{ key: KeyJson; mergeBehavior: "NORMAL" | "FORCE" | "DROP" }>;
}

/** The server answered with an error (Nessie's error body: message, status, errorCode). */
export class ApiError extends Error {
  constructor(
    message: string,
    readonly status: number,
    readonly errorCode: string | undefined,
    readonly body: unknown,
  ) {
    super(message);
    this.name = "ApiError";
  }
}

/** No server answered at `uri`. */
export class ConnectionError extends Error {
  constructor(
    readonly uri: string,
    readonly reason: string,
  ) {
    super(`cannot reach floe at ${uri} (${reason})`);
    this.name = "ConnectionError";
  }
}

/**
 * A ref spec as typed (`name`, `name@hash`, `@hash`, `name~2`, …) for an API path. Nessie wants
 * a '@' after a name containing '/' (`feature/x@`), so one is added where the user left it out.
 */
export function refPath(spec: string, hash?: string): string {
  if (hash !== undefined) return encodeURIComponent(`${spec}@${hash}`);
  const nameEnd = spec.search(/[@~^*]/);
  const name = nameEnd < 0 ? spec : spec.slice(0, nameEnd);
  const withAt =
    name.includes("/") && spec[name.length] !== "@" ? `${name}@${spec.slice(name.length)}` : spec;
  return encodeURIComponent(withAt);
}

/** Parses `a.b.c` into key elements. */
export function parseKey(text: string): string[] {
  const elements = text.split(".");
  if (elements.some((e) => e === "")) throw new Error(`invalid content key '${text}': empty element`);
  return elements;
}

export function keyToString(key: KeyJson | readonly string[]): string {
  return ("elements" in key ? key.elements : key).join(".");
}

/**
 * A content key in a URL path, as Nessie spec 2.2.0 writes it: elements joined by '.'; when an
 * element holds '.', '/', '\' or '%', the string starts with '.' and '*' escapes those
 * characters and itself (`*.`, `*{`, `*}`, `*[`, `**`).
 */
export function keyPath(elements: readonly string[]): string {
  const needsEscaping = elements.some((e) => /[./\\%]/.test(e));
  const path = needsEscaping
    ? `.${elements.map((e) => e.replace(/[.*/\\%]/g, (c) => `*${ESCAPES[c] ?? c}`)).join(".")}`
    : elements.join(".");
  return encodeURIComponent(path);
}

const ESCAPES: Record<string, string> = { ".": ".", "*": "*", "/": "{", "\\": "}", "%": "[" };

export class FloeClient {
  readonly uri: string;

  constructor(uri: string) {
    this.uri = uri.replace(/\/+$/, "");
  }

  config(): Promise<NessieConfigJson> {
    return this.request("GET", "/api/v2/config");
  }

  async listReferences(opts: { withMetadata?: boolean } = {}): Promise<ReferenceJson[]> {
    return this.paged("/api/v2/trees", "references", { fetch: opts.withMetadata ? "ALL" : undefined });
  }

  async getReference(name: string, opts: { withMetadata?: boolean } = {}): Promise<ReferenceJson> {
    const query = opts.withMetadata ? "?fetch=ALL" : "";
    const res = await this.request<{ reference: ReferenceJson }>(
      "GET",
      `/api/v2/trees/${refPath(name)}${query}`,
    );
    return res.reference;
  }

  /**
   * Resolves what a user typed as a ref (`name`, `name@hash`, `@hash`) to a reference object that
   * names a commit, as the create and assign calls take it.
   */
  async resolveRef(spec: string): Promise<ReferenceJson> {
    const at = spec.indexOf("@");
    if (at < 0) return this.getReference(spec);
    const name = spec.slice(0, at);
    const hash = spec.slice(at + 1);
    if (name === "") return { type: "DETACHED", hash };
    const ref = await this.getReference(name);
    return { type: ref.type, name: ref.name ?? name, hash };
  }

  async createReference(name: string, type: RefType, source: ReferenceJson): Promise<ReferenceJson> {
    const query = new URLSearchParams({ name, type });
    const res = await this.request<{ reference: ReferenceJson }>("POST", `/api/v2/trees?${query}`, source);
    return res.reference;
  }

  async assignReference(
    name: string,
    type: RefType,
    expectedHash: string,
    target: ReferenceJson,
  ): Promise<ReferenceJson> {
    const res = await this.request<{ reference: ReferenceJson }>(
      "PUT",
      `/api/v2/trees/${refPath(name, expectedHash)}?type=${type}`,
      target,
    );
    return res.reference;
  }

  async deleteReference(name: string, type: RefType, expectedHash: string): Promise<ReferenceJson> {
    const res = await this.request<{ reference: ReferenceJson }>(
      "DELETE",
      `/api/v2/trees/${refPath(name, expectedHash)}?type=${type}`,
    );
    return res.reference;
  }

  /** Newest first; at most `limit` entries (all when undefined). */
  log(ref: string, opts: { limit?: number; withOperations?: boolean } = {}): Promise<LogEntryJson[]> {
    return this.paged(
      `/api/v2/trees/${refPath(ref)}/history`,
      "logEntries",
      { fetch: opts.withOperations ? "ALL" : undefined },
      opts.limit,
    );
  }

  diff(from: string, to: string): Promise<DiffEntryJson[]> {
    return this.paged(`/api/v2/trees/${refPath(from)}/diff/${refPath(to)}`, "diffs", {});
  }

  entries(ref: string): Promise<EntryJson[]> {
    return this.paged(`/api/v2/trees/${refPath(ref)}/entries`, "entries", {});
  }

  async content(ref: string, key: readonly string[]): Promise<ContentJson> {
    const res = await this.request<{ content: ContentJson }>(
      "GET",
      `/api/v2/trees/${refPath(ref)}/contents/${keyPath(key)}`,
    );
    return res.content;
  }

  /** Commits `operations` (Nessie API v2 operation objects) onto `branch` at `expectedHash`. */
  commit(
    branch: string,
    expectedHash: string,
    message: string,
    operations: readonly unknown[],
  ): Promise<{ targetBranch: ReferenceJson }> {
    return this.request("POST", `/api/v2/trees/${refPath(branch, expectedHash)}/history/commit`, {
      commitMeta: { message },
      operations,
    });
  }

  merge(branch: string, expectedHash: string, req: MergeRequest): Promise<MergeResponseJson> {
    const { message, ...rest } = req;
    return this.request("POST", `/api/v2/trees/${refPath(branch, expectedHash)}/history/merge`, {
      ...rest,
      ...(message !== undefined ? { commitMeta: { message } } : {}),
      returnConflictAsResult: true,
    });
  }

  private async paged<T>(
    path: string,
    field: string,
    query: Record<string, string | undefined>,
    limit?: number,
  ): Promise<T[]> {
    const items: T[] = [];
    let token: string | undefined;
    do {
      const params = new URLSearchParams();
      for (const [k, v] of Object.entries(query)) if (v !== undefined) params.set(k, v);
      if (limit !== undefined) params.set("max-records", String(Math.min(limit - items.length, 1000)));
      if (token !== undefined) params.set("page-token", token);
      const qs = params.toString();
      const page = await this.request<Record<string, unknown>>("GET", qs ? `${path}?${qs}` : path);
      items.push(...((page[field] as T[] | undefined) ?? []));
      token = page.hasMore && typeof page.token === "string" ? page.token : undefined;
    } while (token !== undefined && (limit === undefined || items.length < limit));
    return limit === undefined ? items : items.slice(0, limit);
  }

  private async request<T>(method: string, path: string, body?: unknown): Promise<T> {
    let res: Response;
    try {
      res = await fetch(this.uri + path, {
        method,
        headers: {
          accept: "application/json",
          "nessie-client-spec": "2",
          ...(body !== undefined ? { "content-type": "application/json" } : {}),
        },
        ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
      });
    } catch (e) {
      throw new ConnectionError(this.uri, connectionReason(e));
    }
    const text = await res.text();
    let json: unknown;
    try {
      json = text === "" ? undefined : JSON.parse(text);
    } catch {
      json = undefined;
    }
    if (!res.ok) {
      const err = (json ?? {}) as { message?: unknown; errorCode?: unknown };
      const message =
        typeof err.message === "string" && err.message !== ""
          ? err.message
          : `HTTP ${res.status} ${res.statusText}`.trim();
      throw new ApiError(
        message,
        res.status,
        typeof err.errorCode === "string" ? err.errorCode : undefined,
        json,
      );
    }
    if (json === undefined && text !== "") {
      throw new ApiError(`the server at ${this.uri} did not answer with JSON`, res.status, undefined, text);
    }
    return json as T;
  }
}

function connectionReason(e: unknown): string {
  const cause = (e as { cause?: { code?: string; message?: string } }).cause;
  switch (cause?.code) {
    case "ECONNREFUSED":
      return "connection refused";
    case "ENOTFOUND":
      return "host not found";
    case "ECONNRESET":
      return "connection reset";
    case "ETIMEDOUT":
    case "UND_ERR_CONNECT_TIMEOUT":
      return "connection timed out";
    default:
      return cause?.message ?? (e as Error).message;
  }
}
