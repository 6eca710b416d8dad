import { badRequest } from "../core/errors.ts";
import type { PageRequest } from "../versioning/api.ts";
import type { Page } from "../versioning/model.ts";

/**
 * Paging over a store listing with an optional filter, the way Nessie pages: filter first, then
 * count. `hasMore` is true only when a further matching item exists, and the token points at it.
 *
 * The token is floe's own: the store token of the chunk that holds the next item, the position in
 * that chunk, and the chunk size it was read with (so the same chunk comes back).
 */
interface PageOut<T> {
  readonly items: T[];
  readonly hasMore: boolean;
  readonly token?: string;
}

interface Cursor {
  /** Store token of the chunk; absent for the first chunk. */
  readonly t?: string;
  /** Items of that chunk already returned. */
  readonly s: number;
  /** Chunk size. */
  readonly c: number;
}

const MAX_CHUNK = 1000;

export async function pageThrough<S, T>(opts: {
  fetch: (req: PageRequest) => Promise<Page<S>>;
  /** Turns a store item into the response item; called only for items that are looked at. */
  map: (item: S) => T | Promise<T>;
  keep?: (item: T) => boolean;
  /** Undefined: no limit. */
  maxRecords?: number;
  pageToken?: string;
}): Promise<PageOut<T>> {
  const { maxRecords, keep } = opts;
  const cursor = opts.pageToken !== undefined ? decodeCursor(opts.pageToken) : undefined;
  const chunk = cursor?.c ?? (maxRecords !== undefined && !keep ? maxRecords + 1 : keep ? 200 : 500);
  let storeToken = cursor?.t;
  let skip = cursor?.s ?? 0;
  const items: T[] = [];
  for (;;) {
    const page = await opts.fetch({
      maxRecords: chunk,
      ...(storeToken !== undefined ? { pageToken: storeToken } : {}),
    });
    for (let i = skip; i < page.items.length; i++) {
      const item = await opts.map(page.items[i] as S);
      if (keep && !keep(item)) continue;
      if (maxRecords !== undefined && items.length >= maxRecords) {
        return {
          items,
          hasMore: true,
          token: encodeCursor({ ...(storeToken !== undefined ? { t: storeToken } : {}), s: i, c: chunk }),
        };
      }
      items.push(item);
    }
    if (page.token === undefined || page.items.length === 0) return { items, hasMore: false };
    storeToken = page.token;
    skip = 0;
  }
}

function encodeCursor(c: Cursor): string {
  return Buffer.from(JSON.stringify(c)).toString("base64url");
}

function decodeCursor(token: string): Cursor {
  let c: unknown;
  try {
    c = JSON.parse(Buffer.from(token, "base64url").toString("utf8"));
  } catch {
    c = undefined;
  }
  const ok =
    typeof c === "object" &&
    c !== null &&
    Number.isSafeInteger((c as Cursor).s) &&
    (c as Cursor).s >= 0 &&
    Number.isSafeInteger((c as Cursor).c) &&
    (c as Cursor).c >= 0 &&
    (c as Cursor).c <= MAX_CHUNK + 1 &&
    ((c as Cursor).t === undefined || typeof (c as Cursor).t === "string");
  if (!ok) throw badRequest(`invalid page-token '${token.slice(0, 100)}'`);
  return c as Cursor;
}

/** The `max-records` value to use: Nessie treats absent and non-positive as "no limit". */
export function effectiveMax(requested: number | undefined, cap?: number): number | undefined {
  const n = requested !== undefined && requested > 0 ? requested : undefined;
  if (cap === undefined) return n !== undefined ? Math.min(n, MAX_CHUNK) : undefined;
  return Math.min(n ?? cap, cap);
}
