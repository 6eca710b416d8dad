import type { PlatformDefinition } from "../definition.ts";
import { type K8sObject, labels } from "./objects.ts";

/** Helm chart repositories Flux pulls from (`kubernetes/flux/meta/repos/`). */
export const HELM_REPOSITORIES = {
  "spark-operator": "https://kubeflow.github.io/spark-operator",
  trino: "https://trinodb.github.io/charts",
} as const;

export type HelmRepositoryName = keyof typeof HELM_REPOSITORIES;

export function helmRepository(p: PlatformDefinition, name: HelmRepositoryName): K8sObject {
  return {
    apiVersion: "source.toolkit.fluxcd.io/v1",
    kind: "HelmRepository",
    metadata: { name, namespace: p.cluster.fluxNamespace, labels: labels(name, "helm-repository") },
    spec: { interval: "1h", url: HELM_REPOSITORIES[name] },
  };
}

/**
 * A Flux HelmRelease of a chart from one of the repositories above; CRDs are created and replaced
 * on install and upgrade (a chart's CRDs otherwise never change after the first install).
 */
export function helmRelease(
  p: PlatformDefinition,
  opts: {
    name: string;
    chart: string;
    version: string;
    repository: HelmRepositoryName;
    values: Record<string, unknown>;
  },
): K8sObject {
  return {
    apiVersion: "helm.toolkit.fluxcd.io/v2",
    kind: "HelmRelease",
    metadata: { name: opts.name, namespace: p.cluster.namespace, labels: labels(opts.name) },
    spec: {
      interval: "30m",
      timeout: "10m",
      chart: {
        spec: {
          chart: opts.chart,
          version: opts.version,
          sourceRef: { kind: "HelmRepository", name: opts.repository, namespace: p.cluster.fluxNamespace },
        },
      },
      install: { crds: "CreateReplace", remediation: { retries: 3 } },
      upgrade: {
        crds: "CreateReplace",
        cleanupOnFail: true,
        remediation: { retries: 3, strategy: "rollback" },
      },
      values: opts.values,
    },
  };
}
