import { existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gunzipSync, gzipSync } from "node:zlib";
import { describe, expect, inject, it } from "vitest";
import { readBackupFile, backupTarget, writeBackupFile } from "../../src/storage/backup-location.ts";
import type { KvStore } from "../../src/storage/kv.ts";
import { openKvStore } from "../../src/storage/open-kv.ts";
import { readBackup } from "../../src/versioning/backup-file.ts";
import { backupStore, restoreStore } from "../../src/versioning/backup.ts";
import type { Operation } from "../../src/versioning/model.ts";
import { type VersionStore, openVersionStore } from "../../src/versioning/version-store.ts";
import { runFloe } from "../cli/floe-process.ts";
import { freshPgDatabase } from "../support/pg.ts";

/**
 * `floe backup` / `floe restore` round trips on PGlite and on the suite's PostgreSQL, through a
 * local file and the suite's S3 server: the restored store equals the original entry for entry
 * (so references, commit hashes, logs and contents do too), and a bad file writes nothing.
 */
const s3 = inject("s3");
const s3Settings = {
  endpoint: s3.endpoint,
  accessKeyId: s3.accessKeyId,
  secretAccessKey: s3.secretAccessKey,
};

const table = (key: string[], loc: string): Operation => ({
  type: "PUT",
  key,
  content: {
    type: "ICEBERG_TABLE",
    metadataLocation: loc,
    snapshotId: 9_007_199_254_740_993n as unknown as number,
    schemaId: 0,
    specId: 0,
    sortOrderId: 0,
  },
});
const ns = (name: string): Operation => ({ type: "PUT", key: [name], content: { type: "NAMESPACE" } });

/** A catalog with history: default branch `trunk`, a branch merged back, a tag, a delete. */
async function withHistory(store: VersionStore): Promise<void> {
  const head = async (b: string) => (await store.getReference(b)).hash;
  await store.commit("trunk", store.noAncestorHash, { message: "namespaces", authors: ["ann"] }, [
    ns("sales"),
    ns("ops"),
  ]);
  for (let i = 0; i < 30; i++)
    await store.commit("trunk", await head("trunk"), { message: `orders ${i}` }, [
      table(["sales", `t${i}`], `s3://w/sales/t${i}/1.json`),
    ]);
  await store.createReference("dev", "BRANCH", await head("trunk"));
  await store.commit("dev", await head("dev"), { message: "dev work", properties: { k: "v" } }, [
    table(["ops", "jobs"], "s3://w/ops/jobs/1.json"),
    { type: "DELETE", key: ["sales", "t3"] },
  ]);
  await store.merge("trunk", await head("trunk"), "dev", await head("dev"));
  await store.createReference("v1", "TAG", await head("trunk"));
  await store.createReference("empty", "BRANCH", store.noAncestorHash);
}

async function everything(kv: KvStore): Promise<Array<[string, string]>> {
  return (await kv.scan("")).map(([k, v]) => [k, Buffer.from(v).toString("base64")]);
}

/** What a client sees: references, first-parent logs with operations, entries and contents. */
async function view(store: VersionStore) {
  const refs = (await store.listReferences({ maxRecords: 1000 })).items;
  const out: unknown[] = [store.defaultBranch, refs];
  for (const r of refs) {
    const log = [];
    for (let token: string | undefined; ;) {
      const page = await store.log(r.hash, { withOperations: true, ...(token ? { pageToken: token } : {}) });
      log.push(...page.items);
      if (!page.token) break;
      token = page.token;
    }
    const entries = (await store.entries(r.hash, { maxRecords: 1000 })).items;
    const contents = await store.getContents(
      r.hash,
      entries.map((e) => e.key),
    );
    out.push({ ref: r.name, log, entries, contents });
  }
  return out;
}

async function backupBytes(kv: KvStore, dest: string): Promise<{ target: string; bytes: Uint8Array }> {
  const now = new Date();
  const target = backupTarget(dest, now);
  await writeBackupFile(target, s3Settings, (out) => backupStore(kv, out, now).then(() => undefined));
  return { target, bytes: (await readBackupFile(target, s3Settings)).bytes };
}

describe.each([
  ["PGlite", async () => "pglite:memory"],
  ["PostgreSQL", freshPgDatabase],
])("floe backup and restore on %s", (_name, storeUrl) => {
  it("round-trips through a file and S3: every entry, reference, hash, log and content equal", async () => {
    const srcKv = await openKvStore(await storeUrl());
    const src = await openVersionStore(srcKv, { defaultBranch: "trunk" });
    await withHistory(src);
    const dir = mkdtempSync(join(tmpdir(), "floe-backup-"));
    const local = await backupBytes(srcKv, `${dir}/`);
    expect(local.target).toMatch(/\/floe-backup-\d{8}T\d{6}Z\.ndjson\.gz$/);
    const prefix = `s3://${s3.bucket}/backup-test-${Date.now()}-${Math.random().toString(36).slice(2)}/`;
    const remote = await backupBytes(srcKv, prefix);
    expect(remote.target.startsWith(prefix)).toBe(true);
    // the newest file under a prefix is what `floe restore s3://…/` reads
    expect((await readBackupFile(prefix, s3Settings)).from).toBe(remote.target);

    for (const { target, bytes } of [local, remote]) {
      const backup = readBackup(target, bytes);
      // a fresh catalog as `floe serve` leaves it: default branch main at the no-ancestor hash
      const reopened = await openKvStore(await storeUrl());
      await openVersionStore(reopened);
      const summary = await restoreStore(reopened, backup);
      expect(summary).toMatchObject({ refs: 4, commits: 33 });
      expect(await everything(reopened)).toEqual(await everything(srcKv));
      const restored = await openVersionStore(reopened);
      expect(restored.defaultBranch).toBe("trunk");
      expect(await view(restored)).toEqual(await view(src));
      await expect(restoreStore(reopened, backup)).rejects.toThrow(
        /is not an empty catalog \(reference (dev|trunk|v1) points at commit [0-9a-f]{64}\); restore needs an empty one$/,
      );
      await restored.close();
    }
    await src.close();
  }, 300_000);

  it("refuses a corrupt or truncated backup with one clear message, before writing anything", async () => {
    const srcKv = await openKvStore(await storeUrl());
    const src = await openVersionStore(srcKv, { defaultBranch: "trunk" });
    await withHistory(src);
    const dir = mkdtempSync(join(tmpdir(), "floe-backup-bad-"));
    const { bytes } = await backupBytes(srcKv, join(dir, "good.ndjson.gz"));
    await src.close();
    const lines = gunzipSync(bytes)
      .toString("utf8")
      .split(/(?<=\n)/);
    const commitLine = lines.findIndex((l) => l.startsWith('{"k":"c:'));
    const altered = [...lines];
    const entry = JSON.parse(altered[commitLine]!) as { k: string; v: string };
    const body = Buffer.from(entry.v, "base64").toString("utf8").replace("orders", "ORDERS");
    altered[commitLine] = `${JSON.stringify({ k: entry.k, v: Buffer.from(body).toString("base64") })}\n`;
    const cases: Array<[string, Uint8Array, RegExp]> = [
      [
        "truncated gzip",
        bytes.subarray(0, Math.floor(bytes.length / 2)),
        /: the backup is truncated \(the gzip data ends early\)$/,
      ],
      [
        "no end line",
        gzipSync(lines.slice(0, -1).join("")),
        /: the backup is truncated \(no end line after \d+ entries\)$/,
      ],
      [
        "lines dropped",
        gzipSync([...lines.slice(0, 3), ...lines.slice(5)].join("")),
        /: the backup is corrupt \(the end line promises \d+ entries/,
      ],
      [
        "a commit altered",
        gzipSync(altered.join("")),
        /: line \d+: commit [0-9a-f]{64} does not hash to its key$/,
      ],
      ["not gzip", Buffer.from("hello"), /: not a floe backup \(not gzip data: /],
      [
        "another format",
        gzipSync('{"format":"x"}\n'),
        /: not a floe backup \(the header names another format\)$/,
      ],
      [
        "a newer version",
        gzipSync('{"format":"floe-backup","version":2}\n'),
        /: backup format version 2 is not one this floe reads \(1\)$/,
      ],
    ];
    for (const [what, data, message] of cases) {
      expect(() => readBackup(what, data), what).toThrow(message);
    }

    // as commands: a backup, a truncated copy refused with exit 1 and the store untouched, a restore
    const source = join(dir, "src");
    const cliSrc = await openVersionStore(await openKvStore(`pglite:${source}`), { defaultBranch: "trunk" });
    await withHistory(cliSrc);
    await cliSrc.close();
    const file = join(dir, "cli.ndjson.gz");
    const made = await runFloe(["backup", "--store", `pglite:${source}`, "--to", file, "--json"], {
      cwd: dir,
    });
    expect(made.stderr).toBe("");
    expect(JSON.parse(made.stdout)).toMatchObject({ file, refs: 4, commits: 33 });
    const good = readFileSync(file);
    writeFileSync(join(dir, "cut.ndjson.gz"), good.subarray(0, good.length - 20));
    const store = (await storeUrl()).replace("pglite:memory", `pglite:${join(dir, "dst")}`);
    const bad = await runFloe(["restore", join(dir, "cut.ndjson.gz"), "--store", store], { cwd: dir });
    expect(bad.code).toBe(1);
    expect(bad.stderr).toBe(
      `error: ${join(dir, "cut.ndjson.gz")}: the backup is truncated (the gzip data ends early)\n`,
    );
    if (store.startsWith("pglite:")) expect(existsSync(join(dir, "dst"))).toBe(false);
    else {
      const untouched = await openKvStore(store);
      expect(await untouched.scan("")).toEqual([]);
      await untouched.close();
    }
    const ok = await runFloe(["restore", file, "--store", store, "--json"], { cwd: dir });
    expect(ok.stderr).toBe("");
    expect(JSON.parse(ok.stdout)).toMatchObject({ file, refs: 4, commits: 33 });
    const again = await runFloe(["restore", file, "--store", store], { cwd: dir });
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(
      /is not an empty catalog \(reference \w+ points at commit [0-9a-f]{64}\); restore needs an empty one\n$/,
    );
  }, 300_000);
});
