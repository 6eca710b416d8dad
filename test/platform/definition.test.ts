import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parse as parseYaml } from "yaml";
import { describe, expect, it } from "vitest";
import { PLATFORM, defaultPlatform, s3Endpoint } from "../../src/platform/definition.ts";
import {
  parsePlatform,
  platformYaml,
  readPlatformFile,
  writePlatformFile,
} from "../../src/platform/platform-file.ts";

const tmp = () => mkdtempSync(join(tmpdir(), "floe-platform-"));

function fileWith(text: string): { dir: string; file: string } {
  const dir = tmp();
  writeFileSync(join(dir, "floe.platform.yaml"), text);
  return { dir, file: "floe.platform.yaml" };
}

const errorOf = (text: string): string => {
  const { dir, file } = fileWith(text);
  try {
    readPlatformFile(file, dir);
  } catch (e) {
    return (e as Error).message;
  }
  throw new Error("expected an error");
};

describe("floe.platform.yaml", () => {
  it("defaults to the seed's homelab", () => {
    const p = defaultPlatform();
    expect(p.cluster.namespace).toBe("data-platform");
    expect(p.cluster.storageClass).toBe("ceph-block");
    expect(p.cluster.secretStore).toBe("onepassword-connect");
    expect(p.database.instances).toBe(3);
    expect(p.database.storage).toBe("10Gi");
    expect(p.versions.spark).toBe("3.5.5");
    expect(p.versions.sparkOperatorChart).toBe("2.2.0");
    expect(p.versions.trinoChart).toBe("1.39.1");
    expect(p.versions.trino).toBe("475");
    expect(p.trino.workers).toMatchObject({ min: 2, max: 5, heap: "4G" });
    expect(p.trino.coordinator.heap).toBe("2G");
    expect(p.quota).toEqual({ cpu: "30", memory: "80Gi", storage: "500Gi", sparkApplications: 10 });
    expect(p.phases.phase2).toEqual({ memory: "42Gi", cpu: "12", storage: "120Gi" });
    expect(s3Endpoint(p)).toBe("http://rook-ceph-rgw-ceph-objectstore.storage.svc");
  });

  it("init writes every default with its description, and the file reads back as the defaults", () => {
    const dir = tmp();
    const path = writePlatformFile("floe.platform.yaml", false, dir);
    const text = readFileSync(path, "utf8");
    expect(text).toContain("# namespace of every platform component\n  namespace: data-platform");
    expect(parseYaml(text)).toEqual(defaultPlatform());
    expect(readPlatformFile("floe.platform.yaml", dir)).toEqual(defaultPlatform());
    expect(() => writePlatformFile("floe.platform.yaml", false, dir)).toThrow(
      /exists already \(--force replaces it\)/,
    );
    writeFileSync(path, "cluster:\n  namespace: lake\n");
    writePlatformFile("floe.platform.yaml", true, dir);
    expect(readFileSync(path, "utf8")).toBe(platformYaml());
  });

  it("fills what a partial file leaves out with the defaults", () => {
    const p = parsePlatform({ cluster: { namespace: "lake" }, catalog: { replicas: 3 } }, "t");
    expect(p.cluster.namespace).toBe("lake");
    expect(p.cluster.storageClass).toBe("ceph-block");
    expect(p.catalog.replicas).toBe(3);
    expect(p.catalog.defaultBranch).toBe("main");
    expect(parsePlatform(null, "t")).toEqual(defaultPlatform());
  });

  it("names the file and the field in every error", () => {
    expect(errorOf("catalog:\n  replicas: two\n")).toBe(
      "floe.platform.yaml: catalog.replicas: expected an integer 1-20, got 'two'",
    );
    expect(errorOf("catalog:\n  replicas: 0\n")).toBe(
      "floe.platform.yaml: catalog.replicas: expected an integer 1-20, got 0",
    );
    expect(errorOf("cluster:\n  namespace: Data_Platform\n")).toMatch(
      /^floe\.platform\.yaml: cluster\.namespace: expected a Kubernetes name .*, got 'Data_Platform'$/,
    );
    expect(errorOf("clustr: {}\n")).toMatch(
      /^floe\.platform\.yaml: clustr: unknown setting \(known here: cluster, objectStore,/,
    );
    expect(errorOf("trino:\n  workers:\n    heep: 4G\n")).toMatch(
      /^floe\.platform\.yaml: trino\.workers\.heep: unknown setting/,
    );
    expect(errorOf("trino:\n  workers:\n    heap: 4GB\n")).toBe(
      "floe.platform.yaml: trino.workers.heap: expected a JVM heap size such as 512M or 4G, got '4GB'",
    );
    expect(errorOf("database:\n  storage: ten\n")).toMatch(
      /database\.storage: expected a quantity such as 512Mi or 10Gi, got 'ten'/,
    );
    expect(errorOf("objectStore:\n  endpoint: rgw:80\n")).toMatch(
      /objectStore\.endpoint: expected an http:\/\/ or https:\/\/ URL, got 'rgw:80'/,
    );
    expect(errorOf("objectStore:\n  createBucketStorageClass: yes please\n")).toMatch(
      /objectStore\.createBucketStorageClass: expected true or false/,
    );
    expect(errorOf("versions:\n  scala: '2.11'\n")).toMatch(
      /versions\.scala: expected one of 2\.12, 2\.13, got '2\.11'/,
    );
    expect(errorOf("backup:\n  schedule: daily\n")).toMatch(/backup\.schedule: expected a cron schedule/);
    expect(errorOf("cluster: [a, b]\n")).toBe("floe.platform.yaml: cluster: expected a mapping, got a list");
    expect(errorOf("- just a list\n")).toBe("floe.platform.yaml: document: expected a mapping, got a list");
    expect(errorOf("cluster: {namespace: [\n")).toMatch(/^floe\.platform\.yaml: not valid YAML: /);
    expect(() => readPlatformFile("missing.yaml", tmp())).toThrow(
      "missing.yaml does not exist (create one with 'floe platform init')",
    );
  });
});

describe("docs/platform.md", () => {
  it("lists every setting with its default and meaning", () => {
    const docs = readFileSync(new URL("../../docs/platform.md", import.meta.url), "utf8");
    const rows: string[] = [];
    const walk = (field: { doc: string; shape?: Record<string, unknown> }, path: string, value: unknown) => {
      if (field.shape) {
        for (const [k, child] of Object.entries(field.shape)) {
          walk(child as typeof field, path ? `${path}.${k}` : k, (value as Record<string, unknown>)[k]);
        }
      } else {
        rows.push(`| \`${path}\` | \`${JSON.stringify(value)}\` | ${field.doc} |`);
      }
    };
    walk(PLATFORM, "", defaultPlatform());
    // compare cells, not padding (prettier aligns the table)
    const norm = (line: string) =>
      line
        .split("|")
        .map((c) => c.trim())
        .join("|");
    const table = new Set(docs.split("\n").map(norm));
    const missing = rows.filter((r) => !table.has(norm(r)));
    expect(missing).toEqual([]);
  });
});
