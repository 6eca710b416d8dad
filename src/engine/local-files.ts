import { createHash, randomUUID } from "node:crypto";
import { mkdir, rename, stat, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { parseLocation } from "../storage/location.ts";
import type { ObjectStore } from "../storage/object-store.ts";

/**
 * Local paths DuckDB can scan for data-file locations, for when DuckDB cannot reach the storage
 * itself (no httpfs): local files are used where they are, others are downloaded through the store
 * into `cacheDir` once and kept. Iceberg never rewrites a data file in place, so a file cached by
 * its location stays valid. At most `concurrency` (default 8) downloads run at a time.
 */
export async function localFiles(
  store: ObjectStore,
  locations: readonly string[],
  cacheDir: string,
  concurrency = 8,
): Promise<string[]> {
  const out: string[] = new Array<string>(locations.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < locations.length) {
      const i = next++;
      out[i] = await localFile(store, locations[i] as string, cacheDir);
    }
  };
  await mkdir(cacheDir, { recursive: true });
  await Promise.all(Array.from({ length: Math.min(concurrency, locations.length) }, worker));
  return out;
}

async function localFile(store: ObjectStore, location: string, cacheDir: string): Promise<string> {
  const loc = parseLocation(location);
  if (loc.kind === "file") return loc.path;
  const name = createHash("sha256").update(location).digest("hex").slice(0, 32);
  const path = join(cacheDir, `${name}.parquet`);
  if (await stat(path).catch(() => undefined)) return path;
  // Written aside and renamed, so a concurrent reader never sees a partial file.
  const tmp = join(cacheDir, `.${name}.${randomUUID()}.tmp`);
  await writeFile(tmp, await store.get(location));
  await rename(tmp, path);
  return path;
}
