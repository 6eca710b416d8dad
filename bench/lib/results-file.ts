import { existsSync, readFileSync, writeFileSync } from "node:fs";

/**
 * bench/RESULTS.md holds the catalog benchmark's report (bench/run.ts, the whole file) and marked
 * sections written by the other benchmarks (bench/table.ts): `<!-- section:NAME -->` … `<!-- /section:NAME -->`.
 * Each writer keeps the others' parts.
 */
const begin = (name: string) => `<!-- section:${name} -->`;
const end = (name: string) => `<!-- /section:${name} -->`;
const SECTION = /<!-- section:([\w-]+) -->[\s\S]*?<!-- \/section:\1 -->\n?/g;

/** The marked sections of the file, as they are (none when it does not exist). */
export function markedSections(file: string): string[] {
  if (!existsSync(file)) return [];
  return [...readFileSync(file, "utf8").matchAll(SECTION)].map((m) => m[0].replace(/\n?$/, "\n"));
}

/** Replaces section `name` in the file with `body` (appended when it has none); the rest is kept. */
export function writeSection(file: string, name: string, body: string): void {
  const block = `${begin(name)}\n${body.trim()}\n${end(name)}\n`;
  const old = existsSync(file) ? readFileSync(file, "utf8") : "";
  const re = new RegExp(`${begin(name)}[\\s\\S]*?${end(name)}\\n?`);
  const text = re.test(old) ? old.replace(re, () => block) : `${old.replace(/\n*$/, "\n\n")}${block}`;
  writeFileSync(file, text);
}
