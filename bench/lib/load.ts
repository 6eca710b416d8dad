import { performance } from "node:perf_hooks";
import { Latencies } from "./stats.ts";

/** What one step of a client did: the latency of its measured request and how it ended. */
export interface Outcome {
  readonly kind: "ok" | "conflict" | "error";
  readonly ms: number;
  /** For errors: status and the start of the body, to report the first one. */
  readonly detail?: string;
}

/** One simulated client: each call makes one measured request (plus any unmeasured follow-up). */
export type ClientStep = () => Promise<Outcome>;

export interface PhaseBounds {
  /** Stop issuing requests after this many (all clients together). */
  readonly maxRequests: number;
  /** Stop issuing requests after this many seconds. */
  readonly maxSeconds: number;
}

export interface LoadResult {
  readonly clients: number;
  readonly requests: number;
  readonly ok: number;
  readonly conflicts: number;
  readonly errors: number;
  readonly seconds: number;
  /** Successful requests per second of wall time. */
  readonly okPerSecond: number;
  /** Latency of successful requests, ms. */
  readonly p50: number;
  readonly p99: number;
  readonly max: number;
  /** Latency of requests refused with 409, ms. */
  readonly conflictP50: number;
  readonly conflictP99: number;
  readonly firstError?: string;
  /** The latencies of the successful requests, for merging phases. */
  readonly okLatencies: Latencies;
}

/** Measures time of one request. */
export async function timed<T>(f: () => Promise<T>): Promise<{ value: T; ms: number }> {
  const t0 = performance.now();
  const value = await f();
  return { value, ms: performance.now() - t0 };
}

/**
 * Runs `steps` (one per client) concurrently, each client issuing its next request as soon as
 * the previous one is answered (closed loop), until `maxRequests` were issued or `maxSeconds`
 * passed. An optional warm-up phase runs first with the same clients and is not recorded.
 */
export async function runLoad(
  steps: readonly ClientStep[],
  bounds: PhaseBounds,
  warmup?: PhaseBounds,
): Promise<LoadResult> {
  if (warmup) await phase(steps, warmup);
  return phase(steps, bounds);
}

async function phase(steps: readonly ClientStep[], bounds: PhaseBounds): Promise<LoadResult> {
  const ok = new Latencies();
  const conflicts = new Latencies();
  let errors = 0;
  let issued = 0;
  let firstError: string | undefined;
  const start = performance.now();
  const deadline = start + bounds.maxSeconds * 1000;
  await Promise.all(
    steps.map(async (step) => {
      while (issued < bounds.maxRequests && performance.now() < deadline) {
        issued++;
        let o: Outcome;
        try {
          o = await step();
        } catch (e) {
          o = { kind: "error", ms: 0, detail: e instanceof Error ? e.message : String(e) };
        }
        if (o.kind === "ok") ok.add(o.ms);
        else if (o.kind === "conflict") conflicts.add(o.ms);
        else {
          errors++;
          firstError ??= o.detail;
          // A broken server would otherwise be hammered in a tight loop.
          if (errors > 100 && errors > issued / 2) break;
        }
      }
    }),
  );
  const seconds = (performance.now() - start) / 1000;
  const s = ok.summary();
  const c = conflicts.summary();
  return {
    clients: steps.length,
    requests: issued,
    ok: ok.count,
    conflicts: conflicts.count,
    errors,
    seconds,
    okPerSecond: ok.count / seconds,
    p50: s.p50,
    p99: s.p99,
    max: s.max,
    conflictP50: c.p50,
    conflictP99: c.p99,
    ...(firstError !== undefined ? { firstError } : {}),
    okLatencies: ok,
  };
}

/** One result of several phases of the same clients (e.g. rounds interleaved with another server's). */
export function mergeResults(parts: readonly LoadResult[]): LoadResult {
  const ok = new Latencies();
  for (const p of parts) ok.addAll(p.okLatencies);
  const sum = (f: (r: LoadResult) => number) => parts.reduce((a, r) => a + f(r), 0);
  const seconds = sum((r) => r.seconds);
  const s = ok.summary();
  const firstError = parts.find((p) => p.firstError !== undefined)?.firstError;
  return {
    clients: parts[0]?.clients ?? 0,
    requests: sum((r) => r.requests),
    ok: ok.count,
    conflicts: sum((r) => r.conflicts),
    errors: sum((r) => r.errors),
    seconds,
    okPerSecond: ok.count / seconds,
    p50: s.p50,
    p99: s.p99,
    max: s.max,
    conflictP50: Number.NaN,
    conflictP99: Number.NaN,
    ...(firstError !== undefined ? { firstError } : {}),
    okLatencies: ok,
  };
}
