import { randomBytes } from "node:crypto";
import { sparkPi } from "../render/spark.ts";
import { type Check, errorText } from "./check.ts";

const GROUP = "sparkoperator.k8s.io";
const VERSION = "v1beta2";
const PLURAL = "sparkapplications";
/** Operator states after which nothing more happens to an application with restartPolicy Never. */
const FINAL = new Set(["COMPLETED", "FAILED", "SUBMISSION_FAILED"]);
/** States of an application the operator has not got running yet. */
const NOT_STARTED = new Set(["", "NEW", "SUBMITTED", "PENDING_SUBMISSION", "PENDING_RERUN"]);

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface AppStatus {
  applicationState?: { state?: string; errorMessage?: string };
  driverInfo?: { podName?: string };
}

/**
 * Runs SparkPi from the platform's Spark image in the job namespace under a unique name, waits
 * (with progress, up to the timeout) until the operator reports it COMPLETED or FAILED, and
 * deletes it again whatever happened.
 */
export const sparkPiCheck: Check = {
  id: "spark-pi",
  title: "a SparkPi run",
  async run(ctx) {
    const run = ctx.sparkPi;
    if (!run) return { status: "skip", detail: "not run (--no-spark-pi)" };
    if (!ctx.kube) throw new Error("no Kubernetes API (kubeconfig)");
    const kube = ctx.kube;
    const ns = ctx.platform.cluster.namespace;
    if (!(await kube.crd(`${PLURAL}.${GROUP}`)))
      return { status: "skip", detail: "no SparkApplication CRD (see the spark check)" };
    const name = `floe-doctor-pi-${randomBytes(4).toString("hex")}`;
    const app = sparkPi(ctx.platform, name, 10);
    try {
      await kube.createCustom(GROUP, VERSION, PLURAL, ns, app);
    } catch (e) {
      return {
        status: "fail",
        detail: `cannot create SparkApplication ${ns}/${name}: ${errorText(e)}`,
        cause:
          "the API server refused it: the ResourceQuota's count/sparkapplications is used up, or this kubeconfig may not create SparkApplications",
        fix: `kubectl -n ${ns} describe resourcequota; kubectl auth can-i create sparkapplications -n ${ns}`,
      };
    }
    ctx.progress?.(`spark-pi: created ${ns}/${name} (image ${ctx.platform.versions.sparkImage})`);
    let state = "";
    let status: AppStatus = {};
    const deadline = Date.now() + run.timeoutMs;
    try {
      for (;;) {
        const obj = await kube.custom(GROUP, VERSION, PLURAL, ns, name);
        if (!obj) throw new Error(`SparkApplication ${ns}/${name} disappeared while it ran`);
        status = (obj.status ?? {}) as AppStatus;
        const now = status.applicationState?.state ?? "";
        if (now !== state) ctx.progress?.(`spark-pi: ${ns}/${name} ${now || "(no state yet)"}`);
        state = now;
        if (FINAL.has(state) || Date.now() >= deadline) break;
        await sleep(Math.min(run.pollMs, Math.max(0, deadline - Date.now())));
      }
    } finally {
      const deleted = await kube
        .deleteCustom(GROUP, VERSION, PLURAL, ns, name)
        .catch((e: unknown) => errorText(e));
      if (deleted !== true)
        ctx.progress?.(`spark-pi: could not delete ${ns}/${name}: ${deleted || "already gone"}`);
    }
    const seconds = run.timeoutMs / 1000;
    if (state === "COMPLETED") return { status: "ok", detail: `${name} COMPLETED` };
    const driver = status.driverInfo?.podName;
    if (FINAL.has(state)) {
      const message = status.applicationState?.errorMessage?.split("\n")[0] ?? "no error message";
      return {
        status: "fail",
        detail: `${name} ${state}: ${message}`,
        cause:
          state === "SUBMISSION_FAILED"
            ? "spark-submit failed in the operator: the service account spark-application-sa is missing or the driver spec is refused"
            : "the driver failed: the Spark image cannot be pulled or lacks the examples jar, or the driver ran out of memory",
        fix: `floe doctor deletes its run${driver ? ` (driver ${driver})` : ""}; to read the driver's log run the example: kubectl apply -k kubernetes/apps/${ns}/spark/examples; kubectl -n ${ns} logs spark-pi-driver`,
      };
    }
    if (NOT_STARTED.has(state)) {
      return {
        status: "fail",
        detail: `${name} did not start within ${seconds}s (state ${state || "none"})`,
        cause: `Spark job stuck: the operator does not watch ${ns} or is not running, the ResourceQuota (memory requests) is exhausted, or the image cannot be pulled`,
        fix: `kubectl -n ${ns} get events --sort-by=.lastTimestamp; kubectl -n ${ns} describe resourcequota; flux get helmreleases -A`,
      };
    }
    return {
      status: "fail",
      detail: `${name} still ${state} after ${seconds}s`,
      cause: "the cluster is slow to schedule or run the driver and executor",
      fix: "run again with a longer --spark-pi-timeout; kubectl top nodes",
    };
  },
};
