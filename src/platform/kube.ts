import {
  ApiException,
  ApiextensionsV1Api,
  AppsV1Api,
  CoreV1Api,
  CustomObjectsApi,
  KubeConfig,
} from "@kubernetes/client-node";

/** The parts of a Kubernetes object the checks read. */
export interface KubeObject {
  readonly metadata?: { name?: string; namespace?: string; creationTimestamp?: string | Date };
  readonly spec?: Record<string, unknown>;
  readonly status?: Record<string, unknown>;
  readonly data?: Record<string, string>;
}

/**
 * The calls floe makes to the Kubernetes API (through @kubernetes/client-node, so kubeconfig
 * contexts, certificates, tokens and exec plugins all work): reads, and the create and delete of
 * the SparkApplication `floe doctor` runs. Absent objects are `undefined`; every other failure throws.
 */
export interface Kube {
  /** The API server's URL, for messages. */
  readonly server: string;
  nodes(): Promise<KubeObject[]>;
  /** Node usage from metrics.k8s.io, or undefined when the cluster has no metrics server. */
  nodeMetrics(): Promise<KubeObject[] | undefined>;
  custom(
    group: string,
    version: string,
    plural: string,
    namespace: string,
    name: string,
  ): Promise<KubeObject | undefined>;
  customList(group: string, version: string, plural: string, namespace: string): Promise<KubeObject[]>;
  createCustom(
    group: string,
    version: string,
    plural: string,
    namespace: string,
    body: object,
  ): Promise<KubeObject>;
  /** Deletes the object (its dependents go with it, in the background); false when it was absent. */
  deleteCustom(
    group: string,
    version: string,
    plural: string,
    namespace: string,
    name: string,
  ): Promise<boolean>;
  secret(namespace: string, name: string): Promise<KubeObject | undefined>;
  deployment(namespace: string, name: string): Promise<KubeObject | undefined>;
  crd(name: string): Promise<KubeObject | undefined>;
}

export interface KubeOptions {
  /** A kubeconfig file; default: $KUBECONFIG, ~/.kube/config, or the in-cluster service account. */
  readonly kubeconfig?: string;
  readonly context?: string;
}

async function orUndefined<T>(call: Promise<T>): Promise<T | undefined> {
  try {
    return await call;
  } catch (e) {
    if (e instanceof ApiException && e.code === 404) return undefined;
    throw e;
  }
}

export function connectKube(opts: KubeOptions = {}): Kube {
  const kc = new KubeConfig();
  if (opts.kubeconfig) kc.loadFromFile(opts.kubeconfig);
  else kc.loadFromDefault();
  if (opts.context) kc.setCurrentContext(opts.context);
  const core = kc.makeApiClient(CoreV1Api);
  const apps = kc.makeApiClient(AppsV1Api);
  const ext = kc.makeApiClient(ApiextensionsV1Api);
  const custom = kc.makeApiClient(CustomObjectsApi);
  const items = (list: unknown) => ((list as { items?: KubeObject[] }).items ?? []) as KubeObject[];
  return {
    server: kc.getCurrentCluster()?.server ?? "(no cluster in kubeconfig)",
    nodes: async () => items(await core.listNode()),
    nodeMetrics: async () => {
      const list = await orUndefined(
        custom.listClusterCustomObject({ group: "metrics.k8s.io", version: "v1beta1", plural: "nodes" }),
      );
      return list === undefined ? undefined : items(list);
    },
    custom: (group, version, plural, namespace, name) =>
      orUndefined(
        custom.getNamespacedCustomObject({ group, version, plural, namespace, name }) as Promise<KubeObject>,
      ),
    customList: async (group, version, plural, namespace) =>
      items(
        (await orUndefined(custom.listNamespacedCustomObject({ group, version, plural, namespace }))) ?? {},
      ),
    createCustom: async (group, version, plural, namespace, body) =>
      (await custom.createNamespacedCustomObject({ group, version, plural, namespace, body })) as KubeObject,
    deleteCustom: async (group, version, plural, namespace, name) =>
      (await orUndefined(
        custom.deleteNamespacedCustomObject({
          group,
          version,
          plural,
          namespace,
          name,
          propagationPolicy: "Background",
        }),
      )) !== undefined,
    secret: (namespace, name) =>
      orUndefined(core.readNamespacedSecret({ namespace, name }) as unknown as Promise<KubeObject>),
    deployment: (namespace, name) =>
      orUndefined(apps.readNamespacedDeployment({ namespace, name }) as unknown as Promise<KubeObject>),
    crd: (name) => orUndefined(ext.readCustomResourceDefinition({ name }) as unknown as Promise<KubeObject>),
  };
}
