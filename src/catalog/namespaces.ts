import { badRequest } from "../core/errors.ts";
import type { Content, ContentKey } from "../versioning/model.ts";
import {
  type CatalogContext,
  contentAt,
  entriesUnder,
  readHash,
  writeOnBranch,
  type CommitMetaFor,
} from "./context.ts";
import { alreadyExists, dotted, namespaceNotEmpty, noSuchNamespace } from "./errors.ts";
import { type CatalogPage, pageOf } from "./paging.ts";

/** Namespaces are NAMESPACE contents of the version store: `{elements, properties}`. */
export interface NamespaceInfo {
  readonly namespace: readonly string[];
  readonly properties: Readonly<Record<string, string>>;
}

export function checkNamespace(ns: readonly string[]): readonly string[] {
  if (ns.length === 0 || ns.some((e) => e === "" || e.includes("\u0000")))
    throw badRequest(`Invalid namespace '${dotted(ns)}': it needs one or more non-empty levels`);
  return ns;
}

function propertiesOf(c: Content): Record<string, string> {
  const props = c.properties;
  if (props === null || typeof props !== "object" || Array.isArray(props)) return {};
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(props)) if (typeof v === "string") out[k] = v;
  return out;
}

/** The namespace at `ns`, or NoSuchNamespaceException. */
export async function requireNamespace(ctx: CatalogContext, hash: string, ns: ContentKey): Promise<Content> {
  const c = await contentAt(ctx, hash, ns);
  if (!c || c.type !== "NAMESPACE") throw noSuchNamespace(ns);
  return c;
}

export async function listNamespaces(
  ctx: CatalogContext,
  ref: string,
  parent: readonly string[],
  page: { pageToken?: string; pageSize?: number },
): Promise<CatalogPage<readonly string[]>> {
  const hash = await readHash(ctx, ref);
  if (parent.length > 0) await requireNamespace(ctx, hash, parent);
  const children = (await entriesUnder(ctx, hash, parent))
    .filter((e) => e.content.type === "NAMESPACE" && e.key.length === parent.length + 1)
    .map((e) => e.key);
  return pageOf(children, (k) => k.join("\u0000"), page.pageToken, page.pageSize);
}

export async function loadNamespace(
  ctx: CatalogContext,
  ref: string,
  ns: readonly string[],
): Promise<NamespaceInfo> {
  checkNamespace(ns);
  const c = await requireNamespace(ctx, await readHash(ctx, ref), ns);
  return { namespace: ns, properties: withLocation(ctx, ns, propertiesOf(c)) };
}

/**
 * A namespace's `location` defaults to the folder its new tables go to, `<warehouse>/<ns…>`
 * (shown, not stored). Trino's REST catalog needs it: without one it creates a table eagerly and
 * then refuses the location as non-empty because of the metadata file just written.
 */
function withLocation(
  ctx: CatalogContext,
  ns: readonly string[],
  properties: Record<string, string>,
): Record<string, string> {
  if (properties.location !== undefined) return properties;
  const path = ns.map((e) => encodeURIComponent(e)).join("/");
  return { ...properties, location: `${ctx.warehouse}/${path}` };
}

export async function createNamespace(
  ctx: CatalogContext,
  ref: string,
  ns: readonly string[],
  properties: Readonly<Record<string, string>>,
  meta: CommitMetaFor,
): Promise<NamespaceInfo> {
  checkNamespace(ns);
  return writeOnBranch(ctx, ref, meta(`Create namespace ${dotted(ns)}`), async (head) => {
    if (await contentAt(ctx, head, ns)) throw alreadyExists("Namespace", ns);
    if (ns.length > 1) await requireNamespace(ctx, head, ns.slice(0, -1));
    return {
      operations: [{ type: "PUT", key: ns, content: { type: "NAMESPACE", elements: [...ns], properties } }],
      result: { namespace: ns, properties },
    };
  });
}

export async function dropNamespace(
  ctx: CatalogContext,
  ref: string,
  ns: readonly string[],
  meta: CommitMetaFor,
): Promise<void> {
  checkNamespace(ns);
  await writeOnBranch(ctx, ref, meta(`Drop namespace ${dotted(ns)}`), async (head) => {
    await requireNamespace(ctx, head, ns);
    const child = (await entriesUnder(ctx, head, ns)).find((e) => e.key.length > ns.length);
    if (child) throw namespaceNotEmpty(ns, child.key);
    return { operations: [{ type: "DELETE", key: ns }], result: undefined };
  });
}

export interface PropertiesUpdate {
  readonly updated: string[];
  readonly removed: string[];
  readonly missing: string[];
}

export async function updateNamespaceProperties(
  ctx: CatalogContext,
  ref: string,
  ns: readonly string[],
  removals: readonly string[],
  updates: Readonly<Record<string, string>>,
  meta: CommitMetaFor,
): Promise<PropertiesUpdate> {
  checkNamespace(ns);
  const both = removals.filter((k) => Object.hasOwn(updates, k));
  if (both.length > 0)
    throw badRequest(`Cannot both set and remove namespace properties: ${both.join(", ")}`);
  return writeOnBranch(ctx, ref, meta(`Update properties of namespace ${dotted(ns)}`), async (head) => {
    const c = await requireNamespace(ctx, head, ns);
    const props = propertiesOf(c);
    const removed = removals.filter((k) => Object.hasOwn(props, k));
    const missing = removals.filter((k) => !Object.hasOwn(props, k));
    for (const k of removed) delete props[k];
    Object.assign(props, updates);
    const result = { updated: Object.keys(updates), removed, missing };
    if (removed.length === 0 && Object.keys(updates).length === 0) return { operations: [], result };
    return {
      operations: [{ type: "PUT", key: ns, content: { ...c, properties: props } }],
      result,
    };
  });
}
