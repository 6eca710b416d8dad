import type { PlatformDefinition } from "../definition.ts";
import { s3Endpoint } from "../definition.ts";
import { helmRelease } from "./helm.ts";
import { type App, S3_SECRET, catalogUrl } from "./objects.ts";

/**
 * Trino from its Helm chart: a coordinator and autoscaled workers (the chart's HorizontalPodAutoscaler),
 * the `iceberg` catalog on floe's Iceberg REST endpoint with Trino's own S3 keys (Trino cannot
 * use S3 request signing), forwarded headers honoured behind the ingress, and a ServiceMonitor.
 */
export function trinoCatalogProperties(p: PlatformDefinition): string {
  return [
    "connector.name=iceberg",
    "iceberg.catalog.type=rest",
    `iceberg.rest-catalog.uri=${catalogUrl(p)}/iceberg`,
    `iceberg.rest-catalog.prefix=${p.catalog.defaultBranch}`,
    `iceberg.rest-catalog.warehouse=s3://${p.buckets.warehouse}/`,
    "fs.native-s3.enabled=true",
    `s3.endpoint=${s3Endpoint(p)}`,
    `s3.region=${p.objectStore.region}`,
    "s3.path-style-access=true",
    "s3.aws-access-key=${ENV:AWS_ACCESS_KEY_ID}",
    "s3.aws-secret-key=${ENV:AWS_SECRET_ACCESS_KEY}",
    "",
  ].join("\n");
}

export function trinoApp(p: PlatformDefinition): App {
  const t = p.trino;
  const resources = (r: { cpu: string; memory: string }) => ({
    requests: { cpu: r.cpu, memory: r.memory },
    limits: { memory: r.memory },
  });
  return {
    name: "trino",
    description: "Trino HelmRelease: Iceberg catalog on floe's REST endpoint, worker HPA, ServiceMonitor",
    dependsOn: ["floe-catalog"],
    objects: [
      helmRelease(p, {
        name: "trino",
        chart: "trino",
        version: p.versions.trinoChart,
        repository: "trino",
        values: {
          image: { tag: p.versions.trino },
          server: {
            workers: t.workers.min,
            autoscaling: {
              enabled: true,
              maxReplicas: t.workers.max,
              targetCPUUtilizationPercentage: t.workers.targetCpu,
            },
          },
          coordinator: {
            jvm: { maxHeapSize: t.coordinator.heap },
            resources: resources(t.coordinator.resources),
          },
          worker: { jvm: { maxHeapSize: t.workers.heap }, resources: resources(t.workers.resources) },
          additionalConfigProperties: ["http-server.process-forwarded=true"],
          catalogs: { iceberg: trinoCatalogProperties(p) },
          env: [
            {
              name: "AWS_ACCESS_KEY_ID",
              valueFrom: { secretKeyRef: { name: S3_SECRET, key: "access-key" } },
            },
            {
              name: "AWS_SECRET_ACCESS_KEY",
              valueFrom: { secretKeyRef: { name: S3_SECRET, key: "secret-key" } },
            },
          ],
          serviceMonitor: { enabled: true },
          ingress: {
            enabled: true,
            className: p.cluster.ingressClass,
            hosts: [{ host: `trino.${p.cluster.domain}`, paths: [{ path: "/", pathType: "Prefix" }] }],
          },
        },
      }),
    ],
  };
}
