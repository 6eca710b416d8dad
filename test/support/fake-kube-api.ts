import { randomUUID } from "node:crypto";
import { mkdtempSync, writeFileSync } from "node:fs";
import { type Server, type ServerResponse, createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";

/**
 * An in-process Kubernetes API server for the REST calls floe makes: GET of one object and of a
 * collection (list), POST of a new object to its collection (201, or 409 AlreadyExists) and
 * DELETE of one object, for core (`/api/v1/…`) and group (`/apis/<group>/<version>/…`)
 * resources, namespaced or not, with the API server's 404 Status. Objects are put by their URL
 * path; a collection lists the objects directly under it. `kubeconfig` is a file pointing at it.
 * A test plays a controller with `next`/`served` (wait for a request) and `setStatus`.
 */
export class FakeKubeApi {
  private readonly objects = new Map<string, Record<string, unknown>>();
  private waiters: Array<{ request: string; resolve: () => void }> = [];
  readonly requests: string[] = [];
  /** The bodies of POST requests, by the path of the object created. */
  readonly created = new Map<string, Record<string, unknown>>();
  private server?: Server;
  url = "";
  kubeconfig = "";

  put(path: string, obj: Record<string, unknown>): this {
    this.objects.set(path, obj);
    return this;
  }

  remove(path: string): this {
    this.objects.delete(path);
    return this;
  }

  get(path: string): Record<string, unknown> | undefined {
    return this.objects.get(path);
  }

  /** Replaces the status of an existing object, as its controller would. */
  setStatus(path: string, status: Record<string, unknown>): this {
    const obj = this.objects.get(path);
    if (!obj) throw new Error(`setStatus: no object at ${path}`);
    this.objects.set(path, { ...obj, status });
    return this;
  }

  /** Resolves once a request `METHOD /path` has been answered (at once if one already was). */
  served(request: string): Promise<void> {
    if (this.requests.includes(request)) return Promise.resolve();
    return this.next(request);
  }

  /** Resolves once the next request `METHOD /path` from now on has been answered. */
  next(request: string): Promise<void> {
    return new Promise((resolve) => this.waiters.push({ request, resolve }));
  }

  async start(): Promise<this> {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on("data", (c: Buffer) => chunks.push(c));
      req.on("end", () => this.handle(req.method ?? "GET", req.url ?? "/", Buffer.concat(chunks), res));
    });
    await new Promise<void>((resolve) => this.server!.listen(0, "127.0.0.1", resolve));
    this.url = `http://127.0.0.1:${(this.server!.address() as AddressInfo).port}`;
    const dir = mkdtempSync(join(tmpdir(), "floe-fake-kube-"));
    this.kubeconfig = join(dir, "kubeconfig");
    writeFileSync(
      this.kubeconfig,
      [
        "apiVersion: v1",
        "kind: Config",
        // client-node talks plain HTTP only to a cluster marked insecure-skip-tls-verify
        "clusters: [{name: fake, cluster: {server: '" + this.url + "', insecure-skip-tls-verify: true}}]",
        "users: [{name: tester, user: {token: test-token}}]",
        "contexts: [{name: fake, context: {cluster: fake, user: tester}}]",
        "current-context: fake",
        "",
      ].join("\n"),
    );
    return this;
  }

  private handle(method: string, url: string, body: Buffer, res: ServerResponse): void {
    const path = url.split("?")[0] ?? "/";
    const request = `${method} ${path}`;
    const send = (code: number, out: unknown) => {
      res.writeHead(code, { "content-type": "application/json" });
      res.end(JSON.stringify(out));
      this.requests.push(request);
      const ready = this.waiters.filter((w) => w.request === request);
      this.waiters = this.waiters.filter((w) => w.request !== request);
      for (const w of ready) w.resolve();
    };
    if (method === "POST") return this.create(path, body, send);
    const obj = this.objects.get(path);
    if (method === "DELETE") {
      if (!obj) return send(404, status(404, "NotFound", `${path} not found`));
      this.objects.delete(path);
      return send(200, obj);
    }
    if (method !== "GET") return send(405, status(405, "MethodNotAllowed", `${method} is not served`));
    if (obj) return send(200, obj);
    const items = [...this.objects.entries()]
      .filter(([p]) => p.startsWith(`${path}/`) && !p.slice(path.length + 1).includes("/"))
      .map(([, o]) => o);
    if (items.length > 0 || this.isCollection(path)) {
      return send(200, { kind: "List", apiVersion: "v1", metadata: { resourceVersion: "1" }, items });
    }
    return send(404, status(404, "NotFound", `${path} not found`));
  }

  private create(path: string, body: Buffer, send: (code: number, out: unknown) => void): void {
    let obj: Record<string, unknown> & { metadata?: Record<string, unknown> };
    try {
      obj = JSON.parse(body.toString("utf8")) as typeof obj;
    } catch {
      return send(400, status(400, "BadRequest", "the body is not JSON"));
    }
    const name = obj.metadata?.name;
    if (typeof name !== "string" || !this.isCollection(path))
      return send(400, status(400, "BadRequest", `cannot create ${path}/${String(name)}`));
    const at = `${path}/${name}`;
    if (this.objects.has(at)) return send(409, status(409, "AlreadyExists", `${name} already exists`));
    const stored = {
      ...obj,
      metadata: { ...obj.metadata, uid: randomUUID(), creationTimestamp: new Date().toISOString() },
    };
    this.created.set(at, obj);
    this.objects.set(at, stored);
    send(201, stored);
  }

  /** Collections that exist even when empty: every known plural an object was ever put under. */
  private isCollection(path: string): boolean {
    if (path.startsWith("/apis/metrics.k8s.io/")) return false;
    return /\/(nodes|secrets|deployments|objectbucketclaims|sparkapplications|clusters|cephobjectstores)$/.test(
      path,
    );
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }
}

function status(code: number, reason: string, message: string) {
  return { kind: "Status", apiVersion: "v1", metadata: {}, status: "Failure", message, reason, code };
}
