import { existsSync, mkdirSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import type { Command } from "commander";
import type { FastifyInstance } from "fastify";
import { type FloeConfig, loadConfig, redactStoreUrl } from "../../core/config.ts";
import { examples } from "../common.ts";
import { demoLines, loadDemo } from "../demo.ts";
import { printLine } from "../output.ts";
import { connectionSnippets } from "../snippets.ts";
import { type ServerFlags, serveUntilStopped, serverFlags, serverOptions } from "./serve.ts";

/** Where `floe up` keeps everything by default. */
const DATA_DIR = ".floe";

/** `floe up` (= `npm start`): `serve` with embedded defaults, plus how to connect. */
export function registerUp(program: Command): void {
  examples(
    serverOptions(
      program
        .command("up")
        .description(
          "start floe on this machine: embedded catalog and warehouse in ./.floe, server on 127.0.0.1:19120, " +
            "then print how to connect Spark, Trino, pyiceberg and DuckDB",
        ),
    ),
    ["floe up", "npm start", "floe up --demo", "npm start -- --demo", "floe up --port 19200 --log-file -"],
  )
    .option(
      "--demo",
      "on first use, load a small generated dataset (namespace demo) on main and a dev branch",
    )
    .action(async (opts: ServerFlags & { readonly demo?: boolean }) => {
      const { config } = loadConfig({
        flags: serverFlags(opts),
        configFile: opts.config,
        defaults: { logFile: `${DATA_DIR}/floe.log` },
      });
      let firstRun = false;
      const prepare = () => {
        firstRun = prepareLocalDirs(config);
        if (firstRun)
          printLine(`Creating the catalog in ./${DATA_DIR} (first run: this takes a few seconds)…`);
      };
      let demo: string[] = [];
      if (opts.demo === true) {
        // Before the server: an embedded store is open in one place at a time.
        prepare();
        printLine("Loading the demo data…");
        demo = demoLines(await loadDemo(config, process.env.USER ?? "floe"), config.defaultBranch);
      }
      await serveUntilStopped(config, {
        starting: () => {
          if (opts.demo !== true) prepare();
        },
        ready: (server) => {
          void probeFaces(server.app, config.defaultBranch).then((faces) => {
            for (const line of banner(config, server.url, server.storeDescription, faces, firstRun, demo)) {
              printLine(line);
            }
          });
        },
      });
    });
}

/** Creates the directories of a local store, warehouse and log; true when ./.floe was new. */
function prepareLocalDirs(config: FloeConfig): boolean {
  const firstRun = !existsSync(DATA_DIR);
  const pglite = /^pglite:(.+)$/.exec(config.store)?.[1];
  if (pglite !== undefined && pglite !== "memory") mkdirSync(dirname(resolve(pglite)), { recursive: true });
  const warehouse = localPath(config.warehouse);
  if (warehouse !== undefined) mkdirSync(warehouse, { recursive: true });
  if (config.logFile !== "-") mkdirSync(dirname(resolve(config.logFile)), { recursive: true });
  return firstRun && existsSync(DATA_DIR);
}

interface Faces {
  readonly nessie: boolean;
  readonly icebergRest: boolean;
}

/** Asks the app itself which APIs it serves, so the banner never advertises a missing one. */
async function probeFaces(app: FastifyInstance, branch: string): Promise<Faces> {
  const ok = (url: string) =>
    app.inject({ method: "GET", url }).then(
      (res) => res.statusCode === 200,
      () => false,
    );
  const [nessie, icebergRest] = await Promise.all([
    ok("/api/v2/config"),
    ok(`/iceberg/${encodeURIComponent(branch)}/v1/config`),
  ]);
  return { nessie, icebergRest };
}

function banner(
  config: FloeConfig,
  url: string,
  store: string,
  faces: Faces,
  firstRun: boolean,
  demo: readonly string[],
): string[] {
  const local = localPath(config.warehouse);
  const warehouse = local === undefined ? config.warehouse : pathToFileURL(local).href;
  const lines = [
    `floe is running at ${url}`,
    "",
    `  catalog         ${redactStoreUrl(store)}${firstRun ? "  (new)" : ""}`,
    `  warehouse       ${warehouse}`,
    `  default branch  ${config.defaultBranch}`,
    `  log             ${config.logFile === "-" ? "standard output" : config.logFile}`,
    `  health          ${url}/healthz   metrics ${url}/metrics`,
  ];
  for (const s of connectionSnippets({ url, branch: config.defaultBranch, warehouse, ...faces })) {
    lines.push("", `${s.title}:`, ...s.lines.map((l) => `  ${l}`));
  }
  if (!faces.icebergRest) {
    lines.push(
      "",
      "Iceberg REST (/iceberg/…) is not served by this version yet: pyiceberg and DuckDB, which need it,",
      "can connect once it is; Spark and Trino work now through the Nessie API above.",
    );
  }
  lines.push("", ...demo);
  if (demo.length > 0) lines.pop(); // demoLines ends with a blank line
  lines.push(
    "",
    `Try, in another terminal: node bin/floe.js branch ${demo.length > 0 ? "list" : "create dev"}   node bin/floe.js log   node bin/floe.js --help`,
    "(`npm link` puts `floe` on your PATH.)  Press Ctrl-C to stop.",
  );
  return lines;
}

/** The absolute directory of a local warehouse (a path or file: URL); undefined for s3:// and the like. */
function localPath(location: string): string | undefined {
  if (location.startsWith("file:")) return fileURLToPath(location);
  return /^[a-z][a-z0-9+.-]*:\/\//i.test(location) ? undefined : resolve(location);
}
