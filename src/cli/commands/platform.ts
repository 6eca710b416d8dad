import type { Command } from "commander";
import { resolve } from "node:path";
import { existsSync } from "node:fs";
import { GOALS_FILE, readGoals, writeGoals } from "../../platform/goals/goals-file.ts";
import { builtInGoals } from "../../platform/goals/plan.ts";
import { PLATFORM_FILE, readPlatformFile, writePlatformFile } from "../../platform/platform-file.ts";
import { review } from "../../platform/review.ts";
import { execute } from "../../platform/execute.ts";
import { badRequest } from "../../core/errors.ts";
import { platformApps } from "../../platform/render/apps.ts";
import { renderTree } from "../../platform/tree.ts";
import { writeTree } from "../../platform/write-tree.ts";
import { examples } from "../common.ts";
import { printFields, printJson, printLine, printTable } from "../output.ts";
import { type LiveFlags, liveContext, liveOptions, parseTimeout } from "./doctor.ts";
import { formatBytes, formatCores } from "../../platform/quantity.ts";

interface FileFlags {
  readonly file: string;
  readonly json?: boolean;
}

/** `floe platform …`: the Kubernetes platform — its definition and its GitOps manifests. */
export function registerPlatform(program: Command): void {
  const platform = examples(
    program
      .command("platform")
      .description(
        "the lakehouse platform on Kubernetes: definition (floe.platform.yaml) and Flux manifests",
      ),
    [
      "floe platform init",
      "floe platform review",
      "floe platform execute 1.2 --repo ../home-ops --push",
      "floe platform render -o ../home-ops --dry-run",
    ],
  );

  examples(
    platform
      .command("init")
      .description(`write ${PLATFORM_FILE} with the defaults of the seed's homelab`)
      .option("-f, --file <file>", "platform definition to write", PLATFORM_FILE)
      .option("--goals <file>", "bootstrap plan to create when absent (never replaced)", GOALS_FILE)
      .option("--force", "replace an existing platform definition")
      .option("--json", "print machine-readable JSON"),
    ["floe platform init", "floe platform init -f lab.platform.yaml --force"],
  ).action((opts: FileFlags & { force?: boolean; goals: string }) => {
    const path = writePlatformFile(opts.file, opts.force === true);
    const goalsPath = resolve(opts.goals);
    const newGoals = !existsSync(goalsPath);
    if (newGoals) writeGoals(opts.goals, builtInGoals(readPlatformFile(opts.file)));
    if (opts.json) return printJson({ file: path, goals: goalsPath, goalsCreated: newGoals });
    printLine(`wrote ${path}`);
    printLine(newGoals ? `wrote ${goalsPath} (phases 1-4, every objective pending)` : `kept ${goalsPath}`);
    printLine(
      "next: edit the definition for your cluster, then run 'floe platform render' and 'floe platform review'",
    );
  });

  examples(
    liveOptions(
      platform
        .command("review")
        .description("where the bootstrap stands: goals.json and the live readiness checks")
        .option("--goals <file>", "bootstrap state", GOALS_FILE),
    ),
    ["floe platform review", "floe platform review --floe-url http://127.0.0.1:19120 --json"],
  ).action(async (opts: LiveFlags & { goals: string }) => {
    const goals = readGoals(opts.goals);
    const report = await review(goals, liveContext(opts));
    if (opts.json) return printJson(report);
    const s = report.status;
    printFields([
      ["phase", s.phase ? `${s.phase} ${s.phaseName ?? ""} (${s.percentage}% complete)` : "-"],
      ["objectives", `${s.completed}/${s.total} completed`],
      ["next", s.next ?? "none"],
    ]);
    printLine();
    printTable(
      ["PHASE", "NAME", "STATUS", "DONE"],
      report.phases.map((p) => [p.id, p.name, p.status, `${p.completed}/${p.total}`]),
      "no phases",
    );
    printLine();
    printTable(
      ["TRIGGER", "VALUE"],
      report.triggers.map((t) => [t.condition, t.value]),
      "no trigger conditions",
    );
    printLine();
    printTable(
      ["READINESS", "STATUS", "DETAIL"],
      report.readiness.map((r) => [r.id, r.status.toUpperCase(), r.detail]),
      "no checks",
    );
    if (report.current) {
      const c = report.current;
      printLine();
      printLine(`objective ${c.id} ${c.name} (${c.status})`);
      printLine(`  unmet prerequisites: ${c.unmetPrerequisites.join(", ") || "none"}`);
      printLine(`  deliverables: ${c.deliverables.join(", ") || "none"}`);
      printLine(`  validation: ${c.validation.join("; ") || "none"}`);
    }
    printLine();
    printLine(`blockers: ${report.blockers.length === 0 ? "none" : ""}`);
    for (const b of report.blockers) printLine(`  - ${b}`);
    if (report.resources) {
      const r = report.resources;
      const free = r.free
        ? `; free ${formatBytes(r.free.memoryBytes)}, ${formatCores(r.free.cpuCores)} cores`
        : "; free capacity unknown";
      const fits = r.fits === undefined ? "" : r.fits ? " — fits" : " — DOES NOT FIT";
      printLine(
        `resources: ${r.phase} needs ${r.needs.memory}, ${r.needs.cpu} cores, ${r.needs.storage}${free}${fits}`,
      );
    }
    printLine("next actions:");
    for (const a of report.nextActions) printLine(`  - ${a}`);
  });

  examples(
    liveOptions(
      platform
        .command("execute [id]")
        .description("carry out one objective: checks, render and commit, wait for Flux, validate, record")
        .option("--goals <file>", "bootstrap state", GOALS_FILE)
        .option("--repo <dir>", "the GitOps repository (a git work tree)", ".")
        .option("--override <reason>", "go ahead despite failed checks; the reason is recorded in goals.json")
        .option("--timeout <duration>", "how long to wait for Flux (e.g. 90s, 10m)", "10m")
        .option("--poll-interval <duration>", "how often to ask the API server about Flux", "5s")
        .option("--push", "push the commit (and a revert) to the branch's upstream")
        .option("--dry-run", "show what would be done, change nothing"),
    ),
    [
      "floe platform execute",
      "floe platform execute 1.2 --repo ../home-ops --push",
      "floe platform execute 2.1 --dry-run",
    ],
  ).action(
    async (
      id: string | undefined,
      opts: LiveFlags & {
        goals: string;
        repo: string;
        override?: string;
        timeout: string;
        pollInterval: string;
        push?: boolean;
        dryRun?: boolean;
      },
    ) => {
      if (opts.override !== undefined && opts.override.trim() === "")
        throw badRequest("--override needs a reason");
      const goals = readGoals(opts.goals);
      const report = await execute(goals, liveContext(opts), {
        goalsFile: opts.goals,
        repo: opts.repo,
        ...(id !== undefined ? { id } : {}),
        ...(opts.override !== undefined ? { override: opts.override } : {}),
        dryRun: opts.dryRun === true,
        push: opts.push === true,
        timeoutMs: parseTimeout(opts.timeout, "--timeout"),
        pollMs: parseTimeout(opts.pollInterval, "--poll-interval"),
        ...(opts.json ? {} : { progress: (line: string) => printLine(line) }),
      });
      if (report.status === "refused" || report.status === "blocked") process.exitCode = 2;
      if (opts.json) return printJson(report);
      printLine(
        `objective ${report.objective.id} ${report.objective.name}: ${report.status}${report.dryRun ? " (dry run: nothing changed)" : ""}`,
      );
      printTable(
        ["CHECK", "RESULT", "DETAIL"],
        report.checks.map((c) => [c.check, c.ok ? "OK" : c.overridden ? "OVERRIDDEN" : "FAIL", c.detail]),
        "no checks",
      );
      if (report.files.length > 0) {
        printLine(report.dryRun ? "would write and commit:" : "committed:");
        for (const f of report.files) printLine(`  ${f}`);
      }
      for (const k of report.kustomizations) printLine(`flux ${k.name}: ${k.ready ? "Ready" : k.message}`);
      for (const v of report.validation)
        printLine(`validation ${v.id}: ${v.status.toUpperCase()} ${v.detail}`);
      if (report.manualValidation.length > 0)
        printLine(`validate by hand: ${report.manualValidation.join("; ")}`);
      if (report.commit) printLine(`commit ${report.commit}`);
      if (report.revertCommit) printLine(`reverted by ${report.revertCommit}`);
      if (report.reason)
        printLine(`${report.status === "refused" ? "refused" : "blocked"}: ${report.reason}`);
      if (report.completionTimestamp) printLine(`completed at ${report.completionTimestamp}`);
    },
  );

  examples(
    platform
      .command("render")
      .description("write the Flux tree of every platform app into the GitOps repository")
      .option("-f, --file <file>", "platform definition", PLATFORM_FILE)
      .option("-o, --out <dir>", "root of the GitOps repository", ".")
      .option("--dry-run", "list the files without writing them")
      .option("--json", "print machine-readable JSON"),
    ["floe platform render", "floe platform render -o ../home-ops --dry-run"],
  ).action((opts: FileFlags & { out: string; dryRun?: boolean }) => {
    const def = readPlatformFile(opts.file);
    const tree = renderTree(def);
    const apps = platformApps(def).map((a) => ({
      name: a.name,
      objects: a.objects.length,
      dependsOn: a.dependsOn,
      description: a.description,
    }));
    const root = resolve(opts.out);
    const result = opts.dryRun ? undefined : writeTree(root, tree);
    if (opts.json) {
      return printJson({
        root,
        dryRun: opts.dryRun === true,
        apps,
        files: [...tree.keys()].sort(),
        ...(result ? { written: result.written, unchanged: result.unchanged } : {}),
      });
    }
    printTable(
      ["APP", "OBJECTS", "DEPENDS ON", "WHAT"],
      apps.map((a) => [a.name, String(a.objects), a.dependsOn.join(",") || "-", a.description]),
      "no apps",
    );
    printLine();
    if (result) {
      printLine(
        `${result.written.length} files written, ${result.unchanged.length} unchanged, under ${root}`,
      );
    } else {
      for (const path of [...tree.keys()].sort()) printLine(path);
      printLine(`${tree.size} files (dry run: nothing written)`);
    }
  });
}
