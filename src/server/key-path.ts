import { badRequest } from "../core/errors.ts";
import { printable } from "../versioning/ref-spec.ts";

/**
 * Content keys as Nessie writes them in URL paths and query parameters (NESSIE-SPEC-2-0.md,
 * "Content key and namespace string representation in URI paths"). Elements are joined by `.`;
 * two representations exist and servers must accept both:
 *
 * - legacy: a `.` inside an element is written as U+001D (group separator) or U+0000;
 * - escaped (spec 2.2.0, used by clients once the server announces 2.2.0): the whole string starts
 *   with `.` and `*` escapes `.` (`*.`), `*` (`**`), `/` (`*{`), `\` (`*}`) and `%` (`*[`), so the
 *   path never holds characters that servlet containers reject after URL decoding.
 */

const ESCAPES: Readonly<Record<string, string>> = { ".": ".", "*": "*", "{": "/", "}": "\\", "[": "%" };
const NEEDS_ESCAPING = /[./\\%]/;

/** Parses either representation into elements. The result is not validated further (see checkKey). */
export function keyFromPathString(encoded: string): string[] {
  if (encoded.length === 0) throw badRequest("empty content key");
  return encoded.startsWith(".") ? parseEscaped(encoded) : parseLegacy(encoded);
}

function parseLegacy(encoded: string): string[] {
  const elements = encoded.split(".").map((e) => e.replace(/[\u001d\u0000]/g, "."));
  // A trailing '.' is tolerated, as Nessie does; an empty element anywhere else is an error.
  if (elements.length > 1 && elements[elements.length - 1] === "") elements.pop();
  if (elements.some((e) => e === "")) {
    throw badRequest(`content key '${printable(encoded)}' has an empty element`);
  }
  return elements;
}

function parseEscaped(encoded: string): string[] {
  const elements: string[] = [];
  let current = "";
  for (let i = 1; i < encoded.length; i++) {
    const c = encoded[i] as string;
    if (c === ".") {
      elements.push(current);
      current = "";
    } else if (c === "*") {
      const next = encoded[++i];
      const unescaped = next === undefined ? undefined : ESCAPES[next];
      if (unescaped === undefined) {
        throw badRequest(
          `content key '${printable(encoded)}' has an invalid escape sequence '*${next ?? ""}' (use *. ** *{ *} *[)`,
        );
      }
      current += unescaped;
    } else {
      current += c;
    }
  }
  if (current !== "") elements.push(current);
  if (elements.length === 0 || elements.some((e) => e === "")) {
    throw badRequest(`content key '${printable(encoded)}' has an empty element`);
  }
  return elements;
}

/** The legacy representation (what Nessie's `ContentKey.toPathString()` returns; also used in CEL). */
export function keyToPathString(elements: readonly string[]): string {
  return elements.map((e) => e.replace(/[.\u0000]/g, "\u001d")).join(".");
}

/** The spec 2.2.0 representation (Nessie's `ContentKey.toPathStringEscaped()`). */
export function keyToPathStringEscaped(elements: readonly string[]): string {
  if (!elements.some((e) => NEEDS_ESCAPING.test(e))) return elements.join(".");
  return elements.map((e) => "." + e.replace(/[.*/\\%]/g, escapeChar)).join("");
}

function escapeChar(c: string): string {
  switch (c) {
    case ".":
      return "*.";
    case "*":
      return "**";
    case "/":
      return "*{";
    case "\\":
      return "*}";
    default:
      return "*[";
  }
}
