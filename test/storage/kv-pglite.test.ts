import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expect, it } from "vitest";
import { openKvStore } from "../../src/storage/open-kv.ts";
import { kvContract } from "./kv-contract.ts";

kvContract("PGlite (in memory)", () => openKvStore("pglite:memory"));

it("PGlite persists to its directory across reopen", async () => {
  const dir = mkdtempSync(join(tmpdir(), "floe-kv-"));
  const kv = await openKvStore(`pglite:${dir}`);
  await kv.putIfAbsent([["x", new TextEncoder().encode("kept")]]);
  await kv.close();
  const again = await openKvStore(`pglite:${dir}`);
  expect(new TextDecoder().decode(await again.get("x"))).toBe("kept");
  await again.close();
});

it("keeps a second open of one PGlite directory out until the first is closed", async () => {
  const dir = mkdtempSync(join(tmpdir(), "floe-kv-"));
  const kv = await openKvStore(`pglite:${dir}`);
  await expect(openKvStore(`pglite:${dir}`)).rejects.toThrow(/in use by process \d+ \(this one\)/);
  await kv.close();
  const again = await openKvStore(`pglite:${dir}`);
  await again.close();
});

it("takes over a lock left by a process that is gone", async () => {
  const dir = mkdtempSync(join(tmpdir(), "floe-kv-"));
  writeFileSync(join(dir, "floe.lock"), "999999999");
  const kv = await openKvStore(`pglite:${dir}`);
  await kv.close();
});

it("rejects a store URL it does not understand", async () => {
  await expect(openKvStore("mysql://x")).rejects.toThrow(/unsupported store URL/);
});
