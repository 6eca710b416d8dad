import type { IDeployment } from "kubernetes-models/apps/v1/Deployment";
import type { IIngress } from "kubernetes-models/networking.k8s.io/v1/Ingress";
import type { IPodDisruptionBudget } from "kubernetes-models/policy/v1/PodDisruptionBudget";
import type { IConfigMap } from "kubernetes-models/v1/ConfigMap";
import type { IEnvVar } from "kubernetes-models/v1/EnvVar";
import type { IService } from "kubernetes-models/v1/Service";
import { stringify } from "yaml";
import type { PlatformDefinition } from "../definition.ts";
import { s3Endpoint } from "../definition.ts";
import {
  type App,
  DB_APP_SECRET,
  type K8sObject,
  S3_CHECKSUM_ENV,
  S3_SECRET,
  k8s,
  labels,
  meta,
} from "./objects.ts";
import { CONTAINER_SECURITY, podSecurity } from "./pod-security.ts";

const PORT = 19120;
const UID = 10001;

/**
 * The environment of every floe process in the cluster (the server and the backup job): the
 * PostgreSQL URL from the secret CloudNativePG generates, S3 keys from the ExternalSecret (floe's
 * own `s3.*` settings, which it also hands to Iceberg REST clients such as Trino), and the
 * checksum settings Ceph RGW needs. Endpoint, region and path-style are in the config file.
 */
export function floeEnv(): IEnvVar[] {
  return [
    { name: "FLOE_CONFIG", value: "/etc/floe/floe.yaml" },
    { name: "FLOE_STORE", valueFrom: { secretKeyRef: { name: DB_APP_SECRET, key: "uri" } } },
    { name: "FLOE_S3_ACCESS_KEY_ID", valueFrom: { secretKeyRef: { name: S3_SECRET, key: "access-key" } } },
    {
      name: "FLOE_S3_SECRET_ACCESS_KEY",
      valueFrom: { secretKeyRef: { name: S3_SECRET, key: "secret-key" } },
    },
    ...S3_CHECKSUM_ENV,
  ];
}

/** floe's own configuration file (docs/configuration.md); secrets come from the environment. */
export function floeConfigMap(p: PlatformDefinition): IConfigMap {
  const config = {
    warehouse: `s3://${p.buckets.warehouse}/`,
    // Ceph RGW by its Service name: path-style, so no wildcard DNS is needed
    s3: { endpoint: s3Endpoint(p), region: p.objectStore.region, "path-style-access": true },
    host: "0.0.0.0",
    port: PORT,
    defaultBranch: p.catalog.defaultBranch,
    logLevel: "info",
    logFile: "-",
  };
  return {
    apiVersion: "v1",
    kind: "ConfigMap",
    metadata: meta(p, "floe-config", "floe", "catalog"),
    data: { "floe.yaml": stringify(config) },
  };
}

/** The floe catalog: `floe serve` behind a Service on 19120, several replicas on one database. */
export function catalogApp(p: PlatformDefinition): App {
  const selector = { "app.kubernetes.io/name": "floe", "app.kubernetes.io/component": "catalog" };
  const res = p.catalog.resources;
  const deployment: IDeployment = {
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: meta(p, "floe", "floe", "catalog"),
    spec: {
      replicas: p.catalog.replicas,
      selector: { matchLabels: selector },
      strategy: { type: "RollingUpdate", rollingUpdate: { maxUnavailable: 0, maxSurge: 1 } },
      template: {
        metadata: { labels: labels("floe", "catalog") },
        spec: {
          securityContext: podSecurity(UID),
          automountServiceAccountToken: false,
          topologySpreadConstraints: [
            {
              maxSkew: 1,
              topologyKey: "kubernetes.io/hostname",
              whenUnsatisfiable: "ScheduleAnyway",
              labelSelector: { matchLabels: selector },
            },
          ],
          containers: [
            {
              name: "floe",
              image: p.versions.floeImage,
              command: ["floe", "serve"],
              ports: [{ name: "http", containerPort: PORT, protocol: "TCP" }],
              env: floeEnv(),
              readinessProbe: {
                httpGet: { path: "/readyz", port: "http" },
                periodSeconds: 5,
                failureThreshold: 3,
              },
              livenessProbe: {
                httpGet: { path: "/healthz", port: "http" },
                periodSeconds: 10,
                failureThreshold: 6,
              },
              startupProbe: {
                httpGet: { path: "/healthz", port: "http" },
                periodSeconds: 2,
                failureThreshold: 60,
              },
              resources: { requests: { cpu: res.cpu, memory: res.memory }, limits: { memory: res.memory } },
              securityContext: CONTAINER_SECURITY,
              volumeMounts: [
                { name: "config", mountPath: "/etc/floe", readOnly: true },
                { name: "tmp", mountPath: "/tmp" },
              ],
            },
          ],
          volumes: [
            { name: "config", configMap: { name: "floe-config" } },
            { name: "tmp", emptyDir: { sizeLimit: "1Gi" } },
          ],
        },
      },
    },
  };
  const service: IService = {
    apiVersion: "v1",
    kind: "Service",
    metadata: meta(p, "floe", "floe", "catalog"),
    spec: {
      selector,
      ports: [{ name: "http", port: PORT, targetPort: "http", protocol: "TCP" }],
    },
  };
  const pdb: IPodDisruptionBudget = {
    apiVersion: "policy/v1",
    kind: "PodDisruptionBudget",
    metadata: meta(p, "floe", "floe", "catalog"),
    // one replica may always be drained; with several, the others keep serving
    spec: { maxUnavailable: 1, selector: { matchLabels: selector } },
  };
  const serviceMonitor: K8sObject = {
    apiVersion: "monitoring.coreos.com/v1",
    kind: "ServiceMonitor",
    metadata: meta(p, "floe", "floe", "catalog"),
    spec: {
      selector: { matchLabels: selector },
      endpoints: [{ port: "http", path: "/metrics", interval: "30s" }],
    },
  };
  const ingress: IIngress = {
    apiVersion: "networking.k8s.io/v1",
    kind: "Ingress",
    metadata: meta(p, "floe", "floe", "catalog"),
    spec: {
      ingressClassName: p.cluster.ingressClass,
      rules: [
        {
          host: `floe.${p.cluster.domain}`,
          http: {
            paths: [
              {
                path: "/",
                pathType: "Prefix",
                backend: { service: { name: "floe", port: { name: "http" } } },
              },
            ],
          },
        },
      ],
    },
  };
  return {
    name: "floe-catalog",
    description:
      "the floe catalog: Deployment, Service on 19120, PodDisruptionBudget, ServiceMonitor, Ingress",
    dependsOn: ["floe-database", "floe-storage", "floe-secrets"],
    objects: [k8s(floeConfigMap(p)), k8s(deployment), k8s(service), k8s(pdb), serviceMonitor, k8s(ingress)],
  };
}
