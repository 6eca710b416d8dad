import type { PlatformDefinition } from "../definition.ts";
import { type App, S3_SECRET, meta } from "./objects.ts";

/**
 * Credentials from 1Password through External Secrets (`external-secrets.io/v1`): the S3 keys of the
 * object-store user (1Password item `floe-s3`, fields `access-key` and `secret-key`; copy them from
 * Rook's secret `rook-ceph-object-user-<store>-<user>` once). The database credentials need no
 * 1Password item: CloudNativePG generates them (secret `floe-db-app`).
 */
export function secretsApp(p: PlatformDefinition): App {
  return {
    name: "floe-secrets",
    description: "ExternalSecrets from 1Password: the S3 keys of the object-store user",
    dependsOn: [],
    objects: [
      {
        apiVersion: "external-secrets.io/v1",
        kind: "ExternalSecret",
        metadata: meta(p, S3_SECRET, "floe-secrets"),
        spec: {
          refreshInterval: "1h",
          secretStoreRef: { kind: "ClusterSecretStore", name: p.cluster.secretStore },
          target: { name: S3_SECRET, creationPolicy: "Owner" },
          data: [
            { secretKey: "access-key", remoteRef: { key: "floe-s3", property: "access-key" } },
            { secretKey: "secret-key", remoteRef: { key: "floe-s3", property: "secret-key" } },
          ],
        },
      },
    ],
  };
}
