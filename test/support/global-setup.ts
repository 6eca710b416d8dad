import { execFileSync } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

/**
 * Starts a private PostgreSQL server for the suite unless FLOE_TEST_PG_URL names one already
 * (scripts/test-all.sh and .ci/run start one and pass it on). Tests reach it through `inject("pgUrl")`.
 */
export default function setup({ provide }: { provide: (key: "pgUrl", value: string) => void }) {
  const given = process.env.FLOE_TEST_PG_URL;
  if (given) {
    provide("pgUrl", given);
    return;
  }
  const dir = mkdtempSync(join(tmpdir(), "floe-test-pg-"));
  const url = execFileSync("bash", ["scripts/pg.sh", "start", dir], { encoding: "utf8" }).trim();
  provide("pgUrl", url);
  return () => {
    execFileSync("bash", ["scripts/pg.sh", "stop", dir]);
  };
}

declare module "vitest" {
  export interface ProvidedContext {
    pgUrl: string;
  }
}
