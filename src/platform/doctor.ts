import { type Check, type CheckContext, type CheckResult, exitCode, runChecks } from "./checks/check.ts";
import {
  bucketClaimsCheck,
  catalogCheck,
  databaseCheck,
  nodesCheck,
  objectStoreCheck,
  secretsCheck,
  sparkCheck,
} from "./checks/cluster.ts";
import { floeCheck } from "./checks/floe.ts";
import { s3Check } from "./checks/s3.ts";
import { sparkPiCheck } from "./checks/spark-pi.ts";
import { trinoCheck } from "./checks/trino.ts";

/** The readiness checks (`platform review`): they read, and create nothing in the cluster. */
export const READINESS_CHECKS: readonly Check[] = [
  nodesCheck,
  objectStoreCheck,
  bucketClaimsCheck,
  secretsCheck,
  databaseCheck,
  catalogCheck,
  floeCheck,
  s3Check,
  sparkCheck,
  trinoCheck,
];

/** Everything `floe doctor` looks at, in the order a broken platform is best read: also a SparkPi run. */
export const DOCTOR_CHECKS: readonly Check[] = [
  ...READINESS_CHECKS.slice(0, READINESS_CHECKS.indexOf(sparkCheck) + 1),
  sparkPiCheck,
  trinoCheck,
];

export interface DoctorReport {
  /** 0 ok, 1 warning, 2 failure, 3 error (the checks could not run). */
  readonly exitCode: 0 | 1 | 2 | 3;
  readonly status: "ok" | "warning" | "failure" | "error";
  readonly apiServer?: string;
  readonly error?: string;
  readonly checks: readonly CheckResult[];
}

const STATUS = { 0: "ok", 1: "warning", 2: "failure", 3: "error" } as const;

/** Runs the checks; an API server that does not answer at all is an error (3), not a failure. */
export async function doctor(
  ctx: CheckContext,
  checks: readonly Check[] = DOCTOR_CHECKS,
): Promise<DoctorReport> {
  if (ctx.kube) {
    try {
      await ctx.kube.nodes();
    } catch (e) {
      const why = (e as { cause?: { code?: string } }).cause?.code ?? (e as Error).message.split("\n")[0];
      return {
        exitCode: 3,
        status: "error",
        apiServer: ctx.kube.server,
        error: `cannot reach the Kubernetes API at ${ctx.kube.server}: ${why}`,
        checks: [],
      };
    }
  }
  const results = await runChecks(checks, ctx);
  const code = exitCode(results);
  return {
    exitCode: code,
    status: STATUS[code],
    ...(ctx.kube ? { apiServer: ctx.kube.server } : {}),
    checks: results,
  };
}
