import type { Command } from "commander";
import { resolve } from "node:path";
import { PLATFORM_FILE, readPlatformFile, writePlatformFile } from "../../platform/platform-file.ts";
import { platformApps } from "../../platform/render/apps.ts";
import { renderTree } from "../../platform/tree.ts";
import { writeTree } from "../../platform/write-tree.ts";
import { examples } from "../common.ts";
import { printJson, printLine, printTable } from "../output.ts";

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
      .option("--force", "replace an existing file")
      .option("--json", "print machine-readable JSON"),
    ["floe platform init", "floe platform init -f lab.platform.yaml --force"],
  ).action((opts: FileFlags & { force?: boolean }) => {
    const path = writePlatformFile(opts.file, opts.force === true);
    if (opts.json) return printJson({ file: path });
    printLine(`wrote ${path}`);
    printLine("next: edit it for your cluster, then run 'floe platform render'");
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
