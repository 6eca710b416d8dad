import type { ILimitRange } from "kubernetes-models/v1/LimitRange";
import type { IResourceQuota } from "kubernetes-models/v1/ResourceQuota";
import type { INetworkPolicy } from "kubernetes-models/networking.k8s.io/v1/NetworkPolicy";
import type { PlatformDefinition } from "../definition.ts";
import { type App, DB_CLUSTER, k8s, meta } from "./objects.ts";

const namespaceSelector = (name: string) => ({ matchLabels: { "kubernetes.io/metadata.name": name } });

/**
 * Limits of the namespace: a ResourceQuota (requests, storage, SparkApplications), container
 * defaults, and NetworkPolicies — ingress only from the namespace itself, from monitoring on the
 * metrics ports and from the ingress controller; floe's egress only to DNS, its database and S3.
 */
export function guardrailsApp(p: PlatformDefinition): App {
  const q = p.quota;
  const quota: IResourceQuota = {
    apiVersion: "v1",
    kind: "ResourceQuota",
    metadata: meta(p, "data-platform", "guardrails"),
    spec: {
      hard: {
        "requests.cpu": q.cpu,
        "requests.memory": q.memory,
        "requests.storage": q.storage,
        "count/sparkapplications.sparkoperator.k8s.io": String(q.sparkApplications),
      },
    },
  };
  const limits: ILimitRange = {
    apiVersion: "v1",
    kind: "LimitRange",
    metadata: meta(p, "container-defaults", "guardrails"),
    spec: {
      limits: [
        {
          type: "Container",
          defaultRequest: { cpu: "100m", memory: "256Mi" },
          default: { memory: "1Gi" },
          max: { memory: "32Gi" },
        },
      ],
    },
  };
  const sameNamespace: INetworkPolicy = {
    apiVersion: "networking.k8s.io/v1",
    kind: "NetworkPolicy",
    metadata: meta(p, "allow-same-namespace", "guardrails"),
    spec: { podSelector: {}, policyTypes: ["Ingress"], ingress: [{ from: [{ podSelector: {} }] }] },
  };
  const monitoring: INetworkPolicy = {
    apiVersion: "networking.k8s.io/v1",
    kind: "NetworkPolicy",
    metadata: meta(p, "allow-monitoring", "guardrails"),
    spec: {
      podSelector: {},
      policyTypes: ["Ingress"],
      ingress: [
        {
          from: [{ namespaceSelector: namespaceSelector(p.cluster.monitoringNamespace) }],
          // floe, Trino, Spark UI and operator metrics, CNPG metrics
          ports: [19120, 8080, 4040, 9187].map((port) => ({ port, protocol: "TCP" })),
        },
      ],
    },
  };
  const ingressController: INetworkPolicy = {
    apiVersion: "networking.k8s.io/v1",
    kind: "NetworkPolicy",
    metadata: meta(p, "allow-ingress-controller", "guardrails"),
    spec: {
      podSelector: {},
      policyTypes: ["Ingress"],
      ingress: [
        {
          from: [{ namespaceSelector: namespaceSelector(p.cluster.ingressNamespace) }],
          ports: [19120, 8080, 18080].map((port) => ({ port, protocol: "TCP" })),
        },
      ],
    },
  };
  const floeEgress: INetworkPolicy = {
    apiVersion: "networking.k8s.io/v1",
    kind: "NetworkPolicy",
    metadata: meta(p, "floe-egress", "guardrails"),
    spec: {
      podSelector: { matchLabels: { "app.kubernetes.io/name": "floe" } },
      policyTypes: ["Egress"],
      egress: [
        {
          to: [{ namespaceSelector: namespaceSelector("kube-system") }],
          ports: [
            { port: 53, protocol: "UDP" },
            { port: 53, protocol: "TCP" },
          ],
        },
        {
          to: [{ podSelector: { matchLabels: { "cnpg.io/cluster": DB_CLUSTER } } }],
          ports: [{ port: 5432, protocol: "TCP" }],
        },
        {
          to: [{ namespaceSelector: namespaceSelector(p.objectStore.namespace) }],
          ports: [80, 443, 8080].map((port) => ({ port, protocol: "TCP" })),
        },
      ],
    },
  };
  return {
    name: "guardrails",
    description: "ResourceQuota, LimitRange and NetworkPolicies of the namespace",
    dependsOn: [],
    objects: [quota, limits, sameNamespace, monitoring, ingressController, floeEgress].map(k8s),
  };
}
