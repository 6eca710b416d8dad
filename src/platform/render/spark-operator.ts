import type { PlatformDefinition } from "../definition.ts";
import { helmRelease } from "./helm.ts";
import { type App, SPARK_SERVICE_ACCOUNT } from "./objects.ts";

/**
 * The Kubeflow Spark Operator: watches the platform namespace, creates the service account Spark
 * drivers run as, exports metrics (spark_application_* counters) with a PodMonitor. The webhook
 * is off, as in the seed, so everything a driver or executor needs is in `sparkConf` or the image.
 */
export function sparkOperatorApp(p: PlatformDefinition): App {
  return {
    name: "spark-operator",
    description: "Kubeflow Spark Operator HelmRelease (job namespace, service account, CRDs CreateReplace)",
    dependsOn: [],
    objects: [
      helmRelease(p, {
        name: "spark-operator",
        chart: "spark-operator",
        version: p.versions.sparkOperatorChart,
        repository: "spark-operator",
        values: {
          spark: {
            jobNamespaces: [p.cluster.namespace],
            serviceAccount: { create: true, name: SPARK_SERVICE_ACCOUNT },
            rbac: { create: true },
          },
          webhook: { enable: false },
          prometheus: { metrics: { enable: true, port: 8080 }, podMonitor: { create: true } },
          controller: {
            resources: { requests: { cpu: "100m", memory: "256Mi" }, limits: { memory: "512Mi" } },
          },
        },
      }),
    ],
  };
}
