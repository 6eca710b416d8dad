import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CreateMultipartUploadCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
  S3ServiceException,
  UploadPartCommand,
} from "@aws-sdk/client-s3";
import { createReadStream } from "node:fs";
import { stat } from "node:fs/promises";
import type { Readable } from "node:stream";
import { FloeError } from "../core/errors.ts";
import { formatLocation, keyWithin, type Location, parseRoot } from "./location.ts";
import {
  checkListLimit,
  checkRange,
  decodePageToken,
  encodePageToken,
  type ObjectInfo,
  type ObjectPage,
  type ObjectStore,
} from "./object-store.ts";

/** How floe reaches an S3 server; every field is optional (AWS, us-east-1, the default credentials). */
export interface S3Settings {
  /** `http(s)://host:port` of an S3-compatible server; AWS when absent. */
  readonly endpoint?: string;
  /** Signing region; `us-east-1` when absent (what most S3-compatible servers expect). */
  readonly region?: string;
  /** Path-style addressing (`endpoint/bucket/key`); defaults to true when `endpoint` is set. */
  readonly pathStyle?: boolean;
  /** Static keys; without them the SDK's default chain (environment, profile, IMDS/IRSA) is used. */
  readonly accessKeyId?: string;
  readonly secretAccessKey?: string;
  readonly sessionToken?: string;
  /** Objects larger than this many bytes are uploaded in parts (default 32 MiB). */
  readonly multipartThreshold?: number;
  /** Size of each part of a multipart upload (default 16 MiB; S3's minimum is 5 MiB). */
  readonly partSize?: number;
  /**
   * Whether the server honours `If-None-Match: *` on PutObject and CompleteMultipartUpload (AWS since
   * 2024, SeaweedFS, MinIO, recent Ceph RGW). When false, putIfAbsent is HEAD-then-PUT, which two
   * racing writers can both win. Default true.
   */
  readonly conditionalWrites?: boolean;
}

const MiB = 1024 * 1024;
const PARALLEL_PARTS = 4;
/** Attempts of a request whose body is read from a file as it is sent (the SDK retries none). */
const STREAMED_ATTEMPTS = 4;

/**
 * What an upload sends: bytes in memory (the SDK retries their requests itself), or a local file
 * read as each request sends it, so no more than a stream's buffer of it is ever in memory.
 */
interface Source {
  readonly size: number;
  /** The bytes `[start, end)` as a request body: a new stream of a file for each attempt. */
  body(start: number, end: number): Uint8Array | Readable;
  readonly streamed: boolean;
}

const bytesSource = (bytes: Uint8Array): Source => ({
  size: bytes.length,
  body: (start, end) => bytes.subarray(start, end),
  streamed: false,
});

const fileSource = (file: string, size: number): Source => ({
  size,
  // an empty range still needs a body: createReadStream's `end` is inclusive
  body: (start, end) => (end > start ? createReadStream(file, { start, end: end - 1 }) : new Uint8Array(0)),
  streamed: true,
});

// The SDK warns on the console when a request with a streamed body fails (it cannot retry it);
// putFile retries such requests itself, so its warnings are not the user's business.
const quietLogger = { debug() {}, info() {}, warn() {}, error() {} };

/**
 * Objects in an S3 bucket under an optional key prefix. Checksums are computed and validated only
 * where an operation requires them: the SDK's default CRC32 trailers are rejected by Ceph RGW
 * (docs/object-storage.md).
 */
export class S3ObjectStore implements ObjectStore {
  readonly root: string;
  readonly description: string;
  private readonly rootLoc: Location & { kind: "s3" };
  private readonly client: S3Client;
  private readonly threshold: number;
  private readonly partSize: number;
  private readonly conditional: boolean;

  constructor(root: string, settings: S3Settings = {}) {
    const loc = parseRoot(root);
    if (loc.kind !== "s3") throw new FloeError("BAD_REQUEST", `Not an S3 location: '${root}'`);
    this.rootLoc = loc;
    this.root = formatLocation(loc).replace(/\/$/, "");
    this.threshold = settings.multipartThreshold ?? 32 * MiB;
    this.partSize = Math.max(settings.partSize ?? 16 * MiB, 5 * MiB);
    this.conditional = settings.conditionalWrites ?? true;
    // floe pins an SDK release that supports Node 20 (package.json); its notice that later releases
    // will not would otherwise print on every command that opens an S3 store
    process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= "true";
    const { accessKeyId, secretAccessKey, sessionToken } = settings;
    this.client = new S3Client({
      region: settings.region ?? "us-east-1",
      ...(settings.endpoint ? { endpoint: settings.endpoint } : {}),
      forcePathStyle: settings.pathStyle ?? settings.endpoint !== undefined,
      ...(accessKeyId && secretAccessKey
        ? { credentials: { accessKeyId, secretAccessKey, ...(sessionToken ? { sessionToken } : {}) } }
        : {}),
      requestChecksumCalculation: "WHEN_REQUIRED",
      responseChecksumValidation: "WHEN_REQUIRED",
      logger: quietLogger,
    });
    this.description = `S3 ${this.root}${settings.endpoint ? ` at ${settings.endpoint}` : ""}`;
  }

  async get(path: string): Promise<Uint8Array> {
    const Key = this.key(path);
    try {
      const res = await this.client.send(new GetObjectCommand({ Bucket: this.bucket, Key }));
      return await res.Body!.transformToByteArray();
    } catch (e) {
      throw this.translate(e, "get", path);
    }
  }

  async getRange(path: string, offset: number, length: number): Promise<Uint8Array> {
    checkRange(offset, length);
    const Key = this.key(path);
    if (length === 0) {
      if ((await this.head(path)) === undefined) throw notFound(path);
      return new Uint8Array(0);
    }
    try {
      const Range = `bytes=${offset}-${offset + length - 1}`;
      const res = await this.client.send(new GetObjectCommand({ Bucket: this.bucket, Key, Range }));
      return await res.Body!.transformToByteArray();
    } catch (e) {
      // 416: the range starts at or past the end of an object that exists
      if (e instanceof S3ServiceException && e.$metadata.httpStatusCode === 416) return new Uint8Array(0);
      throw this.translate(e, "getRange", path);
    }
  }

  async put(path: string, bytes: Uint8Array): Promise<void> {
    await this.write(this.key(path), path, bytesSource(bytes), false);
  }

  async putFile(path: string, file: string): Promise<void> {
    const Key = this.key(path);
    const { size } = await stat(file);
    await this.write(Key, path, fileSource(file, size), false);
  }

  async putIfAbsent(path: string, bytes: Uint8Array): Promise<boolean> {
    const Key = this.key(path);
    if (!this.conditional) {
      if ((await this.head(path)) !== undefined) return false;
      await this.write(Key, path, bytesSource(bytes), false);
      return true;
    }
    // 409 ConditionalRequestConflict: another conditional write on the key is in flight (AWS); retry
    for (let attempt = 0; ; attempt++) {
      try {
        return await this.write(Key, path, bytesSource(bytes), true);
      } catch (e) {
        if (!(e instanceof FloeError && e.kind === "REFERENCE_CONFLICT") || attempt >= 8) throw e;
        await new Promise((r) => setTimeout(r, 20 * 2 ** attempt));
      }
    }
  }

  async list(prefix: string, opts: { pageToken?: string; limit?: number } = {}): Promise<ObjectPage> {
    const rel = keyWithin(this.rootLoc, prefix, { prefix: true });
    const limit = checkListLimit(opts.limit);
    const Prefix = this.rootLoc.key === "" ? rel : `${this.rootLoc.key}/${rel}`;
    const after = decodePageToken(opts.pageToken);
    try {
      const res = await this.client.send(
        new ListObjectsV2Command({
          Bucket: this.bucket,
          ...(Prefix ? { Prefix } : {}),
          ...(after !== undefined ? { StartAfter: after } : {}),
          MaxKeys: Math.min(limit, 1000),
        }),
      );
      const items = (res.Contents ?? []).map((o) => ({
        path: `s3://${this.bucket}/${o.Key!}`,
        size: o.Size ?? 0,
        lastModified: o.LastModified ?? new Date(0),
      }));
      const last = res.Contents?.at(-1)?.Key;
      return res.IsTruncated && last !== undefined ? { items, nextToken: encodePageToken(last) } : { items };
    } catch (e) {
      throw this.translate(e, "list", prefix);
    }
  }

  async delete(path: string): Promise<void> {
    const Key = this.key(path);
    try {
      await this.client.send(new DeleteObjectCommand({ Bucket: this.bucket, Key }));
    } catch (e) {
      const err = this.translate(e, "delete", path);
      if (!(err instanceof FloeError && err.kind === "NOT_FOUND")) throw err;
    }
  }

  async head(path: string): Promise<ObjectInfo | undefined> {
    const Key = this.key(path);
    try {
      const res = await this.client.send(new HeadObjectCommand({ Bucket: this.bucket, Key }));
      return { size: res.ContentLength ?? 0, lastModified: res.LastModified ?? new Date(0) };
    } catch (e) {
      const err = this.translate(e, "head", path);
      if (err instanceof FloeError && err.kind === "NOT_FOUND") return undefined;
      throw err;
    }
  }

  async close(): Promise<void> {
    this.client.destroy();
  }

  private get bucket(): string {
    return this.rootLoc.bucket;
  }

  /** The bucket key of a location inside the root. */
  private key(path: string): string {
    const rel = keyWithin(this.rootLoc, path);
    return this.rootLoc.key === "" ? rel : `${this.rootLoc.key}/${rel}`;
  }

  /** One PUT, or a multipart upload above the threshold; with `ifAbsent`, false on 412. */
  private async write(Key: string, path: string, source: Source, ifAbsent: boolean): Promise<boolean> {
    const condition = ifAbsent ? { IfNoneMatch: "*" } : {};
    const op = ifAbsent ? "putIfAbsent" : "put";
    try {
      if (source.size <= this.threshold) {
        await this.sendBody(source, 0, source.size, op, path, (Body) =>
          this.client.send(
            new PutObjectCommand({
              Bucket: this.bucket,
              Key,
              Body,
              ContentLength: source.size,
              ...condition,
            }),
          ),
        );
        return true;
      }
      const { UploadId } = await this.client.send(
        new CreateMultipartUploadCommand({ Bucket: this.bucket, Key }),
      );
      try {
        const Parts = await this.uploadParts(Key, UploadId!, source, path);
        await this.client.send(
          new CompleteMultipartUploadCommand({
            Bucket: this.bucket,
            Key,
            UploadId,
            MultipartUpload: { Parts },
            ...condition,
          }),
        );
        return true;
      } catch (e) {
        await this.client
          .send(new AbortMultipartUploadCommand({ Bucket: this.bucket, Key, UploadId }))
          .catch(() => undefined);
        throw e;
      }
    } catch (e) {
      if (ifAbsent && e instanceof S3ServiceException && e.$metadata.httpStatusCode === 412) return false;
      throw this.translate(e, op, path);
    }
  }

  private async uploadParts(Key: string, UploadId: string, source: Source, path: string) {
    const count = Math.ceil(source.size / this.partSize);
    const parts: Array<{ PartNumber: number; ETag: string }> = new Array(count);
    let next = 0;
    const worker = async () => {
      for (let i = next++; i < count; i = next++) {
        const start = i * this.partSize;
        const end = Math.min(source.size, start + this.partSize);
        const res = await this.sendBody(source, start, end, "put", path, (Body) =>
          this.client.send(
            new UploadPartCommand({
              Bucket: this.bucket,
              Key,
              UploadId,
              PartNumber: i + 1,
              Body,
              ContentLength: end - start,
            }),
          ),
        );
        parts[i] = { PartNumber: i + 1, ETag: res.ETag! };
      }
    };
    await Promise.all(Array.from({ length: Math.min(PARALLEL_PARTS, count) }, worker));
    return parts;
  }

  /**
   * Sends a request whose body is `source`'s bytes `[start, end)`. A streamed body is read again
   * for each attempt: an error the server or the network may not repeat (5xx, 429, a reset
   * connection) is retried up to STREAMED_ATTEMPTS times, with a growing pause.
   */
  private async sendBody<T>(
    source: Source,
    start: number,
    end: number,
    op: string,
    path: string,
    request: (body: Uint8Array | Readable) => Promise<T>,
  ): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      const body = source.body(start, end);
      try {
        return await request(body);
      } catch (e) {
        if (!source.streamed || attempt >= STREAMED_ATTEMPTS) throw e;
        const err = this.translate(e, op, path);
        if (!(err instanceof FloeError && err.retryable && err.kind === "SERVICE_UNAVAILABLE")) throw e;
        await new Promise((r) => setTimeout(r, 100 * 2 ** attempt));
      } finally {
        if (typeof (body as Readable).destroy === "function") (body as Readable).destroy();
      }
    }
  }

  /** An S3 or network error as a FloeError. */
  private translate(e: unknown, op: string, path: string): unknown {
    if (e instanceof FloeError) return e;
    const where = `S3 ${op} '${path}'`;
    if (e instanceof S3ServiceException) {
      const status = e.$metadata.httpStatusCode ?? 0;
      // a location naming a bucket that is not there: the caller's location is wrong, not the
      // server (a 5xx would make Iceberg clients report "commit state unknown")
      if (e.name === "NoSuchBucket") {
        return new FloeError("BAD_REQUEST", `${where}: bucket '${this.bucket}' does not exist`);
      }
      if (e.name === "NoSuchKey" || e.name === "NotFound" || status === 404) return notFound(path);
      if (status === 409 && e.name === "ConditionalRequestConflict") {
        return new FloeError("REFERENCE_CONFLICT", `${where}: concurrent conditional write`, {
          retryable: true,
        });
      }
      if (status >= 500 || status === 429 || e.name === "SlowDown") {
        return new FloeError("SERVICE_UNAVAILABLE", `${where}: ${e.name} (HTTP ${status})`, {
          retryable: true,
        });
      }
      return new FloeError("INTERNAL", `${where}: ${e.name}: ${e.message} (HTTP ${status})`);
    }
    const code = (e as { code?: string } | null)?.code;
    if (code && /^(ECONNREFUSED|ECONNRESET|ETIMEDOUT|EPIPE|ENOTFOUND|EAI_AGAIN)$/.test(code)) {
      return new FloeError("SERVICE_UNAVAILABLE", `${where}: ${code}`, { retryable: true });
    }
    return e;
  }
}

function notFound(path: string): FloeError {
  return new FloeError("NOT_FOUND", `No object at '${path}'`);
}
