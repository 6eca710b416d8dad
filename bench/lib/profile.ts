import { readFileSync } from "node:fs";
import { ROOT } from "./servers.ts";

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}

interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
  startTime: number;
  endTime: number;
}

function where(url: string): string {
  const path = url.replace(/^file:\/\//, "");
  if (path === "") return "(native)";
  const nm = path.lastIndexOf("node_modules/");
  if (nm >= 0) {
    const rest = path.slice(nm + "node_modules/".length).split("/");
    return rest[0]!.startsWith("@") ? `${rest[0]}/${rest[1]}` : rest[0]!;
  }
  if (path.startsWith(ROOT + "/")) return path.slice(ROOT.length + 1);
  if (path.startsWith("node:")) return path;
  return path;
}

/**
 * The hot spots of a V8 CPU profile (`node --cpu-prof`): self time by function and by file or
 * package, as text.
 */
export function topFunctions(file: string, n: number): string {
  const prof = JSON.parse(readFileSync(file, "utf8")) as CpuProfile;
  const byId = new Map(prof.nodes.map((node) => [node.id, node]));
  const self = new Map<number, number>();
  for (let i = 0; i < prof.samples.length; i++) {
    const id = prof.samples[i]!;
    self.set(id, (self.get(id) ?? 0) + (prof.timeDeltas[i] ?? 0));
  }
  const total = prof.endTime - prof.startTime;
  const fn = new Map<string, number>();
  const files = new Map<string, number>();
  let idle = 0;
  for (const [id, us] of self) {
    const cf = byId.get(id)!.callFrame;
    const name = cf.functionName || "(anonymous)";
    if (name === "(idle)") {
      idle += us;
      continue;
    }
    const place = where(cf.url);
    const key = `${name}  ${place}${cf.url ? `:${cf.lineNumber + 1}` : ""}`;
    fn.set(key, (fn.get(key) ?? 0) + us);
    files.set(place, (files.get(place) ?? 0) + us);
  }
  // Inclusive time: each sample counts once for every function on its stack.
  const parent = new Map<number, number>();
  for (const node of prof.nodes) for (const c of node.children ?? []) parent.set(c, node.id);
  const label = (id: number) => {
    const cf = byId.get(id)!.callFrame;
    return `${cf.functionName || "(anonymous)"}  ${where(cf.url)}${cf.url ? `:${cf.lineNumber + 1}` : ""}`;
  };
  const inclusive = new Map<string, number>();
  for (const [id, us] of self) {
    if (byId.get(id)!.callFrame.functionName === "(idle)") continue;
    const seen = new Set<string>();
    for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) {
      const key = label(at);
      if (key.startsWith("(root)") || seen.has(key)) continue;
      seen.add(key);
      inclusive.set(key, (inclusive.get(key) ?? 0) + us);
    }
  }
  const busy = total - idle;
  const pct = (us: number) => `${((100 * us) / busy).toFixed(1).padStart(5)}%`;
  const top = (m: Map<string, number>, k: number) =>
    [...m.entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, k)
      .map(([key, us]) => `${pct(us)}  ${(us / 1000).toFixed(0).padStart(7)} ms  ${key}`);
  return [
    `profile ${file}`,
    `wall ${(total / 1e6).toFixed(1)} s, busy ${(busy / 1e6).toFixed(1)} s (${((100 * busy) / total).toFixed(0)}%); shares below are of busy time`,
    "",
    "self time by function:",
    ...top(fn, n),
    "",
    "self time by file / package:",
    ...top(files, 15),
    "",
    "total (inclusive) time by function, floe's own code:",
    ...top(new Map([...inclusive].filter(([k]) => / {2}src\//.test(k))), n),
  ].join("\n");
}
