import type { PlatformDefinition } from "../definition.ts";

/** A Kubernetes object as rendered: the type checks of each kind live with the code that builds it. */
export interface K8sObject {
  readonly apiVersion: string;
  readonly kind: string;
  readonly metadata: ObjectMeta;
  readonly [field: string]: unknown;
}

export interface ObjectMeta {
  readonly name: string;
  readonly namespace?: string;
  readonly labels?: Record<string, string>;
  readonly annotations?: Record<string, string>;
}

/**
 * One Flux application: the objects of `<app>/app/`, the Kustomizations it waits for, and files
 * beside `app/` that Flux does not apply (an image's Dockerfile, example jobs run by hand or by
 * `floe platform execute`).
 */
export interface App {
  readonly name: string;
  readonly description: string;
  readonly dependsOn: readonly string[];
  readonly objects: readonly K8sObject[];
  /** Extra files inside `app/`, e.g. a dashboard JSON a configMapGenerator reads. */
  readonly appFiles?: Readonly<Record<string, string>>;
  /** `configMapGenerator` entries of `app/kustomization.yaml`. */
  readonly configMapGenerator?: readonly ConfigMapGenerator[];
  /** Folders beside `app/` (relative path → objects), each with its own kustomization.yaml. */
  readonly extraFolders?: Readonly<Record<string, readonly K8sObject[]>>;
  /** Plain files beside `app/` (relative path → content). */
  readonly files?: Readonly<Record<string, string>>;
}

export interface ConfigMapGenerator {
  readonly name: string;
  /** Where the ConfigMap goes when not the platform namespace (a dashboard goes to Grafana's). */
  readonly namespace?: string;
  readonly files: readonly string[];
  readonly labels: Record<string, string>;
}

/** The labels every platform object carries; `app` is the component (floe, floe-db, trino…). */
export function labels(app: string, component?: string): Record<string, string> {
  return {
    "app.kubernetes.io/name": app,
    ...(component ? { "app.kubernetes.io/component": component } : {}),
    "app.kubernetes.io/part-of": "floe-platform",
    "app.kubernetes.io/managed-by": "floe",
  };
}

/** Metadata of a namespaced object in the platform namespace. */
export function meta(
  p: PlatformDefinition,
  name: string,
  app: string,
  component?: string,
): ObjectMeta & {
  namespace: string;
  labels: Record<string, string>;
} {
  return { name, namespace: p.cluster.namespace, labels: labels(app, component) };
}

/** The in-cluster URL of floe's HTTP port. */
export function catalogUrl(p: PlatformDefinition): string {
  return `http://floe.${p.cluster.namespace}.svc:19120`;
}

/** Secret (ExternalSecret target) with the S3 keys of the object-store user: keys `access-key`, `secret-key`. */
export const S3_SECRET = "floe-s3";
/** Secret CloudNativePG generates for the application user, with a `uri` key. */
export const DB_APP_SECRET = "floe-db-app";
export const DB_CLUSTER = "floe-db";
export const SPARK_SERVICE_ACCOUNT = "spark-application-sa";

/** Settings every pod that talks to Ceph RGW needs: recent AWS SDKs send CRC32 checksums RGW rejects. */
export const S3_CHECKSUM_ENV: ReadonlyArray<{ name: string; value: string }> = [
  { name: "AWS_REQUEST_CHECKSUM_CALCULATION", value: "when_required" },
  { name: "AWS_RESPONSE_CHECKSUM_VALIDATION", value: "when_required" },
];

/** A Kubernetes quantity (`1Gi`, `512Mi`) as Spark and JVM memory settings write it (`1g`, `512m`). */
export function sparkMemory(quantity: string): string {
  const m = /^(\d+)(Gi|Mi|G|M)$/.exec(quantity);
  if (!m) return quantity;
  return `${m[1]}${(m[2] ?? "").startsWith("G") ? "g" : "m"}`;
}

/** A typed core object (checked against kubernetes-models' types where it is built) as a K8sObject. */
export function k8s<T extends { apiVersion: string; kind: string }>(o: T): K8sObject {
  return o as unknown as K8sObject;
}
