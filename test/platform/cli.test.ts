import { existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { runFloe } from "../cli/floe-process.ts";

/** `floe platform init` and `render` as a user runs them: real processes in a scratch folder. */
describe("floe platform init|render", () => {
  it("init writes floe.platform.yaml, render writes the tree; both print JSON with --json", async () => {
    const cwd = mkdtempSync(join(tmpdir(), "floe-platform-cli-"));
    const init = await runFloe(["platform", "init", "--json"], { cwd });
    expect(init.stderr).toBe("");
    expect(init.code).toBe(0);
    expect(JSON.parse(init.stdout)).toEqual({
      file: join(cwd, "floe.platform.yaml"),
      goals: join(cwd, "goals.json"),
      goalsCreated: true,
    });

    const again = await runFloe(["platform", "init"], { cwd });
    expect(again.code).toBe(1);
    expect(again.stderr).toBe("error: floe.platform.yaml exists already (--force replaces it)\n");

    const dry = await runFloe(["platform", "render", "--dry-run", "--json"], { cwd });
    expect(dry.code).toBe(0);
    const plan = JSON.parse(dry.stdout) as {
      files: string[];
      apps: Array<{ name: string }>;
      dryRun: boolean;
    };
    expect(plan.dryRun).toBe(true);
    expect(plan.apps.map((a) => a.name)).toContain("floe-catalog");
    expect(existsSync(join(cwd, "kubernetes"))).toBe(false);

    const render = await runFloe(["platform", "render"], { cwd });
    expect(render.stderr).toBe("");
    expect(render.code).toBe(0);
    expect(render.stdout).toMatch(/^APP +OBJECTS +DEPENDS ON +WHAT$/m);
    expect(render.stdout).toContain(`${plan.files.length} files written, 0 unchanged`);
    for (const f of plan.files) expect(existsSync(join(cwd, f)), f).toBe(true);
    const ks = readFileSync(join(cwd, "kubernetes/apps/data-platform/floe-catalog/ks.yaml"), "utf8");
    expect(ks).toContain("path: ./kubernetes/apps/data-platform/floe-catalog/app");

    const twice = await runFloe(["platform", "render", "--json"], { cwd });
    const result = JSON.parse(twice.stdout) as { written: string[]; unchanged: string[] };
    expect(result.written).toEqual([]);
    expect(result.unchanged.length).toBe(plan.files.length);
  }, 300_000);

  it("render stops with one line naming the field of a bad definition", async () => {
    const cwd = mkdtempSync(join(tmpdir(), "floe-platform-cli-"));
    writeFileSync(join(cwd, "lab.yaml"), "catalog:\n  replicas: many\n");
    const r = await runFloe(["platform", "render", "-f", "lab.yaml"], { cwd });
    expect(r.code).toBe(1);
    expect(r.stderr).toBe("error: lab.yaml: catalog.replicas: expected an integer 1-20, got 'many'\n");
    expect(existsSync(join(cwd, "kubernetes"))).toBe(false);
    const missing = await runFloe(["platform", "render"], { cwd });
    expect(missing.stderr).toBe(
      "error: floe.platform.yaml does not exist (create one with 'floe platform init')\n",
    );
  }, 300_000);
});
