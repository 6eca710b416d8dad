import { type ChildProcess, spawn } from "node:child_process";
import { createServer } from "node:net";
import { fileURLToPath } from "node:url";

/** Runs the real `floe` program (bin/floe.js) in child processes, as a user would. */

const BIN = fileURLToPath(new URL("../../bin/floe.js", import.meta.url));

export interface RunResult {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

export interface SpawnOptions {
  readonly cwd?: string;
  /** Written to the process's standard input, which is then closed (default: no input). */
  readonly stdin?: string;
  readonly env?: Record<string, string | undefined>;
}

/** `floe <args>` to completion. */
export function runFloe(args: readonly string[], opts: SpawnOptions = {}): Promise<RunResult> {
  const child = spawnFloe(args, opts);
  const out = collect(child);
  return new Promise((resolve, reject) => {
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, ...out() }));
  });
}

export interface FloeServer {
  /** The URL the server printed. */
  readonly url: string;
  readonly child: ChildProcess;
  output(): { stdout: string; stderr: string };
  /** Sends `signal` and waits for the exit code. */
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

/** A running `floe` process whose output can be waited for. */
export interface FloeProcess {
  readonly child: ChildProcess;
  output(): { stdout: string; stderr: string };
  /** Resolves with the first match of `pattern` in the stream; rejects if the process exits first. */
  waitFor(stream: "stdout" | "stderr", pattern: RegExp): Promise<RegExpExecArray>;
  /** Sends `signal` (if still running) and waits for the exit code. */
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

export function launchFloe(args: readonly string[], opts: SpawnOptions = {}): FloeProcess {
  const child = spawnFloe(args, opts);
  const output = collect(child);
  const exited = new Promise<number | null>((resolve) => child.on("close", (code) => resolve(code)));
  return {
    child,
    output,
    waitFor: (stream, pattern) =>
      new Promise((resolve, reject) => {
        const check = () => {
          const m = pattern.exec(output()[stream]);
          if (!m) return false;
          child[stream]?.off("data", check);
          resolve(m);
          return true;
        };
        if (check()) return;
        child[stream]?.on("data", check);
        void exited.then((code) => {
          if (check()) return;
          const { stdout, stderr } = output();
          reject(
            new Error(
              `floe ${args.join(" ")} exited with ${code} before printing ${pattern}:\n${stdout}\n${stderr}`,
            ),
          );
        });
      }),
    stop: (signal = "SIGTERM") => {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      return exited;
    },
  };
}

/**
 * Starts `floe <command> <args>` and waits for its ready line: `floe serving <url>` on stderr for
 * `serve`, the end of the banner (`Press Ctrl-C to stop.`) on stdout for `up`.
 */
export async function startFloe(
  command: "serve" | "up",
  args: readonly string[],
  opts: SpawnOptions = {},
): Promise<FloeServer> {
  const proc = launchFloe([command, ...args], opts);
  if (command === "serve") {
    const m = await proc.waitFor("stderr", /floe serving (http:\/\/\S+)/);
    return { ...proc, url: m[1] as string };
  }
  await proc.waitFor("stdout", /Press Ctrl-C to stop\./);
  const m = await proc.waitFor("stdout", /floe is running at (http:\/\/\S+)/);
  return { ...proc, url: m[1] as string };
}

/** Children still running; a failed assertion must not leave a server behind the test run. */
const running = new Set<ChildProcess>();
process.on("exit", () => {
  for (const child of running) child.kill("SIGKILL");
});

/** Kills whatever `floe` processes a test left running (after a failed assertion). */
export async function killLeftovers(): Promise<void> {
  await Promise.all(
    [...running].map(
      (child) =>
        new Promise<void>((resolve) => {
          child.once("exit", () => resolve());
          if (!child.kill("SIGKILL")) resolve();
        }),
    ),
  );
}

function spawnFloe(args: readonly string[], opts: SpawnOptions): ChildProcess {
  const child = spawn(process.execPath, [BIN, ...args], {
    cwd: opts.cwd,
    env: { ...withoutFloeVariables(process.env), ...opts.env },
    stdio: [opts.stdin === undefined ? "ignore" : "pipe", "pipe", "pipe"],
  });
  if (opts.stdin !== undefined) child.stdin?.end(opts.stdin);
  running.add(child);
  child.on("exit", () => running.delete(child));
  return child;
}

/** The test's own FLOE_* settings must not leak into the program under test. */
function withoutFloeVariables(env: NodeJS.ProcessEnv): Record<string, string | undefined> {
  return Object.fromEntries(Object.entries(env).filter(([k]) => !k.startsWith("FLOE_")));
}

function collect(child: ChildProcess): () => { stdout: string; stderr: string } {
  let stdout = "";
  let stderr = "";
  child.stdout?.setEncoding("utf8").on("data", (d: string) => (stdout += d));
  child.stderr?.setEncoding("utf8").on("data", (d: string) => (stderr += d));
  return () => ({ stdout, stderr: withoutNodeWarnings(stderr) });
}

/** Node's own warnings (deprecations of dependencies) are not the program's output. */
function withoutNodeWarnings(stderr: string): string {
  return stderr.replace(/^\(node:\d+\) .*\n(\(Use `node --trace-warnings .*\n)?/gm, "");
}

/** A port on 127.0.0.1 that nothing listens on (it was free a moment ago). */
export async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** A small Nessie API v2 client for setting up commits in tests (the CLI has no commit command). */
export async function commit(
  url: string,
  branch: string,
  expectedHash: string,
  message: string,
  operations: unknown[],
): Promise<{ hash: string; added: Array<{ key: { elements: string[] }; contentId: string }> }> {
  const res = await fetch(`${url}/api/v2/trees/${branch}@${expectedHash}/history/commit`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ commitMeta: { message, authors: ["tester"] }, operations }),
  });
  const body = (await res.json()) as {
    targetBranch?: { hash: string };
    addedContents?: Array<{ key: { elements: string[] }; contentId: string }>;
    message?: string;
  };
  if (!res.ok || !body.targetBranch) throw new Error(`commit failed: ${res.status} ${JSON.stringify(body)}`);
  return { hash: body.targetBranch.hash, added: body.addedContents ?? [] };
}

export async function head(url: string, ref: string): Promise<string> {
  const res = await fetch(`${url}/api/v2/trees/${ref}`);
  const body = (await res.json()) as { reference: { hash: string } };
  return body.reference.hash;
}

export function namespace(...elements: string[]) {
  return { type: "PUT", key: { elements }, content: { type: "NAMESPACE", elements, properties: {} } };
}

export function table(elements: string[], snapshotId: number, id?: string) {
  return {
    type: "PUT",
    key: { elements },
    content: {
      type: "ICEBERG_TABLE",
      ...(id ? { id } : {}),
      metadataLocation: `s3://wh/${elements.join("/")}/metadata/${snapshotId}.metadata.json`,
      snapshotId,
      schemaId: 0,
      specId: 0,
      sortOrderId: 0,
    },
  };
}
