import { canonicalLocation } from "../storage/location.ts";
import { type ObjectStoreResolver } from "../storage/open-object-store.ts";
import type { VersionStoreApi } from "../versioning/api.ts";
import type { CatalogContext } from "./context.ts";
import { canonicalPrefixes } from "./locations.ts";
import { MetadataFiles } from "./metadata-files.ts";

/** The catalog over a version store, a warehouse and the object stores that hold metadata files. */
export function openCatalog(deps: {
  store: VersionStoreApi;
  objects: ObjectStoreResolver;
  warehouse: string;
  allowedLocations?: readonly string[];
}): CatalogContext {
  return {
    store: deps.store,
    files: new MetadataFiles(deps.objects),
    warehouse: canonicalLocation(deps.warehouse).replace(/\/+$/, ""),
    allowedLocations: canonicalPrefixes(deps.allowedLocations ?? []),
  };
}
