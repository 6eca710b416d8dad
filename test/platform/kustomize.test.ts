import { execFileSync } from "node:child_process";
import { mkdtempSync, readdirSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { parseAllDocuments } from "yaml";
import { beforeAll, describe, expect, it } from "vitest";
import { defaultPlatform } from "../../src/platform/definition.ts";
import { renderTree } from "../../src/platform/tree.ts";
import { writeTree } from "../../src/platform/write-tree.ts";
import { type K8sDoc, validateObject } from "./schemas.ts";

/**
 * Every folder of the rendered tree that has a kustomization.yaml builds with kustomize (what
 * `kubectl kustomize` runs; scripts/kustomize.sh builds it from the Go module proxy into
 * ~/.cache/floe/bin once), and everything it outputs — generated ConfigMaps included — validates.
 */
let kustomize: string;
let root: string;

beforeAll(() => {
  kustomize = execFileSync("bash", ["scripts/kustomize.sh", "install"], { encoding: "utf8" }).trim();
  root = mkdtempSync(join(tmpdir(), "floe-platform-kustomize-"));
  writeTree(root, renderTree(defaultPlatform()));
}, 900_000);

function folders(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) out.push(...folders(path));
    else if (name === "kustomization.yaml") out.push(dir);
  }
  return out;
}

describe("kustomize build of the rendered tree", () => {
  it("builds every folder, and every object it outputs validates", async () => {
    const dirs = folders(root);
    expect(dirs.length).toBe(13);
    const problems: string[] = [];
    let count = 0;
    for (const dir of dirs) {
      const out = execFileSync(kustomize, ["build", dir], { encoding: "utf8" });
      for (const d of parseAllDocuments(out)) {
        const doc = d.toJS() as K8sDoc;
        count++;
        for (const p of await validateObject(doc)) problems.push(`${relative(root, dir)}: ${p}`);
      }
    }
    expect(problems).toEqual([]);
    expect(count).toBeGreaterThan(40);
  });

  it("puts the dashboard ConfigMap where Grafana's sidecar looks for it", () => {
    const out = execFileSync(
      kustomize,
      ["build", join(root, "kubernetes/apps/data-platform/floe-monitoring/app")],
      {
        encoding: "utf8",
      },
    );
    const cm = parseAllDocuments(out)
      .map((d) => d.toJS() as K8sDoc & { data?: Record<string, string> })
      .find((d) => d.kind === "ConfigMap")!;
    expect(cm.metadata).toMatchObject({
      name: "floe-dashboard",
      namespace: "observability",
      labels: { grafana_dashboard: "1" },
    });
    expect(JSON.parse(cm.data!["floe-dashboard.json"]!).uid).toBe("floe-catalog");
  });

  it("fails on a folder that does not build (the check can fail)", () => {
    const bad = mkdtempSync(join(tmpdir(), "floe-platform-bad-"));
    writeTree(bad, new Map([["kustomization.yaml", "resources:\n  - missing.yaml\n"]]));
    expect(() => execFileSync(kustomize, ["build", bad], { encoding: "utf8", stdio: "pipe" })).toThrow(
      /missing\.yaml/,
    );
  });
});
