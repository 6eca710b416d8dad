import type { KvStore } from "../storage/kv.ts";
import type { Reference, ReferenceType } from "./model.ts";
import { SingleFlight } from "./single-flight.ts";

const REF = "r:";
const enc = new TextEncoder();
const dec = new TextDecoder();

interface StoredRef {
  readonly type: ReferenceType;
  readonly hash: string;
}

const encodeRef = (r: StoredRef): Uint8Array => enc.encode(JSON.stringify({ type: r.type, hash: r.hash }));

/** Named references in the KV, moved only by compare-and-set. */
export class RefStore {
  private readonly reads = new SingleFlight((name) => this.read(name));

  constructor(private readonly kv: KvStore) {}

  /** The reference as stored now (concurrent calls share one query; see SingleFlight). */
  get(name: string): Promise<Reference | undefined> {
    return this.reads.get(name);
  }

  private async read(name: string): Promise<Reference | undefined> {
    const raw = await this.kv.get(REF + name);
    if (!raw) return undefined;
    const r = JSON.parse(dec.decode(raw)) as StoredRef;
    return { name, type: r.type, hash: r.hash };
  }

  async list(after?: string, limit?: number): Promise<Reference[]> {
    const rows = await this.kv.scan(REF, { after: after === undefined ? undefined : REF + after, limit });
    return rows.map(([k, v]) => {
      const r = JSON.parse(dec.decode(v)) as StoredRef;
      return { name: k.slice(REF.length), type: r.type, hash: r.hash };
    });
  }

  /** Atomically replaces `expected` (undefined = absent) with `next` (undefined = delete). */
  cas(
    name: string,
    expected: StoredRef | undefined,
    next: StoredRef | undefined,
    objects?: ReadonlyArray<readonly [string, Uint8Array]>,
  ): Promise<boolean> {
    return this.kv.compareAndSet(
      REF + name,
      expected && encodeRef(expected),
      next && encodeRef(next),
      objects,
    );
  }
}
