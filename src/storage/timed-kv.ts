import type { KvStore } from "./kv.ts";

export type KvTimingListener = (op: KvOp, seconds: number) => void;
export type KvOp = "get" | "getMany" | "putIfAbsent" | "compareAndSet" | "scan";

/**
 * A KvStore that reports how long each operation took, for the store-latency metric. Listeners
 * are added by whoever exports metrics; the storage layer knows nothing of Prometheus.
 */
export class TimedKvStore implements KvStore {
  private readonly listeners: KvTimingListener[] = [];

  constructor(private readonly inner: KvStore) {}

  get description(): string {
    return this.inner.description;
  }

  onTiming(listener: KvTimingListener): void {
    this.listeners.push(listener);
  }

  private async timed<T>(op: KvOp, run: () => Promise<T>): Promise<T> {
    if (this.listeners.length === 0) return run();
    const start = process.hrtime.bigint();
    try {
      return await run();
    } finally {
      const seconds = Number(process.hrtime.bigint() - start) / 1e9;
      for (const l of this.listeners) l(op, seconds);
    }
  }

  get(key: string) {
    return this.timed("get", () => this.inner.get(key));
  }
  getMany(keys: readonly string[]) {
    return this.timed("getMany", () => this.inner.getMany(keys));
  }
  putIfAbsent(entries: ReadonlyArray<readonly [string, Uint8Array]>) {
    return this.timed("putIfAbsent", () => this.inner.putIfAbsent(entries));
  }
  compareAndSet(
    key: string,
    expected: Uint8Array | undefined,
    next: Uint8Array | undefined,
    alsoPut?: ReadonlyArray<readonly [string, Uint8Array]>,
  ) {
    return this.timed("compareAndSet", () => this.inner.compareAndSet(key, expected, next, alsoPut));
  }
  scan(prefix: string, opts?: { after?: string; limit?: number }) {
    return this.timed("scan", () => this.inner.scan(prefix, opts));
  }
  ping() {
    return this.inner.ping();
  }
  close() {
    return this.inner.close();
  }
}
