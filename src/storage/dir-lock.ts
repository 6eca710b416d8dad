import { readFileSync, unlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { FloeError } from "../core/errors.ts";

const isAlive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === "EPERM";
  }
};

/**
 * Takes `<dir>/floe.lock` for this process, or fails if a live process holds it: PGlite keeps one
 * process's view of its files in memory, so two processes (or two opens in one process) on one
 * directory would corrupt the catalog. A lock left by a process that died is taken over. Returns
 * the function that releases it.
 */
export function lockDirectory(dir: string): () => void {
  const path = join(dir, "floe.lock");
  for (let attempt = 0; ; attempt++) {
    try {
      writeFileSync(path, String(process.pid), { flag: "wx" });
      break;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== "EEXIST" || attempt > 0) throw e;
      const holder = Number(readFileSync(path, "utf8").trim());
      if (Number.isInteger(holder) && holder > 0 && isAlive(holder)) {
        throw new FloeError(
          "SERVICE_UNAVAILABLE",
          `the embedded catalog ${dir} is in use by process ${holder}${holder === process.pid ? " (this one)" : ""}; stop it or use another directory`,
        );
      }
      unlinkSync(path); // left by a process that is gone
    }
  }
  return () => {
    try {
      if (readFileSync(path, "utf8") === String(process.pid)) unlinkSync(path);
    } catch {
      // already gone
    }
  };
}
