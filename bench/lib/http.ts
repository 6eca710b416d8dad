import http from "node:http";

/** One HTTP exchange as the load generator sees it. */
export interface Reply {
  readonly status: number;
  readonly body: string;
}

/**
 * A keep-alive HTTP/1.1 client for one server on this machine. It only talks to 127.0.0.1 (or
 * localhost): the benchmark never sends anything off the machine.
 */
export class HttpClient {
  private readonly agent: http.Agent;
  private readonly host: string;
  private readonly port: number;
  /** Path prefix of the API, e.g. `/api/v2`. */
  readonly base: string;

  constructor(baseUrl: string, maxSockets: number) {
    const url = new URL(baseUrl);
    if (url.protocol !== "http:" || !["127.0.0.1", "localhost"].includes(url.hostname)) {
      throw new Error(`the load generator only talks to http://127.0.0.1, not ${baseUrl}`);
    }
    this.host = "127.0.0.1";
    this.port = Number(url.port || 80);
    this.base = url.pathname.replace(/\/+$/, "");
    this.agent = new http.Agent({ keepAlive: true, maxSockets, maxFreeSockets: maxSockets });
  }

  request(method: "GET" | "POST", path: string, json?: unknown): Promise<Reply> {
    const payload = json === undefined ? undefined : Buffer.from(JSON.stringify(json));
    return new Promise<Reply>((resolve, reject) => {
      const req = http.request(
        {
          agent: this.agent,
          host: this.host,
          port: this.port,
          method,
          path: this.base + path,
          headers: {
            accept: "application/json",
            ...(payload ? { "content-type": "application/json", "content-length": payload.length } : {}),
          },
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on("data", (c: Buffer) => chunks.push(c));
          res.on("end", () =>
            resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString("utf8") }),
          );
          res.on("error", reject);
        },
      );
      req.setTimeout(60_000, () => req.destroy(new Error(`${method} ${path}: no answer in 60 s`)));
      req.on("error", reject);
      req.end(payload);
    });
  }

  /** A request that must succeed (setup steps); returns the parsed JSON body. */
  async ok<T>(method: "GET" | "POST", path: string, json?: unknown): Promise<T> {
    const r = await this.request(method, path, json);
    if (r.status < 200 || r.status > 299) {
      throw new Error(`${method} ${path} answered ${r.status}: ${r.body.slice(0, 400)}`);
    }
    return JSON.parse(r.body) as T;
  }

  close(): void {
    this.agent.destroy();
  }
}
