/**
 * `floe doctor`'s Trino check against a real Trino (run by scripts/test-engines.sh next to the
 * other Trino checks, not by vitest):
 *
 *   node --import tsx interop/trino/doctor.ts TRINO_URL FLOE_URL
 *
 * TRINO_URL is the interop Trino (interop/trino/server.sh), whose catalog `iceberg` is floe's
 * Iceberg REST endpoint, as in the rendered platform. Checks: the `trino` check is ok, names the
 * version /v1/info reports and counts the schemas of `iceberg` (floe's namespaces on main plus
 * Trino's information_schema and system); pointed at a server that is not Trino (FLOE_URL), it fails and says so.
 * Prints "PASS - …" / "FAIL - …" per check and ends with "trino-doctor: N passed, N failed".
 */
import { trinoCheck } from "../../src/platform/checks/trino.ts";
import { parsePlatform } from "../../src/platform/platform-file.ts";

const [trinoUrl, floeUrl] = process.argv.slice(2);
if (!trinoUrl || !floeUrl) {
  process.stderr.write("usage: node --import tsx interop/trino/doctor.ts TRINO_URL FLOE_URL\n");
  process.exit(2);
}
const platform = parsePlatform({}, "interop");
let passed = 0;
let failed = 0;
function check(name: string, ok: boolean, detail: string): void {
  if (ok) passed++;
  else failed++;
  process.stdout.write(`${ok ? "PASS" : "FAIL"} - ${name}: ${detail}\n`);
}

const info = (await (await fetch(`${trinoUrl}/v1/info`)).json()) as { nodeVersion: { version: string } };
const namespaces = (await (await fetch(`${floeUrl}/iceberg/v1/main/namespaces`)).json()) as {
  namespaces: string[][];
};
const expected = namespaces.namespaces.length + 2; // + information_schema and system
const ok = await trinoCheck.run({ platform, trinoUrl });
check(
  "trino check on a running Trino",
  ok.status === "ok" && ok.detail === `Trino ${info.nodeVersion.version}; iceberg has ${expected} schemas`,
  `${ok.status}: ${ok.detail} (expected ok, Trino ${info.nodeVersion.version}, ${expected} schemas)`,
);
const notTrino = await trinoCheck.run({ platform, trinoUrl: floeUrl });
check(
  "trino check on a server that is not Trino",
  notTrino.status === "fail" && notTrino.detail === `${floeUrl}/v1/info: HTTP 404`,
  `${notTrino.status}: ${notTrino.detail}`,
);
process.stdout.write(`trino-doctor: ${passed} passed, ${failed} failed\n`);
process.exit(failed === 0 ? 0 : 1);
