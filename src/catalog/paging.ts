import { badRequest } from "../core/errors.ts";

/**
 * Paging of catalog listings (namespaces, tables, views): items in order, a page token that names
 * the last item of the page before (opaque to clients), no token on the last page.
 */
export interface CatalogPage<T> {
  readonly items: T[];
  readonly nextPageToken?: string;
}

export function pageOf<T>(
  items: readonly T[],
  sortKey: (item: T) => string,
  pageToken: string | undefined,
  pageSize: number | undefined,
): CatalogPage<T> {
  if (pageSize !== undefined && (!Number.isSafeInteger(pageSize) || pageSize < 1))
    throw badRequest(`pageSize must be a positive integer, got ${pageSize}`);
  let after: string | undefined;
  if (pageToken !== undefined && pageToken !== "") {
    after = Buffer.from(pageToken, "base64url").toString("utf8");
    if (Buffer.from(after, "utf8").toString("base64url") !== pageToken)
      throw badRequest(`invalid pageToken '${pageToken}'`);
  }
  const rest = after === undefined ? [...items] : items.filter((i) => sortKey(i) > after);
  if (pageSize === undefined || rest.length <= pageSize) return { items: rest };
  const page = rest.slice(0, pageSize);
  return {
    items: page,
    nextPageToken: Buffer.from(sortKey(page[page.length - 1] as T), "utf8").toString("base64url"),
  };
}
