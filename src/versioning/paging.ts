import { badRequest } from "../core/errors.ts";
import type { PageRequest } from "./api.ts";
import { checkKey, encodeKey, prefixRange } from "./keys.ts";
import type { KeyRange } from "./model.ts";

/** Page tokens: the last returned key (or name), base64url-encoded so they are URL-safe. */
export const token = {
  encode: (s: string) => Buffer.from(s, "utf8").toString("base64url"),
  decode: (t: string) => {
    const s = Buffer.from(t, "base64url").toString("utf8");
    if (t === "" || Buffer.from(s, "utf8").toString("base64url") !== t)
      throw badRequest(`invalid page token '${t}'`);
    return s;
  },
};

export function pageSize(req: PageRequest | undefined, max = Number.MAX_SAFE_INTEGER): number {
  const n = req?.maxRecords;
  if (n === undefined) return max;
  if (!Number.isInteger(n) || n < 1) throw badRequest(`max-records must be a positive integer, got ${n}`);
  return Math.min(n, max);
}

/** Turns a key range into encoded bounds [lo, hi) and an optional key set. */
export function keyBounds(range: KeyRange | undefined): { lo?: string; hi?: string; keys?: Set<string> } {
  if (!range) return {};
  if (range.prefixKey && (range.minKey || range.maxKey)) {
    throw badRequest("prefix-key cannot be combined with min-key or max-key");
  }
  const out: { lo?: string; hi?: string; keys?: Set<string> } = {};
  if (range.keys && range.keys.length > 0) out.keys = new Set(range.keys.map((k) => encodeKey(checkKey(k))));
  if (range.prefixKey) Object.assign(out, prefixRange(checkKey(range.prefixKey, "prefix-key")));
  if (range.minKey) out.lo = encodeKey(checkKey(range.minKey, "min-key"));
  if (range.maxKey) out.hi = encodeKey(checkKey(range.maxKey, "max-key")) + "\u0000"; // inclusive
  return out;
}
