import type { IStorageClass } from "kubernetes-models/storage.k8s.io/v1/StorageClass";
import type { PlatformDefinition } from "../definition.ts";
import { type App, type K8sObject, k8s, labels, meta } from "./objects.ts";

/**
 * S3 on Rook-Ceph: the object-store user that owns the buckets, the bucket StorageClass and one
 * ObjectBucketClaim per bucket with the seed's lifecycle rules. Rook only honours `bucketLifecycle`
 * and `bucketOwner` when its operator allows them (ROOK_OBC_ALLOW_ADDITIONAL_CONFIG_FIELDS), and
 * wants lifecycle rules sorted by ID to stay idempotent.
 */
export function storageApp(p: PlatformDefinition): App {
  const store = p.objectStore;
  const user: K8sObject = {
    apiVersion: "ceph.rook.io/v1",
    kind: "CephObjectStoreUser",
    metadata: { name: store.user, namespace: store.namespace, labels: labels("floe-storage") },
    spec: {
      store: store.name,
      displayName: "floe platform (Iceberg warehouse)",
      capabilities: { bucket: "*" },
    },
  };
  const objects: K8sObject[] = [user];
  if (store.createBucketStorageClass) {
    const sc: IStorageClass = {
      apiVersion: "storage.k8s.io/v1",
      kind: "StorageClass",
      metadata: { name: store.bucketStorageClass, labels: labels("floe-storage") },
      provisioner: `${store.namespace}.ceph.rook.io/bucket`,
      reclaimPolicy: "Retain",
      parameters: { objectStoreName: store.name, objectStoreNamespace: store.namespace },
    };
    objects.push(k8s(sc));
  }
  const b = p.buckets;
  objects.push(
    bucketClaim(p, b.warehouse, [
      {
        ID: "abort-incomplete-multipart",
        Status: "Enabled",
        Filter: { Prefix: "" },
        AbortIncompleteMultipartUpload: { DaysAfterInitiation: 7 },
      },
      {
        ID: "expire-noncurrent-versions",
        Status: "Enabled",
        Filter: { Prefix: "" },
        NoncurrentVersionExpiration: { NoncurrentDays: 30 },
      },
    ]),
    bucketClaim(p, b.test, [
      { ID: "expire-objects", Status: "Enabled", Filter: { Prefix: "" }, Expiration: { Days: 90 } },
    ]),
    bucketClaim(p, b.sparkLogs, [
      { ID: "expire-objects", Status: "Enabled", Filter: { Prefix: "" }, Expiration: { Days: 30 } },
    ]),
    bucketClaim(p, b.backups, [
      {
        ID: "abort-incomplete-multipart",
        Status: "Enabled",
        Filter: { Prefix: "" },
        AbortIncompleteMultipartUpload: { DaysAfterInitiation: 7 },
      },
    ]),
  );
  return {
    name: "floe-storage",
    description: "S3 buckets on Rook-Ceph: object-store user, bucket StorageClass, ObjectBucketClaims",
    dependsOn: [],
    objects,
  };
}

type LifecycleRule = { ID: string } & Record<string, unknown>;

function bucketClaim(p: PlatformDefinition, bucket: string, rules: LifecycleRule[]): K8sObject {
  const sorted = [...rules].sort((a, b) => a.ID.localeCompare(b.ID));
  return {
    apiVersion: "objectbucket.io/v1alpha1",
    kind: "ObjectBucketClaim",
    metadata: meta(p, bucket, "floe-storage"),
    spec: {
      bucketName: bucket,
      storageClassName: p.objectStore.bucketStorageClass,
      additionalConfig: {
        bucketOwner: p.objectStore.user,
        bucketLifecycle: JSON.stringify({ Rules: sorted }),
      },
    },
  };
}
