import { mkdtempSync, writeFileSync } from "node:fs";
import { type Server, createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";

/**
 * An in-process Kubernetes API server for the REST calls floe makes: GET of one object and of a
 * collection (list), for core (`/api/v1/…`) and group (`/apis/<group>/<version>/…`) resources,
 * namespaced or not, with the API server's 404 Status. Objects are put by their URL path; a
 * collection lists the objects directly under it. `kubeconfig` is a file pointing at it.
 */
export class FakeKubeApi {
  private readonly objects = new Map<string, Record<string, unknown>>();
  readonly requests: string[] = [];
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

  async start(): Promise<this> {
    this.server = createServer((req, res) => {
      const path = (req.url ?? "/").split("?")[0] ?? "/";
      this.requests.push(`${req.method} ${path}`);
      const send = (code: number, body: unknown) => {
        res.writeHead(code, { "content-type": "application/json" });
        res.end(JSON.stringify(body));
      };
      if (req.method !== "GET")
        return send(405, status(405, "MethodNotAllowed", `${req.method} is not served`));
      const obj = this.objects.get(path);
      if (obj) return send(200, obj);
      const items = [...this.objects.entries()]
        .filter(([p]) => p.startsWith(`${path}/`) && !p.slice(path.length + 1).includes("/"))
        .map(([, o]) => o);
      if (items.length > 0 || this.isCollection(path)) {
        return send(200, { kind: "List", apiVersion: "v1", metadata: { resourceVersion: "1" }, items });
      }
      return send(404, status(404, "NotFound", `${path} not found`));
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
