import { gzipSync } from "node:zlib";
import type { FastifyInstance } from "fastify";
import { afterAll, beforeAll, expect, it } from "vitest";
import { branch, call, commitOps, openTestApp, put, table } from "./helpers.ts";

let app: FastifyInstance;
let close: () => Promise<void>;

beforeAll(async () => {
  ({ app, close } = await openTestApp({ bodyLimit: 64 * 1024 }));
});
afterAll(() => close());

it("answers bad input with a clear 4xx in Nessie's error shape and moves no ref", async () => {
  const head = await branch(app, "bad-input");
  const main = (await call(app, "GET", "/api/v2/trees/main")).body.reference.hash as string;
  const ok = [put(["t"], table("s3://w/t"))];
  const commitUrl = `/api/v2/trees/bad-input@${head}/history/commit`;
  const before = (await call(app, "GET", "/api/v2/trees?fetch=ALL")).body;

  const cases: Array<{
    what: string;
    method: "GET" | "POST" | "PUT" | "DELETE";
    url: string;
    body?: unknown;
    headers?: Record<string, string>;
    status: number;
    errorCode: string;
    message?: RegExp;
  }> = [
    {
      what: "malformed JSON",
      method: "POST",
      url: commitUrl,
      body: '{"commitMeta": {',
      status: 400,
      errorCode: "BAD_REQUEST",
      message: /malformed JSON/,
    },
    {
      what: "JSON that is not an object",
      method: "POST",
      url: commitUrl,
      body: "[1, 2]",
      status: 400,
      errorCode: "BAD_REQUEST",
    },
    {
      what: "missing commitMeta",
      method: "POST",
      url: commitUrl,
      body: { operations: ok },
      status: 400,
      errorCode: "BAD_REQUEST",
      message: /commitMeta/,
    },
    {
      what: "blank message",
      method: "POST",
      url: commitUrl,
      body: { commitMeta: { message: " " }, operations: ok },
      status: 400,
      errorCode: "BAD_REQUEST",
      message: /message/,
    },
    {
      what: "operations of the wrong type",
      method: "POST",
      url: commitUrl,
      body: { commitMeta: { message: "m" }, operations: "PUT" },
      status: 400,
      errorCode: "BAD_REQUEST",
      message: /operations/,
    },
    {
      what: "unknown operation type",
      method: "POST",
      url: commitUrl,
      body: { commitMeta: { message: "m" }, operations: [{ type: "RENAME", key: { elements: ["t"] } }] },
      status: 400,
      errorCode: "BAD_REQUEST",
      message: /operations\[0\]\.type/,
    },
    {
      what: "unknown content type",
      method: "POST",
      url: commitUrl,
      body: { commitMeta: { message: "m" }, operations: [put(["t"], { type: "HIVE_TABLE" })] },
      status: 400,
      errorCode: "BAD_REQUEST",
      message: /operations\[0\]\.content\.type/,
    },
    {
      what: "content field of the wrong type",
      method: "POST",
      url: commitUrl,
      body: {
        commitMeta: { message: "m" },
        operations: [put(["t"], { ...table("s3://w/t"), snapshotId: "one" })],
      },
      status: 400,
      errorCode: "BAD_REQUEST",
      message: /snapshotId/,
    },
    {
      what: "missing required content field",
      method: "POST",
      url: commitUrl,
      body: {
        commitMeta: { message: "m" },
        operations: [put(["t"], { type: "ICEBERG_TABLE", snapshotId: 1 })],
      },
      status: 400,
      errorCode: "BAD_REQUEST",
      message: /metadataLocation/,
    },
    {
      what: "client-set committer",
      method: "POST",
      url: commitUrl,
      body: { commitMeta: { message: "m", committer: "me" }, operations: ok },
      status: 400,
      errorCode: "BAD_REQUEST",
      message: /committer/,
    },
    {
      what: "key with a control character",
      method: "POST",
      url: commitUrl,
      body: { commitMeta: { message: "m" }, operations: [put(["a\u0001b"], table("s3://w/t"))] },
      status: 400,
      errorCode: "BAD_REQUEST",
      message: /control character/,
    },
    {
      what: "key over the length limit",
      method: "POST",
      url: commitUrl,
      body: { commitMeta: { message: "m" }, operations: [put(["x".repeat(501)], table("s3://w/t"))] },
      status: 400,
      errorCode: "BAD_REQUEST",
    },
    {
      what: "key with too many elements",
      method: "POST",
      url: commitUrl,
      body: {
        commitMeta: { message: "m" },
        operations: [
          put(
            Array.from({ length: 21 }, () => "k"),
            table("s3://w/t"),
          ),
        ],
      },
      status: 400,
      errorCode: "BAD_REQUEST",
    },
    {
      what: "key with an empty element",
      method: "POST",
      url: commitUrl,
      body: { commitMeta: { message: "m" }, operations: [put(["a", ""], table("s3://w/t"))] },
      status: 400,
      errorCode: "BAD_REQUEST",
    },
    {
      what: "control character in a key in the path",
      method: "GET",
      url: "/api/v2/trees/bad-input/contents/a%01b",
      status: 400,
      errorCode: "BAD_REQUEST",
    },
    {
      what: "bad escape in a key in the path",
      method: "GET",
      url: "/api/v2/trees/bad-input/contents/.a*xb",
      status: 400,
      errorCode: "BAD_REQUEST",
      message: /escape/,
    },
    {
      what: "commit without expected hash",
      method: "POST",
      url: "/api/v2/trees/bad-input/history/commit",
      body: { commitMeta: { message: "m" }, operations: ok },
      status: 400,
      errorCode: "BAD_REQUEST",
      message: /hash must be provided/,
    },
    {
      what: "commit with a relative hash only",
      method: "POST",
      url: "/api/v2/trees/bad-input~1/history/commit",
      body: { commitMeta: { message: "m" }, operations: ok },
      status: 400,
      errorCode: "BAD_REQUEST",
    },
    {
      what: "commit to a detached hash",
      method: "POST",
      url: `/api/v2/trees/@${head}/history/commit`,
      body: { commitMeta: { message: "m" }, operations: ok },
      status: 400,
      errorCode: "BAD_REQUEST",
    },
    {
      what: "unknown expected hash",
      method: "POST",
      url: `/api/v2/trees/bad-input@${"ab".repeat(32)}/history/commit`,
      body: { commitMeta: { message: "m" }, operations: ok },
      status: 404,
      errorCode: "REFERENCE_NOT_FOUND",
    },
    {
      what: "unknown abbreviated hash",
      method: "GET",
      url: "/api/v2/trees/@deadbeef/entries",
      status: 404,
      errorCode: "REFERENCE_NOT_FOUND",
    },
    {
      what: "malformed hash",
      method: "GET",
      url: "/api/v2/trees/@xyz/entries",
      status: 400,
      errorCode: "BAD_REQUEST",
    },
    {
      what: "hash too short",
      method: "GET",
      url: "/api/v2/trees/main@abc/entries",
      status: 400,
      errorCode: "BAD_REQUEST",
    },
    {
      what: "invalid reference name",
      method: "GET",
      url: "/api/v2/trees/a..b/entries",
      status: 400,
      errorCode: "BAD_REQUEST",
    },
    {
      what: "invalid new reference name",
      method: "POST",
      url: "/api/v2/trees?name=-bad&type=BRANCH",
      body: { type: "BRANCH", name: "main", hash: main },
      status: 400,
      errorCode: "BAD_REQUEST",
    },
    {
      what: "forbidden new reference name",
      method: "POST",
      url: "/api/v2/trees?name=DETACHED&type=BRANCH",
      body: { type: "BRANCH", name: "main", hash: main },
      status: 400,
      errorCode: "BAD_REQUEST",
    },
    {
      what: "create without hash",
      method: "POST",
      url: "/api/v2/trees?name=nohash&type=BRANCH",
      body: { type: "BRANCH", name: "main" },
      status: 400,
      errorCode: "BAD_REQUEST",
      message: /hash must be provided/,
    },
    {
      what: "create without type",
      method: "POST",
      url: "/api/v2/trees?name=notype",
      body: { type: "BRANCH", name: "main", hash: main },
      status: 400,
      errorCode: "BAD_REQUEST",
    },
    {
      what: "create with an unknown type",
      method: "POST",
      url: "/api/v2/trees?name=badtype&type=COMMIT",
      body: { type: "BRANCH", name: "main", hash: main },
      status: 400,
      errorCode: "BAD_REQUEST",
    },
    {
      what: "create from an unknown reference",
      method: "POST",
      url: "/api/v2/trees?name=orphan&type=BRANCH",
      body: { type: "BRANCH", name: "nope", hash: main },
      status: 404,
      errorCode: "REFERENCE_NOT_FOUND",
    },
    {
      what: "create an existing reference",
      method: "POST",
      url: "/api/v2/trees?name=bad-input&type=BRANCH",
      body: { type: "BRANCH", name: "main", hash: main },
      status: 409,
      errorCode: "REFERENCE_ALREADY_EXISTS",
    },
    {
      what: "get with a hash",
      method: "GET",
      url: `/api/v2/trees/bad-input@${head}`,
      status: 400,
      errorCode: "BAD_REQUEST",
    },
    {
      what: "assign with a stale expected hash",
      method: "PUT",
      url: `/api/v2/trees/bad-input@${"cd".repeat(32)}`,
      body: { type: "BRANCH", name: "main", hash: main },
      status: 409,
      errorCode: "REFERENCE_CONFLICT",
    },
    {
      what: "assign with the wrong type",
      method: "PUT",
      url: `/api/v2/trees/bad-input@${head}?type=TAG`,
      body: { type: "BRANCH", name: "main", hash: main },
      status: 400,
      errorCode: "BAD_REQUEST",
    },
    {
      what: "delete the default branch",
      method: "DELETE",
      url: `/api/v2/trees/main@${main}`,
      status: 400,
      errorCode: "BAD_REQUEST",
    },
    {
      what: "merge without source hash",
      method: "POST",
      url: `/api/v2/trees/bad-input@${head}/history/merge`,
      body: { fromRefName: "main" },
      status: 400,
      errorCode: "BAD_REQUEST",
    },
    {
      what: "merge with an unknown merge mode",
      method: "POST",
      url: `/api/v2/trees/bad-input@${head}/history/merge`,
      body: { fromRefName: "main", fromHash: main, defaultKeyMergeMode: "SQUASH" },
      status: 400,
      errorCode: "BAD_REQUEST",
      message: /defaultKeyMergeMode/,
    },
    {
      what: "transplant nothing",
      method: "POST",
      url: `/api/v2/trees/bad-input@${head}/history/transplant`,
      body: { fromRefName: "main", hashesToTransplant: [] },
      status: 400,
      errorCode: "BAD_REQUEST",
    },
    {
      what: "unparsable filter",
      method: "GET",
      url: "/api/v2/trees?filter=" + encodeURIComponent("ref.name =="),
      status: 400,
      errorCode: "BAD_REQUEST",
      message: /filter/,
    },
    {
      what: "filter with an unknown variable",
      method: "GET",
      url: "/api/v2/trees/bad-input/entries?filter=" + encodeURIComponent("table == 'x'"),
      status: 400,
      errorCode: "BAD_REQUEST",
      message: /filter/,
    },
    {
      what: "non-numeric max-records",
      method: "GET",
      url: "/api/v2/trees?max-records=ten",
      status: 400,
      errorCode: "BAD_REQUEST",
      message: /max-records/,
    },
    {
      what: "garbage page token",
      method: "GET",
      url: "/api/v2/trees?page-token=%%%",
      status: 400,
      errorCode: "BAD_REQUEST",
    },
    {
      what: "prefix-key with min-key",
      method: "GET",
      url: "/api/v2/trees/bad-input/entries?prefix-key=a&min-key=b",
      status: 400,
      errorCode: "BAD_REQUEST",
    },
    {
      what: "unknown fetch option",
      method: "GET",
      url: "/api/v2/trees?fetch=SOME",
      status: 400,
      errorCode: "BAD_REQUEST",
    },
    {
      what: "wrong content type",
      method: "POST",
      url: commitUrl,
      body: "x",
      headers: { "content-type": "text/plain" },
      status: 415,
      errorCode: "UNSUPPORTED_MEDIA_TYPE",
    },
    {
      what: "body over the limit",
      method: "POST",
      url: commitUrl,
      body: { commitMeta: { message: "x".repeat(70_000) }, operations: ok },
      status: 413,
      errorCode: "PAYLOAD_TOO_LARGE",
    },
    {
      what: "gzip body that expands past the limit",
      method: "POST",
      url: commitUrl,
      body: gzipSync(Buffer.alloc(200_000, 32)),
      headers: { "content-encoding": "gzip" },
      status: 413,
      errorCode: "PAYLOAD_TOO_LARGE",
    },
    {
      what: "body that is not gzip data",
      method: "POST",
      url: commitUrl,
      body: "{}",
      headers: { "content-encoding": "gzip" },
      status: 400,
      errorCode: "BAD_REQUEST",
    },
    {
      what: "unknown content encoding",
      method: "POST",
      url: commitUrl,
      body: "{}",
      headers: { "content-encoding": "zstd-9000" },
      status: 415,
      errorCode: "UNSUPPORTED_MEDIA_TYPE",
    },
    {
      what: "unknown route",
      method: "GET",
      url: "/api/v2/nothing-here",
      status: 404,
      errorCode: "NOT_FOUND",
    },
    {
      what: "unknown route under trees",
      method: "GET",
      url: "/api/v2/trees/main/nothing-here/x",
      status: 404,
      errorCode: "NOT_FOUND",
    },
    {
      what: "unsupported repository config",
      method: "POST",
      url: "/api/v2/config/repository",
      body: { config: { type: "GARBAGE_COLLECTOR" } },
      status: 400,
      errorCode: "BAD_REQUEST",
      message: /not supported/,
    },
  ];

  for (const c of cases) {
    const res = await call(app, c.method, c.url, c.body, c.headers);
    const where = `${c.what}: ${res.status} ${res.text}`;
    expect(res.status, where).toBe(c.status);
    expect(res.body, where).toMatchObject({ status: c.status, errorCode: c.errorCode });
    expect(typeof res.body.reason, where).toBe("string");
    if (c.message) expect(res.body.message, where).toMatch(c.message);
  }

  const after = (await call(app, "GET", "/api/v2/trees?fetch=ALL")).body;
  expect(after).toEqual(before);
  // The same commit, well-formed, still goes through: nothing above left state behind.
  await commitOps(app, "bad-input", head, ok);
});
