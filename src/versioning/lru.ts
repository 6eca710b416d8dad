/**
 * A bounded cache for immutable objects, in two generations: hits in the young map cost one
 * lookup and move nothing; hits in the old map move the entry to the young one; when the young map
 * is full it becomes the old one and the old one is dropped. (Reordering a large Map on every hit,
 * as a strict LRU does, made the hottest entries — the head commit, the root node — slowest.)
 */
export class Lru<K, V> {
  private young = new Map<K, V>();
  private old = new Map<K, V>();
  private readonly half: number;

  constructor(capacity: number) {
    this.half = Math.max(1, Math.floor(capacity / 2));
  }

  get(key: K): V | undefined {
    const v = this.young.get(key);
    if (v !== undefined) return v;
    const o = this.old.get(key);
    if (o !== undefined) this.set(key, o);
    return o;
  }

  set(key: K, value: V): void {
    if (this.young.size >= this.half && !this.young.has(key)) {
      this.old = this.young;
      this.young = new Map();
    }
    this.young.set(key, value);
  }
}
