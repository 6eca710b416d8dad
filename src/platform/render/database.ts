import type { PlatformDefinition } from "../definition.ts";
import { s3Endpoint } from "../definition.ts";
import { type App, DB_CLUSTER, type K8sObject, S3_SECRET, meta } from "./objects.ts";

/**
 * The catalog's PostgreSQL: a CloudNativePG `Cluster` (data checksums, tuned parameters), with
 * continuous backup to the backups bucket and a daily base backup when configured, and a
 * PodMonitor for its metrics.
 */
export function databaseApp(p: PlatformDefinition): App {
  const db = p.database;
  const backup = db.objectStoreBackup;
  const cluster: K8sObject = {
    apiVersion: "postgresql.cnpg.io/v1",
    kind: "Cluster",
    metadata: meta(p, DB_CLUSTER, "floe-db", "database"),
    spec: {
      instances: db.instances,
      imageName: p.versions.postgresImage,
      primaryUpdateStrategy: "unsupervised",
      storage: { size: db.storage, storageClass: p.cluster.storageClass },
      resources: {
        requests: { cpu: db.resources.cpu, memory: db.resources.memory },
        limits: { memory: db.resources.memory },
      },
      bootstrap: { initdb: { database: "floe", owner: "floe", dataChecksums: true } },
      postgresql: {
        parameters: {
          max_connections: "200",
          shared_buffers: "256MB",
          effective_cache_size: "768MB",
          wal_compression: "on",
          log_min_duration_statement: "1000",
        },
      },
      ...(backup
        ? {
            backup: {
              retentionPolicy: db.retention,
              barmanObjectStore: {
                destinationPath: `s3://${p.buckets.backups}/postgres`,
                endpointURL: s3Endpoint(p),
                s3Credentials: {
                  accessKeyId: { name: S3_SECRET, key: "access-key" },
                  secretAccessKey: { name: S3_SECRET, key: "secret-key" },
                },
                wal: { compression: "gzip" },
                data: { compression: "gzip" },
              },
            },
          }
        : {}),
    },
  };
  const objects: K8sObject[] = [cluster];
  if (backup) {
    objects.push({
      apiVersion: "postgresql.cnpg.io/v1",
      kind: "ScheduledBackup",
      metadata: meta(p, `${DB_CLUSTER}-daily`, "floe-db", "database"),
      spec: {
        // CNPG schedules have a seconds field first: 01:00 UTC daily, an hour before floe's own backup
        schedule: "0 0 1 * * *",
        cluster: { name: DB_CLUSTER },
        backupOwnerReference: "self",
        method: "barmanObjectStore",
      },
    });
  }
  objects.push({
    apiVersion: "monitoring.coreos.com/v1",
    kind: "PodMonitor",
    metadata: meta(p, DB_CLUSTER, "floe-db", "database"),
    spec: {
      selector: { matchLabels: { "cnpg.io/cluster": DB_CLUSTER } },
      podMetricsEndpoints: [{ port: "metrics" }],
    },
  });
  return {
    name: "floe-database",
    description: "PostgreSQL for the catalog (CloudNativePG), its backups and metrics",
    dependsOn: ["floe-storage", "floe-secrets"],
    objects,
  };
}
