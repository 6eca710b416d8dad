import { badRequest } from "../core/errors.ts";
import { newTableMetadata, type NewTable } from "../iceberg/create-table.ts";
import { nextMetadataLocation } from "../iceberg/metadata-location.ts";
import type { TableMetadata } from "../iceberg/table-metadata.ts";
import { checkLocation, requestedLocation } from "./locations.ts";
import type { Content, ContentKey, ContentType } from "../versioning/model.ts";
import {
  type CatalogContext,
  type CommitMetaFor,
  contentAt,
  entriesUnder,
  readHash,
  writeOnBranch,
} from "./context.ts";
import { alreadyExists, dotted, noSuchTable, noSuchView, renameTargetExists } from "./errors.ts";
import { checkNamespace, requireNamespace } from "./namespaces.ts";
import { type CatalogPage, pageOf } from "./paging.ts";
import { defaultLocation, tableContent } from "./table-content.ts";

/** Tables (and, sharing the listing and renaming, views) of a namespace on a ref. */
export interface LoadedTable {
  /** Absent for a staged create: nothing is written until the create transaction commits. */
  readonly metadataLocation?: string;
  readonly metadata: TableMetadata;
}

const NOT_FOUND = { ICEBERG_TABLE: noSuchTable, ICEBERG_VIEW: noSuchView } as const;
type CatalogType = keyof typeof NOT_FOUND;
const WHAT: Record<CatalogType, string> = { ICEBERG_TABLE: "Table", ICEBERG_VIEW: "View" };

export function checkIdentifier(key: ContentKey): ContentKey {
  checkNamespace(key.slice(0, -1));
  const name = key[key.length - 1] ?? "";
  if (name === "" || name.includes("\u0000")) throw badRequest(`Invalid name '${name}' in ${dotted(key)}`);
  return key;
}

/** The direct children of `ns` of one content type, paged by name. */
export async function listContents(
  ctx: CatalogContext,
  ref: string,
  ns: readonly string[],
  type: ContentType,
  page: { pageToken?: string; pageSize?: number },
): Promise<CatalogPage<ContentKey>> {
  checkNamespace(ns);
  const hash = await readHash(ctx, ref);
  await requireNamespace(ctx, hash, ns);
  const keys = (await entriesUnder(ctx, hash, ns))
    .filter((e) => e.content.type === type && e.key.length === ns.length + 1)
    .map((e) => e.key);
  return pageOf(keys, (k) => k[k.length - 1] as string, page.pageToken, page.pageSize);
}

/** The content of a table or view, or the type's NoSuch…Exception. */
export async function requireContent(
  ctx: CatalogContext,
  hash: string,
  key: ContentKey,
  type: CatalogType,
): Promise<Content> {
  const c = await contentAt(ctx, hash, key);
  if (!c || c.type !== type) throw NOT_FOUND[type](key);
  return c;
}

export async function loadTable(
  ctx: CatalogContext,
  ref: string,
  key: ContentKey,
): Promise<Required<LoadedTable>> {
  checkIdentifier(key);
  const c = await requireContent(ctx, await readHash(ctx, ref), key, "ICEBERG_TABLE");
  const metadataLocation = c.metadataLocation as string;
  return { metadataLocation, metadata: await ctx.files.readTable(metadataLocation) };
}

/** A create request; the location defaults to a fresh folder under the warehouse. */
export type CreateTable = Omit<NewTable, "location" | "nowMs"> & { readonly location?: string };

export async function createTable(
  ctx: CatalogContext,
  ref: string,
  key: ContentKey,
  request: CreateTable,
  opts: { stage: boolean; meta: CommitMetaFor },
): Promise<LoadedTable> {
  checkIdentifier(key);
  const location =
    request.location !== undefined && request.location !== ""
      ? requestedLocation(request.location)
      : defaultLocation(ctx.warehouse, key);
  checkLocation(ctx, location, "Table");
  const metadata = newTableMetadata({ ...request, location });
  const check = async (hash: string) => {
    await requireNamespace(ctx, hash, key.slice(0, -1));
    const existing = await contentAt(ctx, hash, key);
    if (existing)
      throw alreadyExists(existing.type === "ICEBERG_VIEW" ? "View with same name" : "Table", key);
  };
  if (opts.stage) {
    await check(await readHash(ctx, ref));
    return { metadata };
  }
  return writeOnBranch(ctx, ref, opts.meta(`Create table ${dotted(key)}`), async (head) => {
    await check(head);
    const metadataLocation = await ctx.files.writeTable(metadata, (uuid) =>
      nextMetadataLocation(metadata, undefined, uuid),
    );
    return {
      operations: [{ type: "PUT", key, content: tableContent(metadata, metadataLocation) }],
      result: { metadataLocation, metadata },
      written: [metadataLocation],
    };
  });
}

/** Points `key` at an existing metadata file (`overwrite` replaces a table already there). */
export async function registerTable(
  ctx: CatalogContext,
  ref: string,
  key: ContentKey,
  metadataLocation: string,
  opts: { overwrite: boolean; meta: CommitMetaFor },
): Promise<Required<LoadedTable>> {
  checkIdentifier(key);
  checkLocation(ctx, metadataLocation, "Metadata file");
  const metadata = await ctx.files.readTable(metadataLocation);
  checkLocation(ctx, metadata.location, "Table");
  return writeOnBranch(ctx, ref, opts.meta(`Register table ${dotted(key)}`), async (head) => {
    await requireNamespace(ctx, head, key.slice(0, -1));
    const existing = await contentAt(ctx, head, key);
    if (existing && !(opts.overwrite && existing.type === "ICEBERG_TABLE"))
      throw alreadyExists(existing.type === "ICEBERG_VIEW" ? "View with same name" : "Table", key);
    return {
      operations: [{ type: "PUT", key, content: tableContent(metadata, metadataLocation, existing?.id) }],
      result: { metadataLocation, metadata },
    };
  });
}

/**
 * Drops a table or view from the ref. Its files stay: other branches, tags and older commits may
 * still reference them (`purgeRequested` cannot be honoured safely on a versioned catalog).
 */
export async function dropContent(
  ctx: CatalogContext,
  ref: string,
  key: ContentKey,
  type: CatalogType,
  meta: CommitMetaFor,
): Promise<void> {
  checkIdentifier(key);
  await writeOnBranch(ctx, ref, meta(`Drop ${WHAT[type].toLowerCase()} ${dotted(key)}`), async (head) => {
    await requireContent(ctx, head, key, type);
    return { operations: [{ type: "DELETE", key }], result: undefined };
  });
}

/** Renames a table or view in one commit (DELETE + PUT of the same content id). */
export async function renameContent(
  ctx: CatalogContext,
  ref: string,
  from: ContentKey,
  to: ContentKey,
  type: CatalogType,
  meta: CommitMetaFor,
): Promise<void> {
  checkIdentifier(from);
  checkIdentifier(to);
  const message = `Rename ${WHAT[type].toLowerCase()} ${dotted(from)} to ${dotted(to)}`;
  await writeOnBranch(ctx, ref, meta(message), async (head) => {
    const c = await requireContent(ctx, head, from, type);
    await requireNamespace(ctx, head, to.slice(0, -1));
    const existing = await contentAt(ctx, head, to);
    if (existing) {
      const what = existing.type === type ? WHAT[type] : existing.type === "ICEBERG_VIEW" ? "View" : "Table";
      throw renameTargetExists(from, to, what);
    }
    return {
      operations: [
        { type: "DELETE", key: from },
        { type: "PUT", key: to, content: c },
      ],
      result: undefined,
    };
  });
}
