import type { FastifyInstance } from "fastify";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { branch, call, commitOps, openTestApp, put, table } from "./helpers.ts";

let app: FastifyInstance;
let close: () => Promise<void>;
let noAncestor: string;

beforeAll(async () => {
  ({ app, close } = await openTestApp());
  noAncestor = (await call(app, "GET", "/api/v2/config")).body.noAncestorHash;
});
afterAll(() => close());

describe("config", () => {
  it("announces API v2 and spec 2.2.0", async () => {
    const res = await call(app, "GET", "/api/v2/config");
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      defaultBranch: "main",
      minSupportedApiVersion: 1,
      maxSupportedApiVersion: 2,
      actualApiVersion: 2,
      specVersion: "2.2.0",
      noAncestorHash: "2e1cfa82b035c26cbbbdae632cea070514eb8b773f616aaeaf668e2f0be8f10d",
    });
    expect(Date.parse(res.body.repositoryCreationTimestamp)).not.toBeNaN();
    expect(res.body.oldestPossibleCommitTimestamp).toBe(res.body.repositoryCreationTimestamp);
  });

  it("has no repository configs and says so when asked to store one", async () => {
    expect((await call(app, "GET", "/api/v2/config/repository?type=GARBAGE_COLLECTOR")).body).toEqual({
      configs: [],
    });
    const res = await call(app, "POST", "/api/v2/config/repository", {
      config: { type: "GARBAGE_COLLECTOR" },
    });
    expect(res.status).toBe(400);
    expect(res.body.message).toMatch(/supports no repository config types/);
    expect((await call(app, "POST", "/api/v2/config/repository", { config: 3 })).status).toBe(400);
  });
});

describe("references", () => {
  it("creates, gets, assigns and deletes branches and tags", async () => {
    const head = await branch(app, "ref-life");
    expect(head).toBe(noAncestor);
    const h1 = await commitOps(app, "ref-life", head, [put(["a"], table("s3://a"))]);

    const tag = await call(app, "POST", "/api/v2/trees?name=ref-life-tag&type=tag", {
      type: "BRANCH",
      name: "ref-life",
      hash: h1,
    });
    expect(tag.status).toBe(200);
    expect(tag.body.reference).toEqual({ type: "TAG", name: "ref-life-tag", hash: h1 });

    const detached = await call(app, "POST", "/api/v2/trees?name=ref-life-2&type=BRANCH", {
      type: "DETACHED",
      hash: h1.slice(0, 10),
    });
    expect(detached.body.reference).toEqual({ type: "BRANCH", name: "ref-life-2", hash: h1 });

    const got = await call(app, "GET", "/api/v2/trees/ref-life-tag");
    expect(got.body.reference).toEqual({ type: "TAG", name: "ref-life-tag", hash: h1 });

    const assigned = await call(app, "PUT", `/api/v2/trees/ref-life-tag@${h1}?type=TAG`, {
      type: "DETACHED",
      hash: noAncestor,
    });
    expect(assigned.status).toBe(200);
    expect(assigned.body.reference).toEqual({ type: "TAG", name: "ref-life-tag", hash: noAncestor });

    const stale = await call(app, "PUT", `/api/v2/trees/ref-life-tag@${h1}`, {
      type: "BRANCH",
      name: "ref-life",
      hash: h1,
    });
    expect(stale.status).toBe(409);
    expect(stale.body.errorCode).toBe("REFERENCE_CONFLICT");

    const relative = await call(app, "PUT", `/api/v2/trees/ref-life-2@${h1}`, {
      type: "BRANCH",
      name: "ref-life",
      hash: `${h1}~1`,
    });
    expect(relative.body.reference.hash).toBe(noAncestor);

    const deleted = await call(app, "DELETE", `/api/v2/trees/ref-life-tag@${noAncestor}?type=tag`);
    expect(deleted.status).toBe(200);
    expect(deleted.body.reference).toEqual({ type: "TAG", name: "ref-life-tag", hash: noAncestor });
    expect((await call(app, "GET", "/api/v2/trees/ref-life-tag")).status).toBe(404);
  });

  it("reads the default branch as '-' and names with '/' as a/b@ or a%2Fb", async () => {
    expect((await call(app, "GET", "/api/v2/trees/-")).body.reference.name).toBe("main");
    const created = await call(app, "POST", "/api/v2/trees?name=team/feature&type=BRANCH", {
      type: "BRANCH",
      name: "main",
      hash: noAncestor,
    });
    expect(created.status).toBe(200);
    expect((await call(app, "GET", "/api/v2/trees/team%2Ffeature")).body.reference.name).toBe("team/feature");
    expect((await call(app, "GET", "/api/v2/trees/team/feature@/entries")).status).toBe(200);
    const h = await commitOps(app, "team/feature", noAncestor, [put(["x"], table("s3://x"))]);
    const log = await call(app, "GET", `/api/v2/trees/team/feature@${h}/history`);
    expect(log.body.logEntries).toHaveLength(1);
    const del = await call(app, "DELETE", `/api/v2/trees/team/feature@${h}`);
    expect(del.status).toBe(200);
  });

  it("adds metadata with fetch=ALL", async () => {
    const head = await branch(app, "ref-meta");
    await commitOps(app, "ref-meta", head, [put(["m"], table("s3://m"))], "meta commit");
    const res = await call(app, "GET", "/api/v2/trees/ref-meta?fetch=ALL");
    expect(res.body.reference.metadata).toMatchObject({
      numCommitsAhead: 1,
      numCommitsBehind: 0,
      numTotalCommits: 1,
      commonAncestorHash: noAncestor,
      commitMetaOfHEAD: { message: "meta commit" },
    });
    const minimal = await call(app, "GET", "/api/v2/trees/ref-meta");
    expect(minimal.body.reference.metadata).toBeUndefined();
  });

  it("lists with paging and CEL filters", async () => {
    for (const n of ["page-a", "page-b", "page-c", "page-d"]) await branch(app, n);
    await call(app, "POST", "/api/v2/trees?name=page-tag&type=TAG", { type: "DETACHED", hash: noAncestor });
    const filter = encodeURIComponent("ref.name.startsWith('page-') && refType == 'BRANCH'");
    const seen: string[] = [];
    let token: string | undefined;
    let pages = 0;
    do {
      const res = await call(
        app,
        "GET",
        `/api/v2/trees?filter=${filter}&max-records=3${token ? `&page-token=${token}` : ""}`,
      );
      expect(res.status).toBe(200);
      seen.push(...res.body.references.map((r: { name: string }) => r.name));
      token = res.body.hasMore ? res.body.token : undefined;
      if (!res.body.hasMore) expect(res.body.token).toBeNull();
      pages++;
    } while (token);
    expect(seen).toEqual(["page-a", "page-b", "page-c", "page-d"]);
    expect(pages).toBe(2);

    const tags = await call(app, "GET", `/api/v2/trees?filter=${encodeURIComponent("refType == 'TAG'")}`);
    expect(tags.body.references.map((r: { name: string }) => r.name)).toEqual(["page-tag"]);

    const withMeta = await call(
      app,
      "GET",
      `/api/v2/trees?fetch=ALL&filter=${encodeURIComponent("refMeta.numTotalCommits > 0 && commit.message == 'meta commit'")}`,
    );
    expect(withMeta.body.references.map((r: { name: string }) => r.name)).toEqual(["ref-meta"]);
  });

  it("answers recent-changes from the HEAD alone (floe keeps no reflog)", async () => {
    const head = await branch(app, "recent");
    const h = await commitOps(app, "recent", head, [put(["r"], table("s3://r"))], "recent commit");
    const res = await call(app, "GET", "/api/v2/trees/recent/recent-changes?scan-commits=5");
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      reference: { type: "BRANCH", name: "recent", hash: h },
      current: { commitHash: h, commitConsistency: "COMMIT_CONSISTENT", meta: { message: "recent commit" } },
      previous: [],
      commitLogConsistency: "COMMIT_CONSISTENT",
    });
    expect((await call(app, "GET", "/api/v2/trees/recent/recent-changes")).body.commitLogConsistency).toBe(
      "NOT_CHECKED",
    );
    expect((await call(app, "GET", `/api/v2/trees/recent@${h}/recent-changes`)).status).toBe(400);
  });
});
