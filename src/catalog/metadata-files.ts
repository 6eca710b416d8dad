import { randomUUID } from "node:crypto";
import { gunzipSync } from "node:zlib";
import { FloeError, isFloeError } from "../core/errors.ts";
import { parseJson, stringifyJson } from "../core/json.ts";
import { readTableMetadata, writeTableMetadata } from "../iceberg/metadata-location.ts";
import type { TableMetadata } from "../iceberg/table-metadata.ts";
import { type ViewMetadata, viewMetadataFromJson, viewMetadataToJson } from "../iceberg/view-metadata.ts";
import type { ObjectStoreResolver } from "../storage/open-object-store.ts";
import { Lru } from "../versioning/lru.ts";

/**
 * Table and view metadata files in object storage. A metadata file never changes once written, so
 * what was read is cached by location. New files are written put-if-absent: a name is never reused.
 */
export class MetadataFiles {
  private readonly tables = new Lru<string, TableMetadata>(256);
  private readonly views = new Lru<string, ViewMetadata>(128);

  constructor(private readonly objects: ObjectStoreResolver) {}

  async readTable(location: string): Promise<TableMetadata> {
    const cached = this.tables.get(location);
    if (cached) return cached;
    const m = readTableMetadata(await this.readText(location), location);
    this.tables.set(location, m);
    return m;
  }

  async readView(location: string): Promise<ViewMetadata> {
    const cached = this.views.get(location);
    if (cached) return cached;
    const text = await this.readText(location);
    let json: unknown;
    try {
      json = parseJson(text);
    } catch (e) {
      throw new FloeError("BAD_REQUEST", `Cannot read ${location}: not JSON (${(e as Error).message})`);
    }
    const m = viewMetadataFromJson(json);
    this.views.set(location, m);
    return m;
  }

  /** Writes `m` as a new file at a location `nameFor(uuid)` gives; returns that location. */
  async writeTable(m: TableMetadata, nameFor: (uuid: string) => string): Promise<string> {
    const location = await this.writeNew(writeTableMetadata(m), nameFor);
    this.tables.set(location, m);
    return location;
  }

  async writeView(m: ViewMetadata, nameFor: (uuid: string) => string): Promise<string> {
    const location = await this.writeNew(stringifyJson(viewMetadataToJson(m)), nameFor);
    this.views.set(location, m);
    return location;
  }

  /** Whether an object exists at `location` (a manifest list a new snapshot names, …). */
  async exists(location: string): Promise<boolean> {
    return (await this.objects.storeFor(location).head(location)) !== undefined;
  }

  /** Removes a file this process wrote for a commit that did not happen. */
  async discard(location: string): Promise<void> {
    await this.objects
      .storeFor(location)
      .delete(location)
      .catch(() => undefined);
  }

  private async writeNew(text: string, nameFor: (uuid: string) => string): Promise<string> {
    const bytes = Buffer.from(text, "utf8");
    for (let attempt = 0; attempt < 3; attempt++) {
      const location = nameFor(randomUUID());
      if (await this.objects.storeFor(location).putIfAbsent(location, bytes)) return location;
    }
    throw new FloeError("INTERNAL", "Cannot write a metadata file: three fresh names were all taken");
  }

  private async readText(location: string): Promise<string> {
    let bytes: Uint8Array;
    try {
      bytes = await this.objects.storeFor(location).get(location);
    } catch (e) {
      if (isFloeError(e, "NOT_FOUND"))
        throw new FloeError(
          "NOT_FOUND",
          `Failed to open input stream for file: ${location} (the metadata file does not exist)`,
        );
      throw e;
    }
    // gzip-compressed metadata (`write.metadata.compression-codec=gzip`, `*.gz.metadata.json`)
    const raw = bytes[0] === 0x1f && bytes[1] === 0x8b ? gunzipSync(bytes) : Buffer.from(bytes);
    return raw.toString("utf8");
  }
}
