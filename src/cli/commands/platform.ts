import type { Command } from "commander";
import { resolve } from "node:path";
import { existsSync } from "node:fs";
import { GOALS_FILE, readGoals, writeGoals } from "../../platform/goals/goals-file.ts";
import { builtInGoals } from "../../platform/goals/plan.ts";
import { PLATFORM_FILE, readPlatformFile, writePlatformFile } from "../../platform/platform-file.ts";
import { review } from "../../platform/review.ts";
import { platformApps } from "../../platform/render/apps.ts";
import { renderTree } from "../../platform/tree.ts";
import { writeTree } from "../../platform/write-tree.ts";
import { examples } from "../common.ts";
import { printFields, printJson, printLine, printTable } from "../output.ts";
import { type LiveFlags, liveContext, liveOptions } from "./doctor.ts";
import { formatBytes, formatCores } from "../../platform/quantity.ts";

interface FileFlags {
  readonly file: string;
  readonly json?: boolean;
}

/** `floe platform …`: the Kubernetes platform — its definition and its GitOps manifests. */
export function registerPlatform(program: Command): void {
  const platform = program
    .command("platform")
    .description("the lakehouse platform on Kubernetes: definition (floe.platform.yaml) and Flux manifests");

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
