import { FloeError, type ErrorKind } from "../core/errors.ts";

/**
 * The catalog's errors: `FloeError`s (so the server maps their kind to a status once) tagged with
 * the exception type an Iceberg REST client maps them to (`NoSuchTableException`, …). The Nessie
 * API shows only the kind; `/iceberg` routes put the tag in the error body's `type`.
 */
const icebergTypes = new WeakMap<FloeError, string>();

function typed(kind: ErrorKind, type: string, message: string): FloeError {
  const err = new FloeError(kind, message);
  icebergTypes.set(err, type);
  return err;
}

/** The Iceberg exception type a catalog error was raised as, if any. */
export function icebergTypeOf(err: FloeError): string | undefined {
  return icebergTypes.get(err);
}

export const dotted = (elements: readonly string[]): string => elements.join(".");

export const noSuchNamespace = (ns: readonly string[]): FloeError =>
  typed("NOT_FOUND", "NoSuchNamespaceException", `Namespace does not exist: ${dotted(ns)}`);

export const noSuchTable = (key: readonly string[]): FloeError =>
  typed("NOT_FOUND", "NoSuchTableException", `Table does not exist: ${dotted(key)}`);

export const noSuchView = (key: readonly string[]): FloeError =>
  typed("NOT_FOUND", "NoSuchViewException", `View does not exist: ${dotted(key)}`);

export const alreadyExists = (what: string, key: readonly string[]): FloeError =>
  typed("REFERENCE_ALREADY_EXISTS", "AlreadyExistsException", `${what} already exists: ${dotted(key)}`);

/**
 * Tags a BAD_REQUEST as `IllegalArgumentException`, the type Iceberg's reference catalog gives
 * invalid metadata (a view version with two queries for one dialect, …): Java clients then throw an
 * `IllegalArgumentException` as with their own catalogs instead of a `BadRequestException`.
 */
export function asIllegalArgument<T>(parse: () => T): T {
  try {
    return parse();
  } catch (e) {
    if (e instanceof FloeError && e.kind === "BAD_REQUEST") icebergTypes.set(e, "IllegalArgumentException");
    throw e;
  }
}

/** A rename whose target is taken (worded as Iceberg's catalogs word it, which clients match on). */
export const renameTargetExists = (from: readonly string[], to: readonly string[], what: string): FloeError =>
  typed(
    "REFERENCE_ALREADY_EXISTS",
    "AlreadyExistsException",
    `Cannot rename ${dotted(from)} to ${dotted(to)}. ${what} already exists`,
  );

export const namespaceNotEmpty = (ns: readonly string[], child: readonly string[]): FloeError =>
  typed(
    "REFERENCE_CONFLICT",
    "NamespaceNotEmptyException",
    `Namespace ${dotted(ns)} is not empty: it holds ${dotted(child)}`,
  );

/** A commit that cleanly failed (a requirement or a concurrent change): the client may retry. */
export const commitFailed = (message: string): FloeError =>
  typed("COMMIT_CONFLICT", "CommitFailedException", message);

export const locationNotAllowed = (what: string, location: string, roots: readonly string[]): FloeError =>
  typed(
    "FORBIDDEN",
    "ForbiddenException",
    `${what} location '${location}' is not allowed: locations must be under ${roots.map((r) => `'${r}'`).join(" or ")} (further prefixes: setting allowedLocations)`,
  );

export const readOnlyRef = (ref: string): FloeError =>
  typed(
    "FORBIDDEN",
    "ForbiddenException",
    `Reference '${ref}' is read-only here: only a branch name (no tag, no @hash) can be written`,
  );
