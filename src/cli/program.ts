import { readFileSync } from "node:fs";
import { Command } from "commander";
import { registerBackup } from "./commands/backup.ts";
import { registerConfig } from "./commands/config.ts";
import { registerContentCommands } from "./commands/contents.ts";
import { registerDoctor } from "./commands/doctor.ts";
import { registerIngest } from "./commands/ingest.ts";
import { registerLog } from "./commands/log.ts";
import { registerMerge } from "./commands/merge.ts";
import { registerPlatform } from "./commands/platform.ts";
import { registerRefCommands } from "./commands/refs.ts";
import { registerServe } from "./commands/serve.ts";
import { registerSql } from "./commands/sql.ts";
import { registerUp } from "./commands/up.ts";

/** The `floe` command: the server (`up`, `serve`), client commands over HTTP, and `config`. */
export function buildProgram(): Command {
  const pkg = JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8")) as {
    version: string;
  };
  const program = new Command("floe")
    .description("floe: a git-like Iceberg catalog that speaks Nessie API v2")
    .version(pkg.version, "-V, --version")
    .showSuggestionAfterError();
  registerUp(program);
  registerServe(program);
  registerRefCommands(program, "branch");
  registerRefCommands(program, "tag");
  registerLog(program);
  registerContentCommands(program);
  registerMerge(program);
  registerSql(program);
  registerIngest(program);
  registerConfig(program);
  registerPlatform(program);
  registerDoctor(program);
  registerBackup(program);
  program.addHelpText(
    "after",
    [
      "",
      "Client commands talk to a running server: --uri, FLOE_URI, or the host and port of the",
      "configuration (default http://127.0.0.1:19120). Settings: docs/configuration.md.",
      "",
      "Examples:",
      "  $ floe up",
      "  $ floe branch create dev",
      "  $ floe log dev -n 5",
      "  $ floe merge dev --into main",
      '  $ floe sql -e "SELECT * FROM sales.orders"',
    ].join("\n"),
  );
  return program;
}
