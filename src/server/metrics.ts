import type { FastifyInstance, FastifyRequest } from "fastify";
import { Counter, Histogram, Registry, collectDefaultMetrics } from "prom-client";
import type { VersionStoreApi } from "../versioning/api.ts";

/**
 * Prometheus metrics of one app. Each app has its own registry (tests and the CLI may build
 * several apps in one process). Requests are labelled by route pattern, never by raw URL, so
 * the label set stays bounded.
 */
export class Metrics {
  readonly registry = new Registry();
  readonly requests = new Counter({
    name: "http_requests_total",
    help: "HTTP requests by method, route pattern and status",
    labelNames: ["method", "route", "status"] as const,
    registers: [this.registry],
  });
  readonly duration = new Histogram({
    name: "http_request_duration_seconds",
    help: "HTTP request duration by method, route pattern and status",
    labelNames: ["method", "route", "status"] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [this.registry],
  });
  readonly commits = new Counter({
    name: "floe_commits_total",
    help: "Commits made through the Nessie API",
    registers: [this.registry],
  });
  readonly commitConflicts = new Counter({
    name: "floe_commit_conflicts_total",
    help: "Commits, merges and transplants rejected with a conflict",
    registers: [this.registry],
  });
  readonly merges = new Counter({
    name: "floe_merges_total",
    help: "Merges and transplants applied through the Nessie API",
    labelNames: ["kind"] as const,
    registers: [this.registry],
  });
  readonly icebergReports = new Counter({
    name: "floe_iceberg_metrics_reports_total",
    help: "Metrics reports (scan-report, commit-report) Iceberg REST clients sent",
    labelNames: ["type"] as const,
    registers: [this.registry],
  });

  readonly storeDuration = new Histogram({
    name: "floe_store_operation_duration_seconds",
    help: "Duration of metadata-store (PostgreSQL / PGlite) operations by operation",
    labelNames: ["op"] as const,
    buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1],
    registers: [this.registry],
  });

  constructor(store: Pick<VersionStoreApi, "stats" | "onStoreTiming">) {
    collectDefaultMetrics({ register: this.registry });
    store.onStoreTiming((op, seconds) => this.storeDuration.observe({ op }, seconds));
    // Counted inside the store (its commit queue), read when scraped.
    new Counter({
      name: "floe_commit_retries_total",
      help: "Times a batch of commits was rebuilt because another writer moved the branch first",
      registers: [this.registry],
      collect() {
        this.reset();
        this.inc(store.stats.retries);
      },
    });
  }
}

/** Route patterns for requests that Fastify routes to a wildcard and floe dispatches itself. */
const routeLabels = new WeakMap<FastifyRequest, string>();

export function setRouteLabel(request: FastifyRequest, label: string): void {
  routeLabels.set(request, label);
}

export function installRequestMetrics(app: FastifyInstance, metrics: Metrics): void {
  app.addHook("onResponse", async (request, reply) => {
    const route = routeLabels.get(request) ?? request.routeOptions.url ?? "unmatched";
    const labels = { method: request.method, route, status: String(reply.statusCode) };
    metrics.requests.inc(labels);
    metrics.duration.observe(labels, reply.elapsedTime / 1000);
  });
}
