import { STATUS_CODES } from "node:http";
import { FloeError, type ErrorKind } from "../core/errors.ts";
import { icebergTypeOf } from "../catalog/errors.ts";
import { keyJson, nessieConflictType } from "./mappers.ts";

/**
 * The one place where errors become HTTP responses, in Nessie's `NessieError` shape:
 * `{status, reason, message, errorCode, serverStackTrace, errorDetails?}`. Nessie clients pick the
 * exception class from `errorCode` (unknown codes parse as UNKNOWN and fall back to the status).
 */

const STATUS: Readonly<Record<ErrorKind, number>> = {
  BAD_REQUEST: 400,
  NOT_FOUND: 404,
  REFERENCE_NOT_FOUND: 404,
  CONTENT_NOT_FOUND: 404,
  FORBIDDEN: 403,
  REFERENCE_ALREADY_EXISTS: 409,
  REFERENCE_CONFLICT: 409,
  COMMIT_CONFLICT: 409,
  PAYLOAD_TOO_LARGE: 413,
  UNSUPPORTED_MEDIA_TYPE: 415,
  TOO_MANY_REQUESTS: 429,
  TIMEOUT: 408,
  SERVICE_UNAVAILABLE: 503,
  INTERNAL: 500,
};

/** Nessie's ErrorCode for a kind; kinds Nessie has no code for keep their own name. */
const ERROR_CODE: Readonly<Partial<Record<ErrorKind, string>>> = { INTERNAL: "UNKNOWN" };

interface NessieErrorBody {
  status: number;
  reason: string;
  message: string;
  errorCode: string;
  serverStackTrace: null;
  errorDetails?: Record<string, unknown>;
}

/** Extra `errorDetails` for an error, e.g. the content key of a CONTENT_NOT_FOUND. */
const details = new WeakMap<FloeError, Record<string, unknown>>();

export function contentNotFound(key: readonly string[], ref: string): FloeError {
  const err = new FloeError(
    "CONTENT_NOT_FOUND",
    `Could not find content for key '${key.join(".")}' in reference '${ref}'.`,
  );
  details.set(err, { type: "CONTENT_KEY", contentKey: keyJson(key) });
  return err;
}

/** Any thrown value as a FloeError: Fastify's own errors by their status, everything else INTERNAL. */
export function toFloeError(e: unknown): FloeError {
  if (e instanceof FloeError) return e;
  const status = (e as { statusCode?: unknown } | null)?.statusCode;
  const message = e instanceof Error ? e.message : String(e);
  switch (status) {
    case 400:
      return new FloeError("BAD_REQUEST", message);
    case 404:
      return new FloeError("NOT_FOUND", message);
    case 413:
      return new FloeError("PAYLOAD_TOO_LARGE", message);
    case 415:
      return new FloeError("UNSUPPORTED_MEDIA_TYPE", message);
    case 408:
      return new FloeError("TIMEOUT", message);
    case 429:
      return new FloeError("TOO_MANY_REQUESTS", message);
    case 503:
      return new FloeError("SERVICE_UNAVAILABLE", message);
    default:
      return new FloeError("INTERNAL", message);
  }
}

export function statusOf(err: FloeError): number {
  return STATUS[err.kind];
}

/**
 * The error body. `errorDetails` only go to clients that announce `Nessie-Client-Spec` >= 2, as
 * Nessie does: older clients fail on the unknown property.
 */
export function nessieErrorBody(err: FloeError, clientSpec: string | string[] | undefined): NessieErrorBody {
  const status = statusOf(err);
  const body: NessieErrorBody = {
    status,
    reason: STATUS_CODES[status] ?? "Unknown",
    message: err.message,
    errorCode: ERROR_CODE[err.kind] ?? err.kind,
    serverStackTrace: null,
  };
  if (clientSpecAtLeast2(clientSpec)) {
    const extra = errorDetails(err);
    if (extra) body.errorDetails = extra;
  }
  return body;
}

function errorDetails(err: FloeError): Record<string, unknown> | undefined {
  if (err.kind === "REFERENCE_CONFLICT" && err.conflicts.length > 0) {
    return {
      type: "REFERENCE_CONFLICTS",
      conflicts: err.conflicts.map((c) => ({
        conflictType: nessieConflictType(c.conflictType),
        ...(c.key ? { key: keyJson(c.key) } : {}),
        message: c.message,
      })),
    };
  }
  return details.get(err);
}

function clientSpecAtLeast2(header: string | string[] | undefined): boolean {
  const value = Array.isArray(header) ? header[0] : header;
  if (value === undefined) return false;
  const major = value.trim().split(".")[0] ?? "";
  return /^\d{1,9}$/.test(major) && Number(major) >= 2;
}

/** The Iceberg REST exception type of each kind, unless the catalog raised a more precise one. */
const ICEBERG_TYPE: Readonly<Record<ErrorKind, string>> = {
  BAD_REQUEST: "BadRequestException",
  NOT_FOUND: "NotFoundException",
  REFERENCE_NOT_FOUND: "NotFoundException",
  CONTENT_NOT_FOUND: "NotFoundException",
  FORBIDDEN: "ForbiddenException",
  REFERENCE_ALREADY_EXISTS: "AlreadyExistsException",
  REFERENCE_CONFLICT: "CommitFailedException",
  COMMIT_CONFLICT: "CommitFailedException",
  PAYLOAD_TOO_LARGE: "BadRequestException",
  UNSUPPORTED_MEDIA_TYPE: "BadRequestException",
  TOO_MANY_REQUESTS: "ServiceUnavailableException",
  TIMEOUT: "ServiceUnavailableException",
  SERVICE_UNAVAILABLE: "ServiceUnavailableException",
  INTERNAL: "ServiceFailureException",
};

/** The error body of the Iceberg REST API (`/iceberg/…`): `{"error": {message, type, code}}`. */
export function icebergErrorBody(err: FloeError): { error: { message: string; type: string; code: number } } {
  return {
    error: { message: err.message, type: icebergTypeOf(err) ?? ICEBERG_TYPE[err.kind], code: statusOf(err) },
  };
}
