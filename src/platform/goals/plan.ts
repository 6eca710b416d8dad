import type { PlatformDefinition } from "../definition.ts";
import { derive } from "./derive.ts";
import type { Goals, Objective, Phase } from "./goals.ts";

interface ObjectiveSpec {
  id: string;
  name: string;
  description: string;
  prerequisites: string[];
  deliverables: string[];
  validation: string[];
  duration: string;
}

const o = (
  id: string,
  name: string,
  description: string,
  prerequisites: string[],
  deliverables: string[],
  validation: string[],
  duration: string,
): ObjectiveSpec => ({ id, name, description, prerequisites, deliverables, validation, duration });

/** The seed's phases and objectives; 1.2 is the floe catalog (the seed deployed Nessie there). */
const PHASES: Array<{
  n: 1 | 2 | 3 | 4;
  name: string;
  description: string;
  duration: string;
  success: string[];
  objectives: ObjectiveSpec[];
}> = [
  {
    n: 1,
    name: "Foundation",
    description: "S3 storage, the floe catalog on PostgreSQL, Iceberg tables and catalog backups",
    duration: "1 week",
    success: ["S3 operations within 5 s", "catalog metadata queries within 2 s", "backup within 10 min"],
    objectives: [
      o(
        "1.1",
        "S3 storage validation",
        "Buckets on Ceph RGW with lifecycle rules; list, put/get, multipart and range reads work with the platform's keys",
        [],
        ["floe-storage", "floe-secrets", "guardrails"],
        ["object store Ready", "bucket claims Bound", "S3 reachable with the configured keys"],
        "1 day",
      ),
      o(
        "1.2",
        "floe catalog",
        "floe serve on CloudNativePG PostgreSQL, REST on 19120, default branch main",
        ["1.1"],
        ["floe-database", "floe-catalog"],
        ["database cluster healthy", "floe /readyz", "write and read on a scratch branch"],
        "1 day",
      ),
      o(
        "1.3",
        "Iceberg table operations",
        "Namespace, create, insert, schema evolution, time travel and maintenance through the catalog",
        ["1.2"],
        [],
        ["a table written and read through floe"],
        "2 days",
      ),
      o(
        "1.4",
        "Catalog metadata backup",
        "Daily backup CronJob, restore procedure, disaster-recovery test",
        ["1.2"],
        ["floe-backup"],
        ["a backup job completes", "restore into a scratch database"],
        "1 day",
      ),
    ],
  },
  {
    n: 2,
    name: "Compute platform",
    description: "The Spark Operator, Spark jobs and Iceberg from Spark, orchestration",
    duration: "1-2 weeks",
    success: ["Spark jobs start within 2 minutes", "more than 95% of jobs complete"],
    objectives: [
      o(
        "2.1",
        "Spark Operator",
        "Controller, RBAC, service account and metrics (chart versions.sparkOperatorChart)",
        ["1.3"],
        ["spark-operator"],
        ["SparkApplication CRD present", "SparkPi completes"],
        "1 day",
      ),
      o(
        "2.2",
        "Basic Spark jobs",
        "Job manifests, S3 read/write, resource examples, logs in the History Server",
        ["2.1"],
        ["spark"],
        ["a SparkApplication reaches COMPLETED"],
        "2 days",
      ),
      o(
        "2.3",
        "Iceberg from Spark",
        "Read/write through floe, schema evolution, tuned settings",
        ["2.2", "1.3"],
        [],
        ["iceberg-check writes and reads a table"],
        "2 days",
      ),
      o(
        "2.4",
        "Airflow integration",
        "SparkKubernetesOperator DAG: extract, transform, sensor, retries",
        ["2.3"],
        [],
        ["a DAG run succeeds"],
        "2 days",
      ),
    ],
  },
  {
    n: 3,
    name: "Analytics engine",
    description: "Trino on the floe catalog, query performance and production tuning",
    duration: "1-2 weeks",
    success: ["queries under 10 s on 10 GB", "5 concurrent queries"],
    objectives: [
      o(
        "3.1",
        "Trino",
        "Coordinator and autoscaled workers with the Iceberg catalog on floe",
        ["1.3"],
        ["trino"],
        ["/v1/info answers", "SHOW SCHEMAS IN iceberg"],
        "1 day",
      ),
      o(
        "3.2",
        "Query performance",
        "Aggregation < 2 s, time filter < 5 s, join < 10 s, analytics < 15 s, 5 concurrent, on 100k and 1M rows",
        ["3.1"],
        [],
        ["benchmark within targets"],
        "3 days",
      ),
      o(
        "3.3",
        "S3 Select pushdown comparison",
        "Filtered queries with and without pushdown",
        ["3.2"],
        [],
        ["comparison recorded"],
        "1 day",
      ),
      o(
        "3.4",
        "Production tuning",
        "Queues, memory killer, retries, spill, dashboards, alerts",
        ["3.2"],
        [],
        ["configuration applied"],
        "2 days",
      ),
    ],
  },
  {
    n: 4,
    name: "Production readiness",
    description: "Backup and disaster recovery, maintenance, monitoring, an end-to-end pipeline",
    duration: "2 weeks",
    success: ["platform availability 99.5% over 30 days", "catalog RTO 30 min, RPO 24 h"],
    objectives: [
      o(
        "4.1",
        "Backup and disaster recovery",
        "Catalog RTO 30 min, cluster rebuild RTO 4 h, RPO 24 h; Iceberg data backup strategy",
        ["1.4"],
        [],
        ["backup, drop, restore and verify a 50k-row table"],
        "3 days",
      ),
      o(
        "4.2",
        "Table maintenance",
        "Compaction, expire snapshots (7 days), remove orphans, rewrite manifests, daily",
        ["2.3"],
        [],
        ["file count falls after compaction"],
        "2 days",
      ),
      o(
        "4.3",
        "Monitoring",
        "Dashboards, alert rules for every component, SLA recording rules, backup alerts",
        ["3.1"],
        ["floe-monitoring"],
        ["PrometheusRule and dashboard present"],
        "2 days",
      ),
      o(
        "4.4",
        "End-to-end pipeline",
        "A pipeline every 6 h with data-quality checks; benchmark pass rate at least 80%",
        ["2.4", "3.2", "4.3"],
        [],
        ["pipeline completes within its SLA"],
        "3 days",
      ),
    ],
  },
];

/** A new goals.json: the built-in plan, every objective pending, sized from the definition. */
export function builtInGoals(p: PlatformDefinition, now: Date = new Date()): Goals {
  const stamp = now.toISOString();
  const phases: Phase[] = PHASES.map((ph) => ({
    id: `phase_${ph.n}`,
    name: ph.name,
    description: ph.description,
    status: "pending",
    estimated_duration: ph.duration,
    resource_allocation: { ...p.phases[`phase${ph.n}`] },
    success_criteria: ph.success,
    objectives: ph.objectives.map((x): Objective => ({
      id: x.id,
      name: x.name,
      description: x.description,
      status: "pending",
      prerequisites: x.prerequisites,
      deliverables: x.deliverables,
      validation_criteria: x.validation,
      estimated_duration: x.duration,
      assigned_to: null,
      completion_timestamp: null,
    })),
  }));
  return derive({
    metadata: {
      initiative: "floe data platform",
      description: "Iceberg lakehouse on Kubernetes: floe catalog, Spark, Trino on Ceph S3",
      created: stamp,
      last_updated: stamp,
      version: "1.0",
    },
    trigger_conditions: {
      storage_usage_threshold: "200Gi",
      s3_requirements: "applications need S3-compatible object storage",
      analytics_requirements: "datasets over 1 GB; queries under 10 s",
      data_processing_requirements: "versioned data, batch and streaming processing",
      evaluation_status: "pending",
      evaluation_notes: "",
    },
    phases,
    overall_success_criteria: [
      "catalog uptime 99.9%",
      "platform availability 99.5% over 30 days",
      "queries under 10 s on 10 GB, 5+ concurrent",
    ],
    risk_assessment: {
      high_risks: [
        {
          risk: "cluster memory too small for Trino",
          impact: "high",
          probability: "medium",
          mitigation: "phase capacity check before each objective",
        },
      ],
      medium_risks: [
        {
          risk: "bucket claims never bind",
          impact: "medium",
          probability: "medium",
          mitigation: "readiness check: claims Bound",
        },
      ],
      low_risks: [
        {
          risk: "chart upgrades change CRDs",
          impact: "low",
          probability: "low",
          mitigation: "CRDs CreateReplace, pinned chart versions",
        },
      ],
    },
    dependencies: {
      external: [
        "Rook-Ceph object store",
        "CloudNativePG operator",
        "External Secrets with 1Password",
        "Flux",
        "kube-prometheus-stack",
      ],
      tools: ["floe", "kubectl", "flux"],
    },
    current_status: {
      active_phase: null,
      active_objective: null,
      last_completed_objective: null,
      next_pending_objective: null,
      completion_percentage: 0,
    },
  });
}
