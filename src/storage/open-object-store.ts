import { LocalObjectStore } from "./local-object-store.ts";
import { parseLocation, parseRoot } from "./location.ts";
import type { ObjectStore } from "./object-store.ts";
import { S3ObjectStore, type S3Settings } from "./s3-object-store.ts";

export interface ObjectStoreSettings {
  /** Used for every `s3://` (`s3a://`, `s3n://`) location. */
  readonly s3?: S3Settings;
}

/** The store for a root location: a local directory (path or `file:` URI) or an S3 bucket/prefix. */
export function openObjectStore(root: string, settings: ObjectStoreSettings = {}): ObjectStore {
  return parseRoot(root).kind === "file" ? new LocalObjectStore(root) : new S3ObjectStore(root, settings.s3);
}

/**
 * Stores for any location Iceberg metadata may name, not only those under the warehouse (a table's
 * location can be anywhere): one store for the local file system and one per S3 bucket, opened on
 * first use and shared.
 */
export class ObjectStoreResolver {
  private readonly stores = new Map<string, ObjectStore>();

  constructor(private readonly settings: ObjectStoreSettings = {}) {}

  /** The S3 settings the stores use (also what DuckDB's httpfs is given). */
  get s3Settings(): S3Settings | undefined {
    return this.settings.s3;
  }

  /** The store that holds `location`; pass `location` itself to its methods. */
  storeFor(location: string): ObjectStore {
    const loc = parseLocation(location);
    const root = loc.kind === "file" ? "file:///" : `s3://${loc.bucket}`;
    let store = this.stores.get(root);
    if (!store) {
      store = openObjectStore(root, this.settings);
      this.stores.set(root, store);
    }
    return store;
  }

  async close(): Promise<void> {
    const stores = [...this.stores.values()];
    this.stores.clear();
    await Promise.all(stores.map((s) => s.close()));
  }
}
