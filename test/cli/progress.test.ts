import { describe, expect, it } from "vitest";
import { progressPrinter, progressText } from "../../src/cli/progress.ts";

const at = (fraction: number, elapsedMs: number) => ({
  fraction,
  totalBytes: 2_000_000_000,
  bytesRead: Math.round(fraction * 2_000_000_000),
  rowsEstimate: Math.round(fraction * 40_000_000),
  elapsedMs,
});

describe("ingest progress", () => {
  it("says percent, bytes of the input, rows, rate and ETA", () => {
    expect(progressText(at(0.25, 10_000))).toBe(
      "25% · 500.0 MB of 2.0 GB · ~10.0M rows · 50.0 MB/s · ETA 30s",
    );
    expect(progressText(at(0.01, 60_000))).toBe(
      "1% · 20.0 MB of 2.0 GB · ~400.0k rows · 333.3 kB/s · ETA 1h39m",
    );
    expect(progressText(at(1, 90_000))).toBe("100% · 2.0 GB of 2.0 GB · ~40.0M rows · 22.2 MB/s · 1m30s");
    const { rowsEstimate: _, ...noRows } = at(0.5, 1000);
    expect(progressText(noRows)).toBe("50% · 1.0 GB of 2.0 GB · 1.0 GB/s · ETA 1s");
  });

  it("redraws one line on a terminal and prints a line every few seconds in a pipe", () => {
    let tty = "";
    const bar = progressPrinter((s) => (tty += s), true);
    bar.update(at(0.5, 1000));
    bar.update(at(1, 2000));
    bar.done();
    expect(tty).toBe(
      "\r[############............] 50% · 1.0 GB of 2.0 GB · ~20.0M rows · 1.0 GB/s · ETA 1s\u001b[K" +
        "\r[########################] 100% · 2.0 GB of 2.0 GB · ~40.0M rows · 1.0 GB/s · 2s\u001b[K\n",
    );
    let pipe = "";
    const lines = progressPrinter((s) => (pipe += s), false, 5000);
    for (const ms of [250, 500, 5250, 6000, 10_300]) lines.update(at(ms / 20_000, ms));
    lines.update(at(1, 11_000));
    lines.done();
    expect(
      pipe
        .split("\n")
        .slice(0, -1)
        .map((l) => l.split(" · ")[0]),
    ).toEqual(["ingest: 1%", "ingest: 26%", "ingest: 51%", "ingest: 100%"]);
  });
});
