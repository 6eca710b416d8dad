import { readdirSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, inject, it } from "vitest";
import { killLeftovers } from "../cli/floe-process.ts";
import {
  compareRows,
  parseSlt,
  renderValue,
  type RunnerName,
  type SltRecord,
  substitute,
} from "./slt-format.ts";
import { openRunner, type Outcome, type SltRunner } from "./slt-runners.ts";

/**
 * The sqllogictest suite (test/slt/README.md): every `test/slt/*.slt` file, one test per record,
 * named `test/slt/FILE:LINE`. Each file runs on a catalog of its own through `SqlSession` in this
 * process, and those with `control runner cli` also through the real `floe sql` program against a
 * real `floe serve`; those with `control warehouse s3` have their tables on the suite's S3 server
 * (session only). FLOE_SLT_RUNNER=cli runs every file only through the programs, =session only in
 * this process; FLOE_SLT_FILES
 * (a comma-separated list of file names) runs only those files.
 */
const dir = fileURLToPath(new URL(".", import.meta.url));
const only = process.env.FLOE_SLT_FILES?.split(",").filter((f) => f !== "");
const files = readdirSync(dir)
  .filter((f) => f.endsWith(".slt") && (only === undefined || only.includes(f)))
  .sort();

afterAll(killLeftovers);

for (const file of files) {
  const path = `test/slt/${file}`;
  const slt = parseSlt(readFileSync(`${dir}/${file}`, "utf8"), path);
  const forced = process.env.FLOE_SLT_RUNNER;
  const runners: RunnerName[] = slt.s3
    ? ["session"]
    : forced === "cli" || forced === "session"
      ? [forced]
      : ["session", ...slt.runners.filter((r) => r === "cli")];
  for (const runnerName of runners) {
    describe(`${path} (${runnerName})`, () => {
      let runner: SltRunner | undefined;
      const vars = new Map<string, string>();
      beforeAll(async () => {
        runner = await openRunner(runnerName, slt.s3 ? inject("s3") : undefined);
      }, 180_000);
      afterAll(async () => {
        await runner?.close();
      });
      for (const record of slt.records) {
        const skipped =
          record.skipIf.includes(runnerName) ||
          (record.onlyIf.length > 0 && !record.onlyIf.includes(runnerName));
        const title = `${path}:${record.line}: ${record.sql.split("\n")[0]}`;
        (skipped ? it.skip : it)(title, async () => {
          if (!runner) throw new Error(`${path}: the ${runnerName} runner did not start`);
          await check(runner, record, vars, `${path}:${record.line}`);
        });
      }
    });
  }
}

async function check(
  runner: SltRunner,
  record: SltRecord,
  vars: Map<string, string>,
  where: string,
): Promise<void> {
  const sql = substitute(record.sql, vars);
  let outcome: Outcome;
  try {
    outcome = await runner.run(sql);
  } catch (e) {
    const message = e instanceof Error ? e.message : String(e);
    if (record.kind !== "error") throw new Error(`${where}: statement failed: ${message}\n${sql}`);
    if (record.pattern && !record.pattern.test(message))
      throw new Error(`${where}: error does not match /${record.pattern.source}/: ${message}\n${sql}`);
    return;
  }
  const fail = (what: string): never => {
    throw new Error(`${where}: ${what}\n${sql}`);
  };
  switch (record.kind) {
    case "error":
      return fail(
        `expected an error${record.pattern ? ` matching /${record.pattern.source}/` : ""}, got none`,
      );
    case "statement-ok":
      return;
    case "statement-count": {
      const m = /\b(\d+|no) rows?\b/.exec(outcome.message ?? "");
      const n = m?.[1] === "no" ? 0n : m ? BigInt(m[1] as string) : undefined;
      if (n !== record.count) fail(`expected a count of ${record.count}, the message is: ${outcome.message}`);
      return;
    }
    case "let": {
      const [row, ...more] = outcome.rows;
      if (row === undefined || more.length > 0 || row.length !== record.names.length)
        fail(
          `'let ${record.names.join(" ")}' needs one row of ${record.names.length} values, got ${JSON.stringify(outcome.rows)}`,
        );
      record.names.forEach((name, i) => vars.set(name, renderValue(row?.[i], "T")));
      return;
    }
    case "query": {
      const diff = compareRows(record, outcome.columnCount, outcome.rows, vars);
      if (diff !== undefined) fail(diff);
    }
  }
}
