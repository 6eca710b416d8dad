import { badRequest } from "../core/errors.ts";

/**
 * A reference as written in Nessie API paths: `name`, `-` (the default branch), `name@hash`,
 * `@hash`, `name@` (a name containing '/'), followed by relative parts: `~N` (N-th first-parent
 * ancestor), `^N` (N-th parent: 1 = first, 2 = merge parent), `*<millis | ISO instant>` (the
 * newest commit at or before that time). Hashes may be abbreviated to 8 or more hex digits.
 */
export interface RefSpec {
  /** Absent for a detached `@hash`; `-` is already replaced by undefined + `defaultBranch`. */
  readonly name?: string;
  readonly defaultBranch?: boolean;
  readonly hash?: string;
  readonly relative: readonly RelativePart[];
}

export type RelativePart =
  | { readonly kind: "ancestor"; readonly n: number }
  | { readonly kind: "parent"; readonly n: number }
  | { readonly kind: "timestamp"; readonly millis: number };

const REF_NAME = /^[A-Za-z](((?![.][.])[A-Za-z0-9./_-])*[A-Za-z0-9_-])?$/;
const HASH = /^[0-9a-fA-F]{8,64}$/;
const MAX_NAME_LENGTH = 200;

/** Checks a reference name against Nessie's rule. */
export function checkRefName(name: string): string {
  if (name.length === 0 || name.length > MAX_NAME_LENGTH || !REF_NAME.test(name)) {
    throw badRequest(
      `invalid reference name '${printable(name)}': it must start with a letter, use only letters, digits, '.', '/', '_' and '-', not contain '..' and not end with '.' or '/' (at most ${MAX_NAME_LENGTH} characters)`,
    );
  }
  return name;
}

/** Checks a (possibly abbreviated) commit hash. */
export function checkHash(hash: string): string {
  if (!HASH.test(hash))
    throw badRequest(`invalid commit hash '${printable(hash)}': expected 8 to 64 hex digits`);
  return hash.toLowerCase();
}

export function parseRefSpec(text: string): RefSpec {
  if (text.length === 0) throw badRequest("empty reference");
  const m = /^([^@~^*]*)(?:@([^~^*]*))?((?:[~^*][^~^*]*)*)$/.exec(text);
  if (!m) throw badRequest(`invalid reference '${printable(text)}'`);
  const [, namePart = "", hashPart, relPart = ""] = m;
  const spec: { name?: string; defaultBranch?: boolean; hash?: string; relative: RelativePart[] } = {
    relative: parseRelative(relPart),
  };
  if (namePart === "-") spec.defaultBranch = true;
  else if (namePart !== "") spec.name = checkRefName(namePart);
  if (hashPart !== undefined && hashPart !== "") spec.hash = checkHash(hashPart);
  if (spec.name === undefined && !spec.defaultBranch && spec.hash === undefined) {
    throw badRequest(`invalid reference '${printable(text)}': neither a name nor a hash`);
  }
  return spec;
}

function parseRelative(text: string): RelativePart[] {
  const out: RelativePart[] = [];
  for (const part of text.match(/[~^*][^~^*]*/g) ?? []) {
    const arg = part.slice(1);
    if (part[0] === "*") {
      const millis = /^\d+$/.test(arg) ? Number(arg) : Date.parse(arg);
      if (!Number.isFinite(millis) || arg === "")
        throw badRequest(`invalid timestamp '${printable(arg)}' in reference`);
      out.push({ kind: "timestamp", millis });
    } else {
      if (!/^\d{1,9}$/.test(arg))
        throw badRequest(`invalid relative reference '${printable(part)}': expected a number`);
      const n = Number(arg);
      if (part[0] === "^" && (n < 1 || n > 2))
        throw badRequest(`invalid parent selector '${part}': use ^1 or ^2`);
      out.push({ kind: part[0] === "~" ? "ancestor" : "parent", n });
    }
  }
  return out;
}

/** For error messages: control characters shown escaped, long input cut. */
export function printable(s: string): string {
  const cut = s.length > 100 ? `${s.slice(0, 100)}…` : s;
  return cut.replace(/[\u0000-\u001f\u007f]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`);
}
