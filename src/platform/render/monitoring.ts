import type { PlatformDefinition } from "../definition.ts";
import { type App, type K8sObject, meta } from "./objects.ts";

/**
 * Alerts and a dashboard, only on metrics that something exports: floe's own (src/server/metrics.ts;
 * a test checks every name against a live registry), `up` of floe's scrape job, the Spark
 * Operator's `spark_application_failure_count` and Trino's `/metrics` query-manager gauges.
 */
export const FLOE_METRICS_USED = [
  "http_requests_total",
  "http_request_duration_seconds_bucket",
  "floe_commits_total",
  "floe_commit_conflicts_total",
  "floe_commit_retries_total",
  "floe_merges_total",
  "floe_store_operation_duration_seconds_bucket",
  "process_resident_memory_bytes",
  "nodejs_eventloop_lag_p99_seconds",
] as const;

/** The route label of Nessie commits (src/server/tree-paths.ts). */
const COMMIT_ROUTE = "/api/v2/trees/{ref}/history/commit";

export function floeAlertRules(p: PlatformDefinition): Array<Record<string, unknown>> {
  const sel = `namespace="${p.cluster.namespace}", job="floe"`;
  return [
    {
      alert: "FloeDown",
      expr: `absent(up{${sel}} == 1)`,
      for: "2m",
      labels: { severity: "critical" },
      annotations: {
        summary: "No floe catalog replica is up",
        description: "Prometheus has scraped no healthy floe replica for 2 minutes. Run `floe doctor`.",
      },
    },
    {
      alert: "FloeCommitLatencyHigh",
      expr: `histogram_quantile(0.95, sum by (le) (rate(http_request_duration_seconds_bucket{${sel}, route="${COMMIT_ROUTE}"}[5m]))) > 5`,
      for: "10m",
      labels: { severity: "warning" },
      annotations: {
        summary: "floe commit latency p95 above 5 s",
        description: "p95 of Nessie commits over 5 minutes is {{ $value }} s.",
      },
    },
    {
      alert: "FloeErrorRateHigh",
      expr: `sum(rate(http_requests_total{${sel}, status=~"5.."}[5m])) / sum(rate(http_requests_total{${sel}}[5m])) > 0.05`,
      for: "10m",
      labels: { severity: "warning" },
      annotations: {
        summary: "More than 5% of floe requests fail with 5xx",
        description: "5xx ratio: {{ $value | humanizePercentage }}.",
      },
    },
    {
      alert: "FloeCommitConflictsHigh",
      expr: `sum(rate(floe_commit_conflicts_total{${sel}}[10m])) / clamp_min(sum(rate(floe_commits_total{${sel}}[10m])), 0.001) > 0.5`,
      for: "15m",
      labels: { severity: "info" },
      annotations: {
        summary: "Most floe commits conflict",
        description: "Writers keep racing on the same branch.",
      },
    },
  ];
}

function rules(p: PlatformDefinition): K8sObject {
  return {
    apiVersion: "monitoring.coreos.com/v1",
    kind: "PrometheusRule",
    metadata: meta(p, "floe-platform", "floe-monitoring"),
    spec: {
      groups: [
        { name: "floe", rules: floeAlertRules(p) },
        {
          name: "spark",
          rules: [
            {
              alert: "SparkApplicationsFailing",
              expr: `sum(increase(spark_application_failure_count{namespace="${p.cluster.namespace}"}[1h])) > 0`,
              labels: { severity: "warning" },
              annotations: {
                summary: "Spark applications failed in the last hour",
                description:
                  "The Spark Operator counted {{ $value }} failed applications. `kubectl get sparkapplication -n " +
                  p.cluster.namespace +
                  "`.",
              },
            },
          ],
        },
        {
          name: "trino",
          rules: [
            {
              alert: "TrinoQueriesQueued",
              expr: `sum(trino_execution_name_QueryManager_QueuedQueries{namespace="${p.cluster.namespace}"}) > 10`,
              for: "10m",
              labels: { severity: "warning" },
              annotations: {
                summary: "Trino queries wait in the queue",
                description:
                  "{{ $value }} queries queued for 10 minutes: queries are slow or the workers are too few.",
              },
            },
          ],
        },
      ],
    },
  };
}

/** A Grafana dashboard of floe's own metrics (loaded by Grafana's dashboard sidecar). */
export function floeDashboard(p: PlatformDefinition): Record<string, unknown> {
  const sel = `namespace="${p.cluster.namespace}", job="floe"`;
  const panel = (id: number, title: string, expr: string, unit: string, legend: string) => ({
    id,
    type: "timeseries",
    title,
    datasource: { type: "prometheus", uid: "${datasource}" },
    gridPos: { h: 8, w: 12, x: ((id - 1) % 2) * 12, y: Math.floor((id - 1) / 2) * 8 },
    fieldConfig: { defaults: { unit }, overrides: [] },
    targets: [{ refId: "A", expr, legendFormat: legend }],
  });
  return {
    uid: "floe-catalog",
    title: "floe catalog",
    tags: ["floe", "lakehouse"],
    timezone: "utc",
    schemaVersion: 39,
    refresh: "30s",
    time: { from: "now-6h", to: "now" },
    templating: {
      list: [{ name: "datasource", type: "datasource", query: "prometheus", label: "Data source" }],
    },
    panels: [
      panel(
        1,
        "Requests by route",
        `sum by (route) (rate(http_requests_total{${sel}}[5m]))`,
        "reqps",
        "{{route}}",
      ),
      panel(
        2,
        "Request latency p95 by route",
        `histogram_quantile(0.95, sum by (le, route) (rate(http_request_duration_seconds_bucket{${sel}}[5m])))`,
        "s",
        "{{route}}",
      ),
      panel(
        3,
        "5xx responses",
        `sum by (route) (rate(http_requests_total{${sel}, status=~"5.."}[5m]))`,
        "reqps",
        "{{route}}",
      ),
      panel(4, "Commits and conflicts", `sum(rate(floe_commits_total{${sel}}[5m]))`, "ops", "commits"),
      panel(5, "Merges by kind", `sum by (kind) (rate(floe_merges_total{${sel}}[5m]))`, "ops", "{{kind}}"),
      panel(
        6,
        "Commit retries (another writer moved the branch)",
        `sum(rate(floe_commit_retries_total{${sel}}[5m]))`,
        "ops",
        "retries",
      ),
      panel(
        7,
        "Metadata store p95 by operation",
        `histogram_quantile(0.95, sum by (le, op) (rate(floe_store_operation_duration_seconds_bucket{${sel}}[5m])))`,
        "s",
        "{{op}}",
      ),
      panel(8, "Memory (RSS) by replica", `process_resident_memory_bytes{${sel}}`, "bytes", "{{pod}}"),
      panel(9, "Event loop lag p99 by replica", `nodejs_eventloop_lag_p99_seconds{${sel}}`, "s", "{{pod}}"),
      panel(10, "Commit conflicts", `sum(rate(floe_commit_conflicts_total{${sel}}[5m]))`, "ops", "conflicts"),
    ],
  };
}

export function monitoringApp(p: PlatformDefinition): App {
  return {
    name: "floe-monitoring",
    description: "PrometheusRules on exported metrics and a Grafana dashboard of floe",
    dependsOn: ["floe-catalog"],
    objects: [rules(p)],
    appFiles: { "floe-dashboard.json": `${JSON.stringify(floeDashboard(p), null, 2)}\n` },
    configMapGenerator: [
      {
        name: "floe-dashboard",
        namespace: p.cluster.monitoringNamespace,
        files: ["floe-dashboard.json"],
        labels: { grafana_dashboard: "1" },
      },
    ],
  };
}
