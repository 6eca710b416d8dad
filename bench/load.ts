/**
 * The load generator on its own, against any floe or Nessie server on this machine:
 *
 *   node --import tsx bench/load.ts --url http://127.0.0.1:19120/api/v2 \
 *     --workload distinct|onekey|reads --clients 32 [--seconds 10] [--requests 100000] [--warmup 1]
 *
 * Prints throughput and p50/p99 latency of successful requests, and the number of 409s.
 */
import { HttpClient } from "./lib/http.ts";
import { runLoad } from "./lib/load.ts";
import { fmt } from "./lib/stats.ts";
import { distinctKeyClients, ensureNamespace, oneKeyClients, readClients } from "./lib/workloads.ts";

function arg(name: string, dflt?: string): string {
  const i = process.argv.indexOf(`--${name}`);
  const v = i >= 0 ? process.argv[i + 1] : dflt;
  if (v === undefined) throw new Error(`--${name} is required`);
  return v;
}

async function main(): Promise<void> {
  const url = arg("url", "http://127.0.0.1:19120/api/v2");
  const workload = arg("workload", "distinct");
  const clients = Number(arg("clients", "8"));
  const seconds = Number(arg("seconds", "10"));
  const requests = Number(arg("requests", "1000000"));
  const warmup = Number(arg("warmup", "1"));
  const c = new HttpClient(url, clients);
  await ensureNamespace(c);
  const tag = `${workload.slice(0, 1)}${Date.now().toString(36)}`;
  const steps =
    workload === "distinct"
      ? await distinctKeyClients(c, tag, clients)
      : workload === "onekey"
        ? await oneKeyClients(c, tag, clients)
        : workload === "reads"
          ? await readClients(c, tag, clients, 100)
          : undefined;
  if (!steps) throw new Error(`unknown workload '${workload}' (distinct, onekey, reads)`);
  const r = await runLoad(
    steps,
    { maxRequests: requests, maxSeconds: seconds },
    warmup > 0 ? { maxRequests: requests, maxSeconds: warmup } : undefined,
  );
  c.close();
  process.stdout.write(
    `${workload}, ${clients} clients, ${r.seconds.toFixed(1)} s: ${fmt.rate(r.okPerSecond)} ok/s, ` +
      `p50 ${fmt.ms(r.p50)} ms, p99 ${fmt.ms(r.p99)} ms, max ${fmt.ms(r.max)} ms; ` +
      `${r.ok} ok, ${r.conflicts} × 409 (p50 ${fmt.ms(r.conflictP50)} ms), ${r.errors} errors` +
      (r.firstError ? ` (first: ${r.firstError})` : "") +
      "\n",
  );
}

main().catch((e: unknown) => {
  process.stderr.write(`load failed: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exit(1);
});
