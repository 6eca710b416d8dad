import { badRequest } from "../core/errors.ts";
import type { ContentKey } from "./model.ts";
import { printable } from "./ref-spec.ts";

/** Nessie's limits on content keys. */
export const MAX_KEY_ELEMENTS = 20;
export const MAX_KEY_LENGTH = 500;

/** The separator of the encoded key: below every allowed character, so encoded order = element-wise order. */
const SEP = "\u0000";

/** Checks a content key from outside and returns it typed; BAD_REQUEST names what is wrong. */
export function checkKey(key: unknown, what = "content key"): ContentKey {
  if (!Array.isArray(key) || key.length === 0) throw badRequest(`${what} must have at least one element`);
  if (key.length > MAX_KEY_ELEMENTS)
    throw badRequest(`${what} has ${key.length} elements, at most ${MAX_KEY_ELEMENTS} are allowed`);
  let total = 0;
  for (const e of key) {
    if (typeof e !== "string") throw badRequest(`${what} elements must be strings`);
    if (e.length === 0) throw badRequest(`${what} '${printable(key.join("."))}' has an empty element`);
    if (/[\u0000-\u001f\u007f]/.test(e)) {
      throw badRequest(`${what} element '${printable(e)}' contains a control character`);
    }
    total += e.length;
  }
  if (total > MAX_KEY_LENGTH)
    throw badRequest(`${what} is ${total} characters long, at most ${MAX_KEY_LENGTH} are allowed`);
  return key as ContentKey;
}

/** The tree's sort key: elements joined by U+0000. */
export function encodeKey(key: ContentKey): string {
  return key.join(SEP);
}

export function decodeKey(encoded: string): ContentKey {
  return encoded.split(SEP);
}

/** Encoded keys of every key that has `prefix` as its leading elements lie in [lo, hi). */
export function prefixRange(prefix: ContentKey): { lo: string; hi: string } {
  const lo = encodeKey(prefix);
  return { lo, hi: lo + "\u0001" };
}

export function keyToString(key: ContentKey): string {
  return key.join(".");
}
