import { randomUUID } from "node:crypto";
import { FloeClient } from "../../cli/client.ts";
import type { Check } from "./check.ts";

/**
 * floe answers `/readyz`, and a write on a scratch branch reads back: a branch from the default
 * branch, a namespace committed onto it and read again, then the branch deleted.
 */
export const floeCheck: Check = {
  id: "floe",
  title: "floe /readyz and a write-and-read smoke test",
  async run(ctx) {
    if (!ctx.floeUrl) {
      return {
        status: "skip",
        detail:
          "no --floe-url (e.g. kubectl -n data-platform port-forward svc/floe 19120, then --floe-url http://127.0.0.1:19120)",
      };
    }
    const ready = await fetch(`${ctx.floeUrl}/readyz`).catch((e: unknown) => e as Error);
    if (ready instanceof Error || !ready.ok) {
      const why =
        ready instanceof Error
          ? String((ready as { cause?: unknown }).cause ?? ready.message)
          : `HTTP ${ready.status}`;
      return {
        status: "fail",
        detail: `${ctx.floeUrl}/readyz: ${why}`,
        cause:
          "catalog connection failed: floe is not ready (its database or object store is unreachable) or the URL is wrong",
        fix: `kubectl -n ${ctx.platform.cluster.namespace} logs deployment/floe`,
      };
    }
    const client = new FloeClient(ctx.floeUrl);
    const base = await client.getReference(ctx.platform.catalog.defaultBranch);
    const name = `floe-doctor-${randomUUID().slice(0, 8)}`;
    const branch = await client.createReference(name, "BRANCH", base);
    try {
      const ns = [name.replaceAll("-", "_")];
      const res = await client.commit(name, branch.hash, "floe doctor smoke test", [
        { type: "PUT", key: { elements: ns }, content: { type: "NAMESPACE", elements: ns } },
      ]);
      const read = await client.content(name, ns);
      if (read.type !== "NAMESPACE")
        return { status: "fail", detail: `wrote a namespace on ${name}, read back ${read.type}` };
      await client.deleteReference(name, "BRANCH", res.targetBranch.hash);
      return {
        status: "ok",
        detail: `ready; committed and read back a namespace on scratch branch ${name} (deleted)`,
      };
    } catch (e) {
      await client.getReference(name).then(
        (r) => client.deleteReference(name, "BRANCH", r.hash),
        () => undefined,
      );
      throw e;
    }
  },
};
