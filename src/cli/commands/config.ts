import type { Command } from "commander";
import { CONFIG_KEYS, SETTINGS, describeSource, loadConfig, redactStoreUrl } from "../../core/config.ts";
import { examples } from "../common.ts";
import { printJson, printLine, printTable } from "../output.ts";
import { type ServerFlags, serverFlags, serverOptions } from "./serve.ts";

/** `floe config`: the effective configuration and where each value came from. */
export function registerConfig(program: Command): void {
  examples(
    serverOptions(
      program
        .command("config")
        .description("show the effective configuration and the source of each setting")
        .option("--uri <url>", "floe server the client commands talk to")
        .option("--json", "print machine-readable JSON"),
    ),
    ["floe config", "FLOE_PORT=8080 floe config --json"],
  ).action((opts: ServerFlags & { uri?: string; json?: boolean }) => {
    const { config, sources, file } = loadConfig({
      flags: { ...serverFlags(opts), uri: opts.uri },
      configFile: opts.config,
    });
    const shown = {
      ...config,
      store: redactStoreUrl(config.store),
      ...(config["s3.secret-access-key"] !== undefined ? { "s3.secret-access-key": "***" } : {}),
    };
    if (opts.json) {
      const bySource = Object.fromEntries(CONFIG_KEYS.map((k) => [k, describeSource(sources[k])]));
      return printJson({ config: shown, sources: bySource, file: file ?? null });
    }
    printLine(file ? `config file: ${file}` : "config file: none");
    printTable(
      ["SETTING", "VALUE", "SOURCE", "ENV", "FLAG"],
      CONFIG_KEYS.map((k) => [
        k,
        shown[k] === undefined ? "(not set)" : String(shown[k]),
        describeSource(sources[k]),
        SETTINGS[k].env,
        SETTINGS[k].flag,
      ]),
      "",
    );
  });
}
