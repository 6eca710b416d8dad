/**
 * The one error type of floe. Every layer throws `FloeError` with a `kind`; the server maps
 * kinds to HTTP statuses and to Nessie's / Iceberg's error bodies in one place
 * (`src/server/error-map.ts`). Anything else that escapes is a bug and becomes a 500.
 */
export type ErrorKind =
  | "BAD_REQUEST"
  | "NOT_FOUND"
  | "REFERENCE_NOT_FOUND"
  | "REFERENCE_ALREADY_EXISTS"
  | "REFERENCE_CONFLICT"
  /** An Iceberg commit requirement (`assert-ref-snapshot-id`, …) does not hold: the client retries. */
  | "COMMIT_CONFLICT"
  | "CONTENT_NOT_FOUND"
  /** A write the target does not allow, e.g. an Iceberg REST write to a tag or a detached hash. */
  | "FORBIDDEN"
  | "PAYLOAD_TOO_LARGE"
  | "UNSUPPORTED_MEDIA_TYPE"
  | "TOO_MANY_REQUESTS"
  /** A statement ran out of its time limit (`POST /api/v1/sql`'s timeout). */
  | "TIMEOUT"
  | "SERVICE_UNAVAILABLE"
  | "INTERNAL";

/** Nessie's per-key conflict types (`org.projectnessie.error.Conflict.ConflictType`). */
export type ConflictType =
  | "UNKNOWN"
  | "KEY_EXISTS"
  | "KEY_DOES_NOT_EXIST"
  | "PAYLOAD_DIFFERS"
  | "CONTENT_ID_DIFFERS"
  | "VALUE_DIFFERS"
  | "NAMESPACE_ABSENT"
  | "NAMESPACE_NOT_EMPTY"
  | "NAMESPACE_NOT_NAMESPACE"
  | "UNEXPECTED_HASH";

export interface Conflict {
  conflictType: ConflictType;
  key?: readonly string[];
  message: string;
}

export class FloeError extends Error {
  readonly kind: ErrorKind;
  readonly retryable: boolean;
  readonly conflicts: readonly Conflict[];

  constructor(kind: ErrorKind, message: string, opts: { retryable?: boolean; conflicts?: Conflict[] } = {}) {
    super(message);
    this.name = "FloeError";
    this.kind = kind;
    this.retryable = opts.retryable ?? false;
    this.conflicts = opts.conflicts ?? [];
  }
}

export const badRequest = (message: string): FloeError => new FloeError("BAD_REQUEST", message);

export function isFloeError(e: unknown, kind?: ErrorKind): e is FloeError {
  return e instanceof FloeError && (kind === undefined || e.kind === kind);
}
