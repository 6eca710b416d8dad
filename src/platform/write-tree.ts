import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import type { Tree } from "./tree.ts";

export interface WriteResult {
  /** Files created or changed, relative to the output folder. */
  readonly written: readonly string[];
  readonly unchanged: readonly string[];
}

/** Writes a rendered tree under `root`, leaving files whose content is already right untouched. */
export function writeTree(root: string, tree: Tree): WriteResult {
  const written: string[] = [];
  const unchanged: string[] = [];
  for (const [path, content] of [...tree.entries()].sort(([a], [b]) => a.localeCompare(b))) {
    const target = join(root, path);
    if (existsSync(target) && readFileSync(target, "utf8") === content) {
      unchanged.push(path);
      continue;
    }
    mkdirSync(dirname(target), { recursive: true });
    writeFileSync(target, content);
    written.push(path);
  }
  return { written, unchanged };
}
