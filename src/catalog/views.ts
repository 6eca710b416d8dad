import { nextMetadataLocation } from "../iceberg/metadata-location.ts";
import type { Schema } from "../iceberg/schema.ts";
import {
  applyViewUpdates,
  checkViewRequirements,
  type ViewRequirement,
  type ViewUpdate,
} from "../iceberg/view-updates.ts";
import type { ViewMetadata, ViewVersion } from "../iceberg/view-metadata.ts";
import { checkLocation, requestedLocation } from "./locations.ts";
import type { ContentKey } from "../versioning/model.ts";
import { type CatalogContext, type CommitMetaFor, contentAt, readHash, writeOnBranch } from "./context.ts";
import { alreadyExists, dotted } from "./errors.ts";
import { requireNamespace } from "./namespaces.ts";
import { defaultLocation, viewContent } from "./table-content.ts";
import { checkIdentifier, requireContent } from "./tables.ts";

/** Iceberg views: ICEBERG_VIEW contents pointing at view metadata files, changed like tables. */
export interface LoadedView {
  readonly metadataLocation: string;
  readonly metadata: ViewMetadata;
}

export interface CreateView {
  readonly location?: string;
  readonly schema: Schema;
  readonly viewVersion: ViewVersion;
  readonly properties: Readonly<Record<string, string>>;
}

export async function loadView(ctx: CatalogContext, ref: string, key: ContentKey): Promise<LoadedView> {
  checkIdentifier(key);
  const c = await requireContent(ctx, await readHash(ctx, ref), key, "ICEBERG_VIEW");
  const metadataLocation = c.metadataLocation as string;
  return { metadataLocation, metadata: await ctx.files.readView(metadataLocation) };
}

export async function createView(
  ctx: CatalogContext,
  ref: string,
  key: ContentKey,
  request: CreateView,
  meta: CommitMetaFor,
): Promise<LoadedView> {
  checkIdentifier(key);
  const location =
    request.location !== undefined && request.location !== ""
      ? requestedLocation(request.location)
      : defaultLocation(ctx.warehouse, key);
  checkLocation(ctx, location, "View");
  const metadata = applyViewUpdates(undefined, [
    { action: "set-location", location },
    { action: "add-schema", schema: request.schema },
    { action: "set-properties", updates: request.properties },
    { action: "add-view-version", viewVersion: { ...request.viewVersion, schemaId: -1 } },
    { action: "set-current-view-version", viewVersionId: -1 },
  ]);
  return writeOnBranch(ctx, ref, meta(`Create view ${dotted(key)}`), async (head) => {
    await requireNamespace(ctx, head, key.slice(0, -1));
    const existing = await contentAt(ctx, head, key);
    if (existing)
      throw alreadyExists(existing.type === "ICEBERG_TABLE" ? "Table with same name" : "View", key);
    const metadataLocation = await ctx.files.writeView(metadata, (uuid) =>
      nextMetadataLocation(metadata, undefined, uuid),
    );
    return {
      operations: [{ type: "PUT", key, content: viewContent(metadata, metadataLocation) }],
      result: { metadataLocation, metadata },
      written: [metadataLocation],
    };
  });
}

/** Replaces a view (REST `POST …/views/{view}`): the view's requirements and updates, one commit. */
export async function replaceView(
  ctx: CatalogContext,
  ref: string,
  key: ContentKey,
  requirements: readonly ViewRequirement[],
  updates: readonly ViewUpdate[],
  meta: CommitMetaFor,
): Promise<LoadedView> {
  checkIdentifier(key);
  for (const u of updates) if (u.action === "set-location") checkLocation(ctx, u.location, "View");
  return writeOnBranch(ctx, ref, meta(`Replace view ${dotted(key)}`), async (head) => {
    const c = await requireContent(ctx, head, key, "ICEBERG_VIEW");
    const previous = c.metadataLocation as string;
    const base = await ctx.files.readView(previous);
    checkViewRequirements(base, requirements);
    const next = applyViewUpdates(base, updates);
    const metadataLocation = await ctx.files.writeView(next, (uuid) =>
      nextMetadataLocation(next, previous, uuid),
    );
    return {
      operations: [{ type: "PUT", key, content: viewContent(next, metadataLocation, c.id) }],
      result: { metadataLocation, metadata: next },
      written: [metadataLocation],
    };
  });
}

/** Points `key` at an existing view metadata file (REST `register-view`). */
export async function registerView(
  ctx: CatalogContext,
  ref: string,
  key: ContentKey,
  metadataLocation: string,
  meta: CommitMetaFor,
): Promise<LoadedView> {
  checkIdentifier(key);
  checkLocation(ctx, metadataLocation, "Metadata file");
  const metadata = await ctx.files.readView(metadataLocation);
  checkLocation(ctx, metadata.location, "View");
  return writeOnBranch(ctx, ref, meta(`Register view ${dotted(key)}`), async (head) => {
    await requireNamespace(ctx, head, key.slice(0, -1));
    const existing = await contentAt(ctx, head, key);
    if (existing)
      throw alreadyExists(existing.type === "ICEBERG_TABLE" ? "Table with same name" : "View", key);
    return {
      operations: [{ type: "PUT", key, content: viewContent(metadata, metadataLocation) }],
      result: { metadataLocation, metadata },
    };
  });
}
