import { stringify } from "yaml";
import type { PlatformDefinition } from "./definition.ts";
import { platformApps } from "./render/apps.ts";
import { HELM_REPOSITORIES, type HelmRepositoryName, helmRepository } from "./render/helm.ts";
import { type App, type K8sObject, labels } from "./render/objects.ts";

/** The rendered GitOps tree: path (relative to the repository root, `/`-separated) → file content. */
export type Tree = Map<string, string>;

const HEADER = "# Rendered by `floe platform render` from floe.platform.yaml; edit that, not this file.\n";

/** YAML of one object or document, with the header. */
export function toYaml(doc: unknown): string {
  return HEADER + stringify(doc, { lineWidth: 0, aliasDuplicateObjects: false });
}

/** The folder of the platform's apps inside the GitOps repository. */
export function appsFolder(p: PlatformDefinition): string {
  return `${p.cluster.gitopsPath}/apps/${p.cluster.namespace}`;
}

/**
 * Renders the Flux tree:
 *   <gitopsPath>/flux/meta/repos/{kustomization.yaml, <repo>.yaml}
 *   <gitopsPath>/apps/<namespace>/{kustomization.yaml, namespace.yaml}
 *   <gitopsPath>/apps/<namespace>/<app>/{ks.yaml, app/kustomization.yaml, app/<kind>-<name>.yaml …}
 * plus an app's extra folders (own kustomization.yaml) and plain files.
 */
export function renderTree(p: PlatformDefinition): Tree {
  const tree: Tree = new Map();
  const repos = `${p.cluster.gitopsPath}/flux/meta/repos`;
  const repoNames = Object.keys(HELM_REPOSITORIES) as HelmRepositoryName[];
  for (const name of repoNames) tree.set(`${repos}/${name}.yaml`, toYaml(helmRepository(p, name)));
  tree.set(`${repos}/kustomization.yaml`, toYaml(kustomization(repoNames.map((n) => `${n}.yaml`))));

  const root = appsFolder(p);
  const apps = platformApps(p);
  const namespace: K8sObject = {
    apiVersion: "v1",
    kind: "Namespace",
    metadata: { name: p.cluster.namespace, labels: labels("floe-platform") },
  };
  tree.set(`${root}/namespace.yaml`, toYaml(namespace));
  tree.set(
    `${root}/kustomization.yaml`,
    toYaml(kustomization(["namespace.yaml", ...apps.map((a) => `${a.name}/ks.yaml`)])),
  );
  for (const app of apps) renderApp(p, app, `${root}/${app.name}`, tree);
  return tree;
}

function renderApp(p: PlatformDefinition, app: App, dir: string, tree: Tree): void {
  tree.set(`${dir}/ks.yaml`, toYaml(fluxKustomization(p, app, `./${dir}/app`)));
  writeFolder(`${dir}/app`, app.objects, tree, app);
  for (const [folder, objects] of Object.entries(app.extraFolders ?? {}))
    writeFolder(`${dir}/${folder}`, objects, tree);
  for (const [path, content] of Object.entries(app.files ?? {})) tree.set(`${dir}/${path}`, content);
}

function writeFolder(dir: string, objects: readonly K8sObject[], tree: Tree, app?: App): void {
  const names = objects.map(objectFileName);
  const seen = new Set<string>();
  for (const [i, obj] of objects.entries()) {
    const name = names[i] as string;
    if (seen.has(name)) throw new Error(`two objects render to ${dir}/${name}`);
    seen.add(name);
    tree.set(`${dir}/${name}`, toYaml(obj));
  }
  for (const [path, content] of Object.entries(app?.appFiles ?? {})) tree.set(`${dir}/${path}`, content);
  const generators = (app?.configMapGenerator ?? []).map((g) => ({
    name: g.name,
    ...(g.namespace ? { namespace: g.namespace } : {}),
    files: g.files,
    options: { labels: g.labels, disableNameSuffixHash: true },
  }));
  tree.set(`${dir}/kustomization.yaml`, toYaml(kustomization(names, generators)));
}

/** `deployment-floe.yaml`, `objectbucketclaim-iceberg-warehouse.yaml`. */
export function objectFileName(obj: K8sObject): string {
  return `${obj.kind.toLowerCase()}-${obj.metadata.name}.yaml`;
}

function kustomization(resources: string[], configMapGenerator: unknown[] = []): Record<string, unknown> {
  return {
    apiVersion: "kustomize.config.k8s.io/v1beta1",
    kind: "Kustomization",
    resources,
    ...(configMapGenerator.length > 0 ? { configMapGenerator } : {}),
  };
}

/** The Flux Kustomization of an app: applies `app/`, waits for it to be healthy, prunes what left Git. */
export function fluxKustomization(p: PlatformDefinition, app: App, path: string): K8sObject {
  return {
    apiVersion: "kustomize.toolkit.fluxcd.io/v1",
    kind: "Kustomization",
    metadata: { name: app.name, namespace: p.cluster.fluxNamespace, labels: labels(app.name, "flux") },
    spec: {
      ...(app.dependsOn.length > 0 ? { dependsOn: app.dependsOn.map((name) => ({ name })) } : {}),
      path,
      prune: true,
      wait: true,
      interval: "30m",
      retryInterval: "1m",
      timeout: "10m",
      sourceRef: { kind: "GitRepository", name: p.cluster.gitRepository, namespace: p.cluster.fluxNamespace },
    },
  };
}
