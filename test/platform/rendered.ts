import { parseAllDocuments } from "yaml";
import type { Tree } from "../../src/platform/tree.ts";
import type { K8sDoc } from "./schemas.ts";

/** Every Kubernetes object in a tree's YAML files (kustomize's own kustomization.yaml files excepted). */
export function objectsOf(tree: Tree): Array<{ path: string; doc: K8sDoc }> {
  const out: Array<{ path: string; doc: K8sDoc }> = [];
  for (const [path, text] of tree) {
    if (!path.endsWith(".yaml") || path.endsWith("/kustomization.yaml")) continue;
    for (const d of parseAllDocuments(text)) out.push({ path, doc: d.toJS() as K8sDoc });
  }
  return out;
}

/** The whole tree as one text: `=== path ===` and the file, in path order (the golden file's form). */
export function treeText(tree: Tree): string {
  return [...tree.keys()]
    .sort()
    .map((path) => `=== ${path} ===\n${tree.get(path) ?? ""}`)
    .join("\n");
}
