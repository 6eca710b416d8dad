import { mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { LocalObjectStore } from "../../src/storage/local-object-store.ts";
import { objectStoreContract } from "./object-store-contract.ts";

objectStoreContract("local disk", {
  open: async () => new LocalObjectStore(await mkdtemp(join(tmpdir(), "floe-objects-"))),
  largeObjectSize: 12 * 1024 * 1024 + 123,
  // a plain path, and Hadoop's file:/ spelling for prefixes
  respell: (location) => location.replace(/^file:\/\//, ""),
  outside: (store) => `${store.root}-elsewhere/x`,
});
