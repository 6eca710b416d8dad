import type { PlatformDefinition } from "../definition.ts";
import type { Kube } from "../kube.ts";

/** ok, warn (works, but look), fail (broken), skip (not checked: say why). */
export type CheckStatus = "ok" | "warn" | "fail" | "skip";

export interface CheckResult {
  readonly id: string;
  readonly title: string;
  readonly status: CheckStatus;
  readonly detail: string;
  /** For warn and fail: the likely cause and what to do. */
  readonly cause?: string;
  readonly fix?: string;
}

/** What the checks may reach: the cluster's API and, where given, floe, S3 and Trino by URL. */
export interface CheckContext {
  readonly platform: PlatformDefinition;
  readonly kube?: Kube;
  /** floe as this machine reaches it (e.g. after `kubectl port-forward svc/floe 19120`). */
  readonly floeUrl?: string;
  /** S3 as this machine reaches it; default: the platform's endpoint. */
  readonly s3Endpoint?: string;
  readonly trinoUrl?: string;
  /** Run a SparkPi application: how long to wait for it and how often to look; absent: not run. */
  readonly sparkPi?: { readonly timeoutMs: number; readonly pollMs: number };
  /** Lines about long-running checks as they go (the SparkPi's states). */
  readonly progress?: (line: string) => void;
}

export interface Check {
  readonly id: string;
  readonly title: string;
  run(ctx: CheckContext): Promise<Omit<CheckResult, "id" | "title">>;
}

/** Runs checks in order; a check that throws is a failure with the error's message, never a crash. */
export async function runChecks(checks: readonly Check[], ctx: CheckContext): Promise<CheckResult[]> {
  const results: CheckResult[] = [];
  for (const c of checks) {
    try {
      results.push({ id: c.id, title: c.title, ...(await c.run(ctx)) });
    } catch (e) {
      results.push({ id: c.id, title: c.title, status: "fail", detail: errorText(e) });
    }
  }
  return results;
}

/** One line for an error from the Kubernetes client, fetch or the AWS SDK. */
export function errorText(e: unknown): string {
  if (e instanceof Error) {
    const code = (e as { code?: unknown }).code;
    const cause = (e as { cause?: { code?: string; message?: string } }).cause;
    const first = (e.message.split("\n")[0] ?? "").slice(0, 300);
    const why = cause?.code ?? cause?.message;
    return [first, typeof code === "number" ? `HTTP ${code}` : undefined, why].filter(Boolean).join(": ");
  }
  return String(e);
}

/** Exit code of a set of results, as the seed's scripts had: 0 ok, 1 warning, 2 failure. */
export function exitCode(results: readonly CheckResult[]): 0 | 1 | 2 {
  if (results.some((r) => r.status === "fail")) return 2;
  if (results.some((r) => r.status === "warn")) return 1;
  return 0;
}
