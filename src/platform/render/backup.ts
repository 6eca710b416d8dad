import type { ICronJob } from "kubernetes-models/batch/v1/CronJob";
import type { PlatformDefinition } from "../definition.ts";
import { floeEnv } from "./catalog.ts";
import { type App, k8s, labels, meta } from "./objects.ts";
import { CONTAINER_SECURITY, podSecurity } from "./pod-security.ts";

/**
 * The daily floe backup: `floe backup` reads the catalog's version store (every reference, commit
 * and tree; FLOE_STORE from the database secret) and writes it as one timestamped file under
 * `s3://<backups>/floe/` (docs/adr/0003-catalog-backup.md; `floe restore` reads it back). The
 * database itself is also backed up continuously by CloudNativePG (floe-database).
 */
export function backupApp(p: PlatformDefinition): App {
  const cronJob: ICronJob = {
    apiVersion: "batch/v1",
    kind: "CronJob",
    metadata: meta(p, "floe-backup", "floe", "backup"),
    spec: {
      schedule: p.backup.schedule,
      timeZone: "Etc/UTC",
      concurrencyPolicy: "Forbid",
      successfulJobsHistoryLimit: p.backup.keepJobs,
      failedJobsHistoryLimit: p.backup.keepJobs,
      jobTemplate: {
        spec: {
          backoffLimit: 2,
          activeDeadlineSeconds: 7200,
          template: {
            metadata: { labels: labels("floe", "backup") },
            spec: {
              restartPolicy: "Never",
              securityContext: podSecurity(10001),
              automountServiceAccountToken: false,
              containers: [
                {
                  name: "backup",
                  image: p.versions.floeImage,
                  command: ["floe", "backup", "--to", `s3://${p.buckets.backups}/floe/`],
                  env: floeEnv(),
                  resources: { requests: { cpu: "100m", memory: "256Mi" }, limits: { memory: "512Mi" } },
                  securityContext: CONTAINER_SECURITY,
                  volumeMounts: [
                    { name: "config", mountPath: "/etc/floe", readOnly: true },
                    { name: "tmp", mountPath: "/tmp" },
                  ],
                },
              ],
              volumes: [
                { name: "config", configMap: { name: "floe-config" } },
                { name: "tmp", emptyDir: { sizeLimit: "2Gi" } },
              ],
            },
          },
        },
      },
    },
  };
  return {
    name: "floe-backup",
    description:
      "daily CronJob running `floe backup`: the catalog's references, commits and contents to the backups bucket",
    dependsOn: ["floe-catalog"],
    objects: [k8s(cronJob)],
  };
}
