import { readFileSync } from "node:fs";

/** The q-quantile (0..1) of latencies, nearest-rank; NaN when there are none. */
export function quantile(sorted: Float64Array, q: number): number {
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.ceil(q * sorted.length);
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank - 1))]!;
}

/** A growable list of latencies in milliseconds. */
export class Latencies {
  private data = new Float64Array(1024);
  private n = 0;

  add(ms: number): void {
    if (this.n === this.data.length) {
      const next = new Float64Array(this.data.length * 2);
      next.set(this.data);
      this.data = next;
    }
    this.data[this.n++] = ms;
  }

  addAll(other: Latencies): void {
    for (let i = 0; i < other.n; i++) this.add(other.data[i]!);
  }

  get count(): number {
    return this.n;
  }

  summary(): { p50: number; p99: number; max: number } {
    const sorted = this.data.slice(0, this.n).sort();
    return { p50: quantile(sorted, 0.5), p99: quantile(sorted, 0.99), max: quantile(sorted, 1) };
  }
}

/** Resident set size of a process in MB (VmRSS of /proc/<pid>/status); NaN if it is gone. */
export function rssMb(pid: number): number {
  try {
    const m = /VmRSS:\s+(\d+)\s+kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
    return m ? Number(m[1]) / 1024 : Number.NaN;
  } catch {
    return Number.NaN;
  }
}

/** Samples a process's RSS every `everyMs` while running; `peak` is the highest sample. */
export class RssSampler {
  peak = 0;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly pid: number,
    private readonly everyMs = 100,
  ) {}

  start(): this {
    this.peak = Math.max(this.peak, rssMb(this.pid) || 0);
    this.timer = setInterval(() => {
      const v = rssMb(this.pid);
      if (v > this.peak) this.peak = v;
    }, this.everyMs);
    return this;
  }

  stop(): number {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    const v = rssMb(this.pid);
    if (v > this.peak) this.peak = v;
    return this.peak;
  }
}

export const fmt = {
  ms: (v: number | undefined) =>
    v === undefined || Number.isNaN(v) ? "–" : v < 10 ? v.toFixed(2) : v < 100 ? v.toFixed(1) : v.toFixed(0),
  rate: (v: number | undefined) =>
    v === undefined || Number.isNaN(v)
      ? "–"
      : v >= 100
        ? Math.round(v).toLocaleString("en-US")
        : v.toFixed(1),
  mb: (v: number | undefined) => (v === undefined || Number.isNaN(v) ? "–" : `${Math.round(v)} MB`),
  int: (v: number | undefined) => (v === undefined ? "–" : v.toLocaleString("en-US")),
};

/** A plain-text (and Markdown) table; columns after `leftColumns` are right-aligned. */
export function table(
  header: readonly string[],
  rows: ReadonlyArray<readonly string[]>,
  leftColumns = 1,
): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? "").length)));
  const left = (i: number) => i < leftColumns;
  const line = (cells: readonly string[]) =>
    "| " + cells.map((c, i) => (left(i) ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join(" | ") + " |";
  const sep =
    "|" + widths.map((w, i) => (left(i) ? "-".repeat(w + 2) : "-".repeat(w + 1) + ":")).join("|") + "|";
  return [line(header), sep, ...rows.map(line)].join("\n");
}

/** CPU time (user + system) a process has used, in seconds (/proc/<pid>/stat); NaN if it is gone. */
export function cpuSeconds(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    // Fields after the command name (which is in parentheses and may hold spaces).
    const f = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return (Number(f[11]) + Number(f[12])) / 100; // utime, stime in clock ticks (USER_HZ = 100)
  } catch {
    return Number.NaN;
  }
}
