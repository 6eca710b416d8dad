import { randomBytes, randomUUID } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer, type IncomingHttpHeaders } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, inject, it } from "vitest";
import { FloeError } from "../../src/core/errors.ts";
import { S3ObjectStore, type S3Settings } from "../../src/storage/s3-object-store.ts";
import { objectStoreContract } from "./object-store-contract.ts";

const s3 = inject("s3");
const MiB = 1024 * 1024;
const settings: S3Settings = {
  endpoint: s3.endpoint,
  accessKeyId: s3.accessKeyId,
  secretAccessKey: s3.secretAccessKey,
  multipartThreshold: 5 * MiB,
  partSize: 5 * MiB,
};
const b = (s: string) => new TextEncoder().encode(s);

async function failure(p: Promise<unknown>): Promise<FloeError> {
  try {
    await p;
  } catch (e) {
    if (e instanceof FloeError) return e;
    throw e;
  }
  throw new Error("expected a failure");
}

objectStoreContract(`S3 at ${s3.endpoint}`, {
  open: async () => new S3ObjectStore(`s3://${s3.bucket}/${randomUUID()}`, settings),
  largeObjectSize: 12 * MiB + 123,
  respell: (location) => location.replace(/^s3:/, "s3a:"),
  outside: () => `s3://${s3.bucket}/elsewhere-${randomUUID()}/x`,
});

describe("S3ObjectStore", () => {
  it("without conditional writes, putIfAbsent is HEAD-then-PUT", async () => {
    const store = new S3ObjectStore(`s3://${s3.bucket}/${randomUUID()}`, {
      ...settings,
      conditionalWrites: false,
    });
    const p = `${store.root}/v1.json`;
    expect(await store.putIfAbsent(p, b("first"))).toBe(true);
    expect(await store.putIfAbsent(p, b("second"))).toBe(false);
    expect(new TextDecoder().decode(await store.get(p))).toBe("first");
    await store.close();
  });

  it("a store over a whole bucket addresses keys from the bucket root", async () => {
    const store = new S3ObjectStore(`s3://${s3.bucket}`, settings);
    expect(store.root).toBe(`s3://${s3.bucket}`);
    const p = `s3://${s3.bucket}/${randomUUID()}/x`;
    await store.put(p, b("x"));
    const inPrefix = new S3ObjectStore(p.slice(0, -2), settings);
    expect((await inPrefix.list(inPrefix.root)).items.map((i) => i.path)).toEqual([p]);
    await store.delete(p);
    await Promise.all([store.close(), inPrefix.close()]);
  });

  it("reports a missing bucket, bad keys and an unreachable server as FloeErrors", async () => {
    const noBucket = new S3ObjectStore(`s3://no-such-bucket-${randomUUID().slice(0, 8)}`, {
      ...settings,
      conditionalWrites: true,
    });
    const missing = await failure(noBucket.get(`${noBucket.root}/x`));
    expect(missing.kind).toBe("BAD_REQUEST");
    expect(missing.message).toContain(`bucket '${noBucket.root.slice("s3://".length)}' does not exist`);
    await noBucket.close();

    const badKeys = new S3ObjectStore(`s3://${s3.bucket}`, { ...settings, secretAccessKey: "wrong" });
    const denied = await failure(badKeys.put(`${badKeys.root}/x`, b("x")));
    expect(denied.kind).toBe("INTERNAL");
    expect(denied.message).toMatch(/HTTP 403/);
    await badKeys.close();

    const down = new S3ObjectStore(`s3://${s3.bucket}`, { ...settings, endpoint: "http://127.0.0.1:1" });
    const refused = await failure(down.head(`${down.root}/x`));
    expect(refused.kind).toBe("SERVICE_UNAVAILABLE");
    expect(refused.retryable).toBe(true);
    await down.close();
  });

  it("retries a streamed putFile on a 503 with the whole file again, and gives up as SERVICE_UNAVAILABLE", async () => {
    const bodies: Array<{ status: number; body: Buffer }> = [];
    let failures = 1;
    const server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on("data", (c: Buffer) => chunks.push(c));
      req.on("end", () => {
        const status = failures-- > 0 ? 503 : 200;
        bodies.push({ status, body: Buffer.concat(chunks) });
        res.writeHead(status, { ETag: '"0"', "Content-Length": "0" });
        res.end();
      });
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    const { port } = server.address() as AddressInfo;
    const store = new S3ObjectStore("s3://bucket", { ...settings, endpoint: `http://127.0.0.1:${port}` });
    const dir = mkdtempSync(join(tmpdir(), "floe-s3-retry-"));
    try {
      const bytes = randomBytes(300_000);
      writeFileSync(join(dir, "f"), bytes);
      await store.putFile("s3://bucket/a", join(dir, "f"));
      expect(bodies.map((r) => r.status)).toEqual([503, 200]);
      expect(bodies[1]?.body.equals(bytes)).toBe(true);

      bodies.length = 0;
      failures = 100;
      const e = await failure(store.putFile("s3://bucket/b", join(dir, "f")));
      expect(e.kind).toBe("SERVICE_UNAVAILABLE");
      expect(e.message).toMatch(/^S3 put 's3:\/\/bucket\/b': .*HTTP 503/);
      expect(bodies.map((r) => r.status)).toEqual([503, 503, 503, 503]);
      for (const r of bodies) expect(r.body.equals(bytes)).toBe(true);
    } finally {
      rmSync(dir, { recursive: true, force: true });
      await store.close();
      server.close();
    }
  });

  it("sends no flexible checksums (Ceph RGW rejects the SDK's default CRC32 trailers)", async () => {
    const seen: Array<{ method: string; headers: IncomingHttpHeaders }> = [];
    const server = createServer((req, res) => {
      seen.push({ method: req.method ?? "", headers: req.headers });
      req.resume();
      req.on("end", () => {
        res.writeHead(200, { ETag: '"0"', "Content-Length": "1" });
        res.end("x");
      });
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    const { port } = server.address() as AddressInfo;
    const store = new S3ObjectStore("s3://bucket", { ...settings, endpoint: `http://127.0.0.1:${port}` });
    const dir = mkdtempSync(join(tmpdir(), "floe-s3-checksums-"));
    try {
      await store.put("s3://bucket/a", b("hello"));
      writeFileSync(join(dir, "f"), "a file, streamed");
      await store.putFile("s3://bucket/f", join(dir, "f"));
      await store.get("s3://bucket/a");
      expect(seen.map((r) => r.method)).toEqual(["PUT", "PUT", "GET"]);
      for (const { headers } of seen) {
        const names = Object.keys(headers);
        expect(
          names.filter((n) => n.startsWith("x-amz-checksum") || n === "x-amz-sdk-checksum-algorithm"),
        ).toEqual([]);
        expect(headers["x-amz-trailer"]).toBeUndefined();
        expect(headers["content-encoding"] ?? "").not.toMatch(/aws-chunked/);
        expect(headers["x-amz-checksum-mode"]).toBeUndefined();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
      await store.close();
      server.close();
    }
  });
});
