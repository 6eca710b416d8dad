#!/usr/bin/env node
// Runs floe: the bundle built by scripts/build.mjs when it is up to date, otherwise the TypeScript
// sources through tsx (so a checkout with edited sources never runs stale code).
import { readdirSync, statSync } from "node:fs";
import { fileURLToPath } from "node:url";

const bundle = new URL("../dist/cli/floe.mjs", import.meta.url);
const src = fileURLToPath(new URL("../src", import.meta.url));

function newestSource(dir) {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = `${dir}/${entry.name}`;
    newest = Math.max(newest, entry.isDirectory() ? newestSource(path) : statSync(path).mtimeMs);
  }
  return newest;
}

function bundleIsFresh() {
  try {
    return statSync(bundle).mtimeMs >= newestSource(src);
  } catch {
    return false;
  }
}

if (process.env.FLOE_FROM_SOURCE !== "1" && bundleIsFresh()) {
  await import(bundle.href);
} else {
  const { register } = await import("tsx/esm/api");
  register();
  await import("../src/cli/main.ts");
}
