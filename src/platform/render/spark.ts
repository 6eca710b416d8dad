import type { IDeployment } from "kubernetes-models/apps/v1/Deployment";
import type { IService } from "kubernetes-models/v1/Service";
import type { PlatformDefinition } from "../definition.ts";
import {
  type App,
  type K8sObject,
  S3_CHECKSUM_ENV,
  S3_SECRET,
  SPARK_SERVICE_ACCOUNT,
  k8s,
  labels,
  meta,
  sparkMemory,
} from "./objects.ts";
import { CONTAINER_SECURITY, podSecurity } from "./pod-security.ts";
import { s3aConf, sparkConf, sparkDefaultsFile } from "./spark-conf.ts";
import { ICEBERG_CHECK_PY, sparkDockerfile } from "./spark-image.ts";

const SPARK_UID = 185;

/**
 * Spark on the platform: the History Server (in `app/`), the image (`image/`: Dockerfile, the
 * spark-defaults files for both catalog variants, the Iceberg check job) and example
 * SparkApplications (`examples/`, applied by hand or by `floe platform execute`, not by Flux:
 * a finished job is not something to reconcile).
 */
export function sparkApp(p: PlatformDefinition): App {
  return {
    name: "spark",
    description: "Spark History Server; Spark image with jars baked in; example SparkApplications",
    dependsOn: ["spark-operator", "floe-storage", "floe-secrets"],
    objects: historyServer(p),
    files: {
      "image/Dockerfile": sparkDockerfile(p),
      "image/spark-defaults.conf": sparkDefaultsFile(
        sparkConf(p, "rest"),
        "Spark defaults: the floe catalog over Iceberg REST",
      ),
      "image/spark-defaults-nessie.conf": sparkDefaultsFile(
        sparkConf(p, "nessie"),
        "Spark defaults: the floe catalog through NessieCatalog (Nessie API v2); use with --properties-file",
      ),
      "image/iceberg_check.py": ICEBERG_CHECK_PY,
    },
    extraFolders: { examples: [sparkPi(p), icebergCheck(p)] },
  };
}

function application(p: PlatformDefinition, name: string, spec: Record<string, unknown>): K8sObject {
  const s = p.spark;
  const podLabels = labels(name, "spark-job");
  return {
    apiVersion: "sparkoperator.k8s.io/v1beta2",
    kind: "SparkApplication",
    metadata: meta(p, name, name, "spark-job"),
    spec: {
      mode: "cluster",
      image: p.versions.sparkImage,
      imagePullPolicy: "IfNotPresent",
      sparkVersion: p.versions.spark,
      restartPolicy: { type: "Never" },
      timeToLiveSeconds: 86400,
      driver: {
        cores: 1,
        coreRequest: s.driver.cpu,
        memory: sparkMemory(s.driver.memory),
        serviceAccount: SPARK_SERVICE_ACCOUNT,
        labels: podLabels,
      },
      executor: {
        cores: 1,
        coreRequest: s.executor.cpu,
        instances: 1,
        memory: sparkMemory(s.executor.memory),
        labels: podLabels,
      },
      ...spec,
    },
  };
}

/** SparkPi from the platform's Spark image: the example, and the run of `floe doctor` (fewer slices). */
export function sparkPi(p: PlatformDefinition, name = "spark-pi", slices = 1000): K8sObject {
  const v = p.versions;
  return application(p, name, {
    type: "Scala",
    mainClass: "org.apache.spark.examples.SparkPi",
    mainApplicationFile: `local:///opt/spark/examples/jars/spark-examples_${v.scala}-${v.spark}.jar`,
    arguments: [String(slices)],
  });
}

function icebergCheck(p: PlatformDefinition): K8sObject {
  return application(p, "iceberg-check", {
    type: "Python",
    pythonVersion: "3",
    mainApplicationFile: "local:///opt/floe/iceberg_check.py",
    sparkConf: sparkConf(p, "rest"),
    dynamicAllocation: {
      enabled: true,
      initialExecutors: 1,
      minExecutors: 1,
      maxExecutors: p.spark.maxExecutors,
    },
  });
}

function historyServer(p: PlatformDefinition): K8sObject[] {
  const selector = { "app.kubernetes.io/name": "spark-history-server" };
  const r = p.spark.historyServer;
  const opts = {
    "spark.history.fs.logDirectory": `s3a://${p.buckets.sparkLogs}/`,
    "spark.history.fs.cleaner.enabled": "true",
    "spark.history.fs.cleaner.maxAge": "30d",
    ...s3aConf(p),
  };
  const deployment: IDeployment = {
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: meta(p, "spark-history-server", "spark-history-server"),
    spec: {
      replicas: 1,
      selector: { matchLabels: selector },
      template: {
        metadata: { labels: labels("spark-history-server") },
        spec: {
          securityContext: podSecurity(SPARK_UID),
          automountServiceAccountToken: false,
          containers: [
            {
              name: "history-server",
              image: p.versions.sparkImage,
              command: ["/opt/spark/bin/spark-class", "org.apache.spark.deploy.history.HistoryServer"],
              ports: [{ name: "http", containerPort: 18080, protocol: "TCP" }],
              env: [
                {
                  name: "SPARK_HISTORY_OPTS",
                  value: Object.entries(opts)
                    .map(([k, v]) => `-D${k}=${v}`)
                    .join(" "),
                },
                {
                  name: "AWS_ACCESS_KEY_ID",
                  valueFrom: { secretKeyRef: { name: S3_SECRET, key: "access-key" } },
                },
                {
                  name: "AWS_SECRET_ACCESS_KEY",
                  valueFrom: { secretKeyRef: { name: S3_SECRET, key: "secret-key" } },
                },
                ...S3_CHECKSUM_ENV,
              ],
              readinessProbe: { httpGet: { path: "/", port: "http" }, periodSeconds: 10 },
              resources: { requests: { cpu: r.cpu, memory: r.memory }, limits: { memory: r.memory } },
              securityContext: CONTAINER_SECURITY,
              volumeMounts: [{ name: "tmp", mountPath: "/tmp" }],
            },
          ],
          volumes: [{ name: "tmp", emptyDir: { sizeLimit: "2Gi" } }],
        },
      },
    },
  };
  const service: IService = {
    apiVersion: "v1",
    kind: "Service",
    metadata: meta(p, "spark-history-server", "spark-history-server"),
    spec: { selector, ports: [{ name: "http", port: 18080, targetPort: "http", protocol: "TCP" }] },
  };
  return [k8s(deployment), k8s(service)];
}
