/**
 * Kubernetes resource quantities as numbers: CPU in cores (`500m` → 0.5, metrics' `250000000n` →
 * 0.25), memory and storage in bytes (`16Gi`, `16384Ki`, `1G`). NaN for text that is not one.
 */
const SUFFIX: Record<string, number> = {
  n: 1e-9,
  u: 1e-6,
  m: 1e-3,
  "": 1,
  k: 1e3,
  K: 1e3,
  M: 1e6,
  G: 1e9,
  T: 1e12,
  P: 1e15,
  Ki: 2 ** 10,
  Mi: 2 ** 20,
  Gi: 2 ** 30,
  Ti: 2 ** 40,
  Pi: 2 ** 50,
};

export function parseQuantity(q: string | number | undefined): number {
  if (typeof q === "number") return q;
  const m = /^([0-9.]+)([a-zA-Z]*)$/.exec((q ?? "").trim());
  const unit = m ? SUFFIX[m[2] ?? ""] : undefined;
  return m && unit !== undefined ? Number(m[1]) * unit : Number.NaN;
}

/** Bytes as `12.5Gi`. */
export function formatBytes(bytes: number): string {
  return `${(bytes / 2 ** 30).toFixed(1).replace(/\.0$/, "")}Gi`;
}

/** Cores as `3.5`. */
export function formatCores(cores: number): string {
  return cores.toFixed(2).replace(/\.?0+$/, "") || "0";
}
