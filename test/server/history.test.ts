import { gzipSync } from "node:zlib";
import type { FastifyInstance } from "fastify";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { branch, call, commitOps, contentId, namespace, openTestApp, put, table } from "./helpers.ts";

let app: FastifyInstance;
let close: () => Promise<void>;

beforeAll(async () => {
  ({ app, close } = await openTestApp());
});
afterAll(() => close());

const messages = (entries: Array<{ commitMeta: { message: string } }>) =>
  entries.map((e) => e.commitMeta.message);

describe("commit", () => {
  it("returns the new HEAD and the ids of added contents, honouring Nessie-Commit-* headers", async () => {
    const start = await branch(app, "c-basic");
    const res = await call(
      app,
      "POST",
      `/api/v2/trees/c-basic@${start}/history/commit`,
      {
        commitMeta: { message: "body message", author: "alice", properties: { job: "j1" } },
        operations: [put(["t1"], table("s3://t1")), { type: "UNCHANGED", key: { elements: ["t0"] } }],
      },
      { "Nessie-Commit-Authors": "bob, carol", "Nessie-Commit-Property-Origin": "spark" },
    );
    expect(res.status).toBe(200);
    expect(res.body.targetBranch).toMatchObject({ type: "BRANCH", name: "c-basic" });
    expect(res.body.addedContents).toEqual([{ key: { elements: ["t1"] }, contentId: expect.any(String) }]);
    const log = await call(app, "GET", "/api/v2/trees/c-basic/history");
    expect(log.body.logEntries[0].commitMeta).toMatchObject({
      hash: res.body.targetBranch.hash,
      message: "body message",
      authors: ["alice", "bob", "carol"],
      allProperties: { job: ["j1"], origin: ["spark"] },
    });
    expect(log.body.logEntries[0].parentCommitHash).toBe(start);
  });

  it("accepts gzip-compressed bodies, as Nessie's Java client sends them", async () => {
    const start = await branch(app, "c-gzip");
    const body = gzipSync(
      JSON.stringify({ commitMeta: { message: "zipped" }, operations: [put(["z"], table("s3://z"))] }),
    );
    const res = await call(app, "POST", `/api/v2/trees/c-gzip@${start}/history/commit`, body, {
      "content-encoding": "gzip",
    });
    expect(res.status).toBe(200);
    expect(res.body.addedContents).toHaveLength(1);
  });

  it("reports per-key conflicts, with details only for Nessie-Client-Spec >= 2", async () => {
    const start = await branch(app, "c-conflict");
    const h1 = await commitOps(app, "c-conflict", start, [put(["t"], table("s3://t/v1"))]);
    const id = await contentId(app, "c-conflict", "t");
    await commitOps(app, "c-conflict", h1, [put(["t"], { ...table("s3://t/v2"), id })]);
    const stale = {
      commitMeta: { message: "stale" },
      operations: [put(["t"], { ...table("s3://t/v3"), id })],
    };
    const url = `/api/v2/trees/c-conflict@${h1}/history/commit`;
    const v1 = await call(app, "POST", url, stale);
    expect(v1.status).toBe(409);
    expect(v1.body).toMatchObject({ status: 409, reason: "Conflict", errorCode: "REFERENCE_CONFLICT" });
    expect(v1.body.errorDetails).toBeUndefined();
    const v2 = await call(app, "POST", url, stale, { "Nessie-Client-Spec": "2" });
    expect(v2.status).toBe(409);
    expect(v2.body.errorDetails).toMatchObject({
      type: "REFERENCE_CONFLICTS",
      conflicts: [
        { conflictType: expect.any(String), key: { elements: ["t"] }, message: expect.any(String) },
      ],
    });
    const metrics = (await call(app, "GET", "/metrics")).text;
    expect(metrics).toMatch(/^floe_commit_conflicts_total [1-9]/m);
  });

  it("accepts abbreviated and relative expected hashes", async () => {
    const start = await branch(app, "c-rel");
    const h1 = await commitOps(app, "c-rel", start, [put(["a"], table("s3://a"))]);
    const h2 = await commitOps(app, "c-rel", h1.slice(0, 12), [put(["b"], table("s3://b"))]);
    const h3 = await commitOps(app, "c-rel", `${h2}~1`, [put(["c"], table("s3://c"))]);
    expect(h3).not.toBe(h2);
  });
});

describe("history", () => {
  let hashes: string[];
  beforeAll(async () => {
    let h = await branch(app, "log");
    hashes = [h];
    for (let i = 1; i <= 7; i++) {
      h = await commitOps(
        app,
        "log",
        h,
        [put([`k${i}`], table(`s3://k${i}`))],
        `commit ${i}${i % 2 === 0 ? " even" : ""}`,
      );
      hashes.push(h);
    }
  });

  it("pages newest first", async () => {
    const all: string[] = [];
    let token: string | undefined;
    do {
      const res = await call(
        app,
        "GET",
        `/api/v2/trees/log/history?max-records=3${token ? `&page-token=${token}` : ""}`,
      );
      expect(res.status).toBe(200);
      all.push(...messages(res.body.logEntries));
      token = res.body.hasMore ? res.body.token : undefined;
    } while (token);
    expect(all).toEqual([
      "commit 7",
      "commit 6 even",
      "commit 5",
      "commit 4 even",
      "commit 3",
      "commit 2 even",
      "commit 1",
    ]);
  });

  it("stops at limit-hash and starts at relative refs", async () => {
    const limited = await call(app, "GET", `/api/v2/trees/log/history?limit-hash=${hashes[5]}`);
    expect(messages(limited.body.logEntries)).toEqual(["commit 7", "commit 6 even", "commit 5"]);
    const relative = await call(app, "GET", "/api/v2/trees/log~2/history?max-records=2");
    expect(messages(relative.body.logEntries)).toEqual(["commit 5", "commit 4 even"]);
    const at = await call(app, "GET", `/api/v2/trees/log@${hashes[3]}/history`);
    expect(at.body.logEntries).toHaveLength(3);
  });

  it("filters with CEL over commit and operations, then pages", async () => {
    const evenFilter = encodeURIComponent("commit.message.endsWith('even')");
    const page1 = await call(app, "GET", `/api/v2/trees/log/history?filter=${evenFilter}&max-records=2`);
    expect(messages(page1.body.logEntries)).toEqual(["commit 6 even", "commit 4 even"]);
    expect(page1.body.hasMore).toBe(true);
    const page2 = await call(
      app,
      "GET",
      `/api/v2/trees/log/history?filter=${evenFilter}&max-records=2&page-token=${page1.body.token}`,
    );
    expect(messages(page2.body.logEntries)).toEqual(["commit 2 even"]);
    expect(page2.body.hasMore).toBe(false);

    const ops = encodeURIComponent(
      "operations.exists(op, op.key == 'k3' && op.type == 'PUT' && op.content.type == 'ICEBERG_TABLE')",
    );
    const byOp = await call(app, "GET", `/api/v2/trees/log/history?fetch=ALL&filter=${ops}`);
    expect(messages(byOp.body.logEntries)).toEqual(["commit 3"]);
    expect(byOp.body.logEntries[0].operations).toEqual([
      {
        type: "PUT",
        key: { elements: ["k3"] },
        content: expect.objectContaining({ metadataLocation: "s3://k3" }),
      },
    ]);
    const time = encodeURIComponent(
      "timestamp(commit.commitTime) > timestamp('2000-01-01T00:00:00Z') && commit.committer == ''",
    );
    expect((await call(app, "GET", `/api/v2/trees/log/history?filter=${time}`)).body.logEntries).toHaveLength(
      7,
    );
    const noOps = await call(app, "GET", "/api/v2/trees/log/history?max-records=1");
    expect(noOps.body.logEntries[0].operations).toBeUndefined();
    expect(
      (await call(app, "GET", `/api/v2/trees/log/history?filter=${encodeURIComponent("commit.message +")}`))
        .status,
    ).toBe(400);
  });
});

describe("diff", () => {
  it("lists changed keys with from/to, ranges, filter and paging", async () => {
    const start = await branch(app, "d-from");
    const base = await commitOps(app, "d-from", start, [
      put(["a"], namespace("a")),
      put(["a", "x"], table("s3://ax")),
      put(["b"], table("s3://b")),
    ]);
    const id = await contentId(app, "d-from", "a.x");
    await call(app, "POST", "/api/v2/trees?name=d-to&type=BRANCH", {
      type: "BRANCH",
      name: "d-from",
      hash: base,
    });
    await commitOps(app, "d-to", base, [
      put(["a", "x"], { ...table("s3://ax2"), id }),
      put(["a", "y"], table("s3://ay")),
      { type: "DELETE", key: { elements: ["b"] } },
    ]);
    const res = await call(app, "GET", "/api/v2/trees/d-from/diff/d-to");
    expect(res.status).toBe(200);
    expect(res.body.diffs.map((d: { key: { elements: string[] } }) => d.key.elements.join("."))).toEqual([
      "a.x",
      "a.y",
      "b",
    ]);
    expect(res.body.diffs[0].from.metadataLocation).toBe("s3://ax");
    expect(res.body.diffs[0].to.metadataLocation).toBe("s3://ax2");
    expect(res.body.diffs[1].from).toBeNull();
    expect(res.body.diffs[2].to).toBeNull();
    expect(res.body.effectiveFromReference).toEqual({ type: "BRANCH", name: "d-from", hash: base });
    expect(res.body.effectiveToReference.name).toBe("d-to");

    const prefixed = await call(app, "GET", "/api/v2/trees/d-from/diff/d-to?prefix-key=a");
    expect(prefixed.body.diffs).toHaveLength(2);
    const filtered = await call(
      app,
      "GET",
      `/api/v2/trees/d-from/diff/d-to?filter=${encodeURIComponent("key.namespace == 'a' && key.name != 'x'")}`,
    );
    expect(filtered.body.diffs.map((d: { key: { elements: string[] } }) => d.key.elements)).toEqual([
      ["a", "y"],
    ]);
    const page = await call(app, "GET", "/api/v2/trees/d-from/diff/d-to?max-records=2");
    expect(page.body.hasMore).toBe(true);
    const rest = await call(
      app,
      "GET",
      `/api/v2/trees/d-from/diff/d-to?max-records=2&page-token=${page.body.token}`,
    );
    expect(rest.body.diffs).toHaveLength(1);
    expect(rest.body.hasMore).toBe(false);
    const detached = await call(app, "GET", `/api/v2/trees/@${base}/diff/-`);
    expect(detached.body.effectiveFromReference).toEqual({ type: "DETACHED", hash: base });
  });
});

describe("merge and transplant", () => {
  it("merges a branch and answers Nessie's MergeResponse", async () => {
    const targetStart = await branch(app, "m-target");
    const srcStart = await branch(app, "m-source");
    const src = await commitOps(app, "m-source", srcStart, [put(["m"], table("s3://m"))]);
    const dry = await call(app, "POST", `/api/v2/trees/m-target@${targetStart}/history/merge`, {
      fromRefName: "m-source",
      fromHash: src,
      dryRun: true,
    });
    expect(dry.status).toBe(200);
    expect(dry.body).toMatchObject({ wasApplied: false, wasSuccessful: true, targetBranch: "m-target" });
    const res = await call(app, "POST", `/api/v2/trees/m-target@${targetStart}/history/merge`, {
      fromRefName: "m-source",
      fromHash: src.slice(0, 16),
      message: "merge it",
    });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      wasApplied: true,
      wasSuccessful: true,
      targetBranch: "m-target",
      expectedHash: targetStart,
      details: [{ key: { elements: ["m"] }, mergeBehavior: "NORMAL" }],
    });
    const head = (await call(app, "GET", "/api/v2/trees/m-target")).body.reference.hash;
    expect(res.body.resultantTargetHash).toBe(head);
    const log = await call(app, "GET", "/api/v2/trees/m-target/history");
    expect(log.body.logEntries[0].commitMeta.message).toBe("merge it");
    expect((await call(app, "GET", "/metrics")).text).toMatch(/^floe_merges_total\{kind="merge"\} 1/m);
  });

  it("reports merge conflicts as 409 or, when asked, as a result", async () => {
    const start = await branch(app, "mc-target");
    await call(app, "POST", "/api/v2/trees?name=mc-source&type=BRANCH", {
      type: "BRANCH",
      name: "mc-target",
      hash: start,
    });
    const t = await commitOps(app, "mc-target", start, [put(["k"], table("s3://target"))]);
    const s = await commitOps(app, "mc-source", start, [put(["k"], table("s3://source"))]);
    const url = `/api/v2/trees/mc-target@${t}/history/merge`;
    const conflict = await call(
      app,
      "POST",
      url,
      { fromRefName: "mc-source", fromHash: s },
      { "Nessie-Client-Spec": "2" },
    );
    expect(conflict.status).toBe(409);
    expect(conflict.body.errorCode).toBe("REFERENCE_CONFLICT");
    expect(conflict.body.errorDetails?.type).toBe("REFERENCE_CONFLICTS");
    const asResult = await call(app, "POST", url, {
      fromRefName: "mc-source",
      fromHash: s,
      returnConflictAsResult: true,
    });
    expect(asResult.status).toBe(200);
    expect(asResult.body.wasSuccessful).toBe(false);
    expect(asResult.body.details[0].conflict).toMatchObject({ key: { elements: ["k"] } });
    expect(asResult.body.details[0].conflictType).toBe("UNRESOLVABLE");
    const forced = await call(app, "POST", url, {
      fromRefName: "mc-source",
      fromHash: s,
      keyMergeModes: [{ key: { elements: ["k"] }, mergeBehavior: "FORCE" }],
    });
    expect(forced.status).toBe(200);
    expect(forced.body.wasApplied).toBe(true);
  });

  it("transplants commits in order", async () => {
    const start = await branch(app, "tp-target");
    const srcStart = await branch(app, "tp-source");
    const s1 = await commitOps(app, "tp-source", srcStart, [put(["p1"], table("s3://p1"))], "p1");
    const s2 = await commitOps(app, "tp-source", s1, [put(["p2"], table("s3://p2"))], "p2");
    const res = await call(app, "POST", `/api/v2/trees/tp-target@${start}/history/transplant`, {
      fromRefName: "tp-source",
      hashesToTransplant: [s1, s2.slice(0, 10)],
    });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ wasApplied: true, wasSuccessful: true, targetBranch: "tp-target" });
    const log = await call(app, "GET", "/api/v2/trees/tp-target/history");
    expect(messages(log.body.logEntries)).toEqual(["p2", "p1"]);
    const unknown = await call(
      app,
      "POST",
      `/api/v2/trees/tp-target@${res.body.resultantTargetHash}/history/transplant`,
      {
        fromRefName: "no-such-ref",
        hashesToTransplant: [s1],
      },
    );
    expect(unknown.status).toBe(404);
  });
});
