import { Writable } from "node:stream";
import type { FastifyInstance } from "fastify";
import { afterAll, beforeAll, expect, it } from "vitest";
import { buildApp } from "../../src/server/app.ts";
import { openKvStore } from "../../src/storage/open-kv.ts";
import type { VersionStoreApi } from "../../src/versioning/api.ts";
import { openVersionStore } from "../../src/versioning/version-store.ts";
import { branch, call, commitOps, openTestApp, put, table } from "./helpers.ts";

let app: FastifyInstance;
let store: VersionStoreApi;
let close: () => Promise<void>;

beforeAll(async () => {
  ({ app, store, close } = await openTestApp());
});
afterAll(() => close());

it("answers /healthz and /readyz", async () => {
  expect(await call(app, "GET", "/healthz")).toMatchObject({ status: 200, body: { status: "UP" } });
  expect(await call(app, "GET", "/readyz")).toMatchObject({ status: 200, body: { status: "UP" } });
});

it("is not ready once its store is gone", async () => {
  const other = await openVersionStore(await openKvStore("pglite:memory"));
  const otherApp = await buildApp({ store: other });
  await other.close();
  const res = await call(otherApp, "GET", "/readyz");
  expect(res.status).toBe(503);
  expect(res.body).toMatchObject({ status: 503, errorCode: "SERVICE_UNAVAILABLE" });
  expect((await call(otherApp, "GET", "/healthz")).status).toBe(200);
  await otherApp.close();
});

it("exports Prometheus metrics labelled by route pattern", async () => {
  const head = await branch(app, "metrics");
  await commitOps(app, "metrics", head, [put(["t"], table("s3://t"))]);
  await call(app, "GET", "/api/v2/trees/metrics/entries");
  await call(app, "GET", "/api/v2/trees/nope/entries");
  await call(app, "GET", "/no/such/path");
  const res = await app.inject({ method: "GET", url: "/metrics" });
  expect(res.statusCode).toBe(200);
  expect(res.headers["content-type"]).toMatch(/^text\/plain/);
  const text = res.body;
  expect(text).toMatch(
    /^http_requests_total\{method="GET",route="\/api\/v2\/trees\/\{ref\}\/entries",status="200"\} 1$/m,
  );
  expect(text).toMatch(
    /^http_requests_total\{method="GET",route="\/api\/v2\/trees\/\{ref\}\/entries",status="404"\} 1$/m,
  );
  expect(text).toMatch(
    /^http_requests_total\{method="POST",route="\/api\/v2\/trees\/\{ref\}\/history\/commit",status="200"\} 1$/m,
  );
  expect(text).toMatch(/^http_requests_total\{method="GET",route="unmatched",status="404"\} 1$/m);
  expect(text).toMatch(
    /^http_request_duration_seconds_bucket\{le="0.005",method="GET",route="\/api\/v2\/trees\/\{ref\}\/entries",status="200"\} \d+$/m,
  );
  expect(text).toMatch(/^floe_commits_total 1$/m);
  expect(text).toMatch(/^floe_commit_conflicts_total 0$/m);
  expect(text).toMatch(/^# TYPE floe_merges_total counter$/m);
  expect(text).toMatch(/^floe_commit_retries_total \d+$/m);
  expect(text).toMatch(/^floe_store_operation_duration_seconds_count\{op="compareAndSet"\} [1-9]\d*$/m);
  expect(text).not.toMatch(/nope/);
});

it("writes JSON logs when the logger is on", async () => {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _enc, done) {
      lines.push(...chunk.toString().split("\n").filter(Boolean));
      done();
    },
  });
  const logged = await buildApp({ store, logger: { level: "info", stream } });
  await logged.inject({ method: "GET", url: "/api/v2/config" });
  await logged.close();
  const entries = lines.map((l) => JSON.parse(l) as { msg: string; req?: { url: string } });
  expect(entries.some((e) => e.req?.url === "/api/v2/config")).toBe(true);
});

it("lets in-flight requests finish on close", async () => {
  let entered!: () => void;
  const inside = new Promise<void>((r) => (entered = r));
  let release!: () => void;
  const gate = new Promise<void>((r) => (release = r));
  // The real store, with its reference listing held until the server is closing.
  const slow = new Proxy(store, {
    get(target, prop, receiver) {
      if (prop === "listReferences") {
        return async (...args: Parameters<VersionStoreApi["listReferences"]>) => {
          entered();
          await gate;
          return target.listReferences(...args);
        };
      }
      const v = Reflect.get(target, prop, receiver) as unknown;
      return typeof v === "function" ? v.bind(target) : v;
    },
  });
  const server = await buildApp({ store: slow });
  const address = await server.listen({ port: 0, host: "127.0.0.1" });
  const pending = fetch(`${address}/api/v2/trees`);
  await inside;
  const closing = server.close();
  release();
  const res = await pending;
  expect(res.status).toBe(200);
  expect(((await res.json()) as { references: unknown[] }).references.length).toBeGreaterThan(0);
  await closing;
});
