import type { IngestProgress } from "../engine/ingest/ingest.ts";

/**
 * Progress of `floe ingest` on standard error: on a terminal a bar redrawn in place (percent,
 * bytes read of the input's, rows, rate, ETA); in a pipe a plain line every `everyMs`.
 */
export function progressPrinter(
  write: (s: string) => void,
  tty: boolean,
  everyMs = 5000,
): { update: (p: IngestProgress) => void; done: () => void } {
  let lastLine = -Infinity;
  let drawn = false;
  return {
    update: (p) => {
      if (tty) {
        write(`\r${bar(p.fraction)} ${progressText(p)}\u001b[K`);
        drawn = true;
      } else if (p.elapsedMs - lastLine >= everyMs || p.fraction === 1) {
        lastLine = p.elapsedMs;
        write(`ingest: ${progressText(p)}\n`);
      }
    },
    done: () => {
      if (drawn) write("\n");
    },
  };
}

const bar = (fraction: number, width = 24): string => {
  const full = Math.round(fraction * width);
  return `[${"#".repeat(full)}${".".repeat(width - full)}]`;
};

/** `42% · 1.1 GB of 2.7 GB · ~4.2M rows · 38 MB/s · ETA 41s` */
export function progressText(p: IngestProgress): string {
  const secs = p.elapsedMs / 1000;
  const rate = secs > 0 ? p.bytesRead / secs : 0;
  const parts = [`${Math.floor(p.fraction * 100)}%`, `${bytes(p.bytesRead)} of ${bytes(p.totalBytes)}`];
  if (p.rowsEstimate !== undefined) parts.push(`~${count(p.rowsEstimate)} rows`);
  parts.push(`${bytes(rate)}/s`);
  if (p.fraction > 0 && p.fraction < 1) parts.push(`ETA ${duration((secs * (1 - p.fraction)) / p.fraction)}`);
  else if (p.fraction >= 1) parts.push(`${duration(secs)}`);
  return parts.join(" · ");
}

export function bytes(n: number): string {
  const units = ["B", "kB", "MB", "GB", "TB"];
  let v = n;
  let u = 0;
  while (v >= 1000 && u < units.length - 1) {
    v /= 1000;
    u++;
  }
  return `${u === 0 ? v.toFixed(0) : v.toFixed(1)} ${units[u]}`;
}

function count(n: number): string {
  if (n >= 1e6) return `${(n / 1e6).toFixed(1)}M`;
  if (n >= 1e3) return `${(n / 1e3).toFixed(1)}k`;
  return String(n);
}

function duration(secs: number): string {
  if (secs < 60) return `${Math.round(secs)}s`;
  const m = Math.floor(secs / 60);
  const s = Math.round(secs % 60);
  return m < 60
    ? `${m}m${String(s).padStart(2, "0")}s`
    : `${Math.floor(m / 60)}h${String(m % 60).padStart(2, "0")}m`;
}
