import type { Command } from "commander";
import { doctor } from "../../platform/doctor.ts";
import { connectKube } from "../../platform/kube.ts";
import { PLATFORM_FILE, readPlatformFile } from "../../platform/platform-file.ts";
import { badRequest } from "../../core/errors.ts";
import { examples } from "../common.ts";
import { printJson, printLine, printTable } from "../output.ts";

export interface LiveFlags {
  readonly file: string;
  readonly kubeconfig?: string;
  readonly context?: string;
  readonly floeUrl?: string;
  readonly s3Endpoint?: string;
  readonly trinoUrl?: string;
  readonly json?: boolean;
}

/** The options of commands that check the live platform (`doctor`, `platform review`). */
export function liveOptions(cmd: Command): Command {
  return cmd
    .option("-f, --file <file>", "platform definition", PLATFORM_FILE)
    .option("--kubeconfig <file>", "kubeconfig (default $KUBECONFIG, ~/.kube/config, or in-cluster)")
    .option("--context <name>", "kubeconfig context")
    .option("--floe-url <url>", "floe as reachable from here, for /readyz and the smoke test")
    .option("--s3-endpoint <url>", "S3 as reachable from here (default: the platform's endpoint)")
    .option("--trino-url <url>", "Trino as reachable from here, for /v1/info and SHOW SCHEMAS")
    .option("--json", "print machine-readable JSON");
}

/** The context of live checks from the flags; a kubeconfig that cannot be loaded throws. */
export function liveContext(opts: LiveFlags) {
  const platform = readPlatformFile(opts.file);
  const kube = connectKube({
    ...(opts.kubeconfig ? { kubeconfig: opts.kubeconfig } : {}),
    ...(opts.context ? { context: opts.context } : {}),
  });
  const trim = (u: string | undefined) => u?.replace(/\/+$/, "");
  return {
    platform,
    kube,
    ...(opts.floeUrl ? { floeUrl: trim(opts.floeUrl) } : {}),
    ...(opts.s3Endpoint ? { s3Endpoint: trim(opts.s3Endpoint) } : {}),
    ...(opts.trinoUrl ? { trinoUrl: trim(opts.trinoUrl) } : {}),
  };
}

/** `floe doctor`: checks the live platform and says what is wrong and how to fix it. */
export function registerDoctor(program: Command): void {
  examples(
    liveOptions(
      program
        .command("doctor")
        .description("check the platform on Kubernetes; exit 0 ok, 1 warning, 2 failure, 3 error"),
    ),
    ["floe doctor", "floe doctor --floe-url http://127.0.0.1:19120 --json", "floe doctor --no-spark-pi"],
  )
    .option("--no-spark-pi", "do not run a SparkPi application")
    .option("--spark-pi-timeout <duration>", "how long to wait for the SparkPi run (e.g. 90s, 10m)", "10m")
    .action(async (opts: LiveFlags & { sparkPi: boolean; sparkPiTimeout: string }) => {
      let ctx;
      try {
        ctx = {
          ...liveContext(opts),
          ...(opts.sparkPi
            ? {
                sparkPi: { timeoutMs: parseTimeout(opts.sparkPiTimeout, "--spark-pi-timeout"), pollMs: 2000 },
              }
            : {}),
          ...(opts.json ? {} : { progress: (line: string) => printLine(line) }),
        };
      } catch (e) {
        process.stderr.write(`error: ${(e as Error).message.split("\n")[0]}\n`);
        process.exitCode = 3;
        return;
      }
      const report = await doctor(ctx);
      process.exitCode = report.exitCode;
      if (opts.json) return printJson(report);
      if (report.error) {
        process.stderr.write(`error: ${report.error}\n`);
        return;
      }
      printTable(
        ["CHECK", "STATUS", "DETAIL"],
        report.checks.map((c) => [c.id, c.status.toUpperCase(), c.detail]),
        "no checks",
      );
      for (const c of report.checks.filter((r) => r.cause || r.fix)) {
        printLine();
        printLine(`${c.id}: ${c.title}`);
        if (c.cause) printLine(`  likely cause: ${c.cause}`);
        if (c.fix) printLine(`  fix: ${c.fix}`);
      }
      printLine();
      printLine(`${report.status} (exit ${report.exitCode}), API server ${report.apiServer ?? "-"}`);
    });
}

/** `90s`, `10m`, `1h` or plain seconds, as milliseconds. */
export function parseTimeout(text: string, option: string): number {
  const m = /^(\d+(?:\.\d+)?)(ms|s|m|h)?$/.exec(text.trim());
  if (!m) throw badRequest(`${option}: expected a duration such as 90s or 10m, got '${text}'`);
  const unit = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 }[(m[2] ?? "s") as "ms" | "s" | "m" | "h"];
  return Number(m[1]) * unit;
}
