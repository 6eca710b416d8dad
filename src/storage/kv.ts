/**
 * The metadata store under the version store: a small key-value interface whose only
 * concurrency primitive is compare-and-set. Keys are text, values are bytes.
 *
 * Contract (checked by `test/storage/kv-contract.ts` against every implementation):
 * - `putIfAbsent` writes each entry whose key does not exist and leaves existing ones untouched;
 *   it is how immutable, content-addressed objects are stored (a retry writes nothing twice).
 * - `compareAndSet(key, expected, next, alsoPut)` atomically replaces the value only when the
 *   current value equals `expected` (`undefined` = absent); `next === undefined` deletes. Returns
 *   whether it did. `alsoPut` entries are put-if-absent in the same round trip, whether or not the
 *   swap succeeds (the version store passes the immutable objects a ref move needs).
 * - `scan(prefix)` yields entries whose key starts with `prefix`, in ascending key order,
 *   starting after `after` when given, at most `limit` entries.
 */
export interface KvStore {
  get(key: string): Promise<Uint8Array | undefined>;
  getMany(keys: readonly string[]): Promise<Map<string, Uint8Array>>;
  putIfAbsent(entries: ReadonlyArray<readonly [string, Uint8Array]>): Promise<void>;
  compareAndSet(
    key: string,
    expected: Uint8Array | undefined,
    next: Uint8Array | undefined,
    alsoPut?: ReadonlyArray<readonly [string, Uint8Array]>,
  ): Promise<boolean>;
  scan(prefix: string, opts?: { after?: string; limit?: number }): Promise<Array<[string, Uint8Array]>>;
  /** Reachability of the database, for `/readyz`. */
  ping(): Promise<void>;
  close(): Promise<void>;
  readonly description: string;
}
