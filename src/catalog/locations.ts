import { isFloeError } from "../core/errors.ts";
import { canonicalLocation, keyWithin, parseLocation, parseRoot } from "../storage/location.ts";
import type { CatalogContext } from "./context.ts";
import { locationNotAllowed } from "./errors.ts";

/**
 * Where clients may put tables and views: a location a client chooses (create with `location`,
 * `set-location`, register) must lie under the warehouse or under one of the configured
 * `allowedLocations` prefixes; anything else is a 403 ForbiddenException. This keeps a client from
 * making floe write metadata files, or read "metadata" from, anywhere floe's credentials reach.
 */
export function checkLocation(ctx: CatalogContext, location: string, what: string): void {
  const roots = [ctx.warehouse, ...ctx.allowedLocations];
  for (const root of roots) {
    try {
      keyWithin(parseRoot(root), location, { prefix: true });
      return;
    } catch (e) {
      if (!isFloeError(e, "BAD_REQUEST")) throw e;
    }
  }
  throw locationNotAllowed(what, location, roots);
}

/** The allowed prefixes as configured, canonical and without trailing slashes. */
export function canonicalPrefixes(prefixes: readonly string[]): string[] {
  return prefixes.map((p) => canonicalLocation(p).replace(/\/+$/, ""));
}

/**
 * The location a client asked for in a create request, as it spelled it (`file:/tmp/t` stays
 * `file:/tmp/t`: clients compare it with what they asked for), without trailing slashes; a plain
 * path without a scheme becomes a `file://` URI. Malformed locations are a BAD_REQUEST.
 */
export function requestedLocation(location: string): string {
  parseLocation(location);
  const spelled = /^[a-zA-Z][a-zA-Z0-9+.-]*:/.test(location) ? location : canonicalLocation(location);
  return spelled.replace(/(?<=[^/])\/+$/, "");
}
