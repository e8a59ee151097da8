// A Map with a size cap and least-recently-used eviction. A hit only stamps the entry (no re-insertion); eviction
// scans for the oldest stamp, which happens only when the cap is passed. `canEvict` lets busy entries stay (the map
// may then exceed its cap by the number of busy entries, which is bounded by the work in flight).

interface Slot<V> {
  value: V;
  used: number;
}

export class BoundedMap<K, V> {
  readonly #max: number;
  readonly #map = new Map<K, Slot<V>>();
  readonly #canEvict: (value: V) => boolean;
  readonly #onEvict: ((value: V, key: K) => void) | undefined;
  #tick = 0;

  constructor(max: number, options: { canEvict?: (value: V) => boolean; onEvict?: (value: V, key: K) => void } = {}) {
    this.#max = max;
    this.#canEvict = options.canEvict ?? (() => true);
    this.#onEvict = options.onEvict;
  }

  get size(): number {
    return this.#map.size;
  }

  /** Read and mark as recently used. */
  get(key: K): V | undefined {
    const slot = this.#map.get(key);
    if (slot === undefined) return undefined;
    slot.used = ++this.#tick;
    return slot.value;
  }

  /** Read without touching recency. */
  peek(key: K): V | undefined {
    return this.#map.get(key)?.value;
  }

  set(key: K, value: V): void {
    const slot = this.#map.get(key);
    if (slot !== undefined) {
      slot.value = value;
      slot.used = ++this.#tick;
      return;
    }
    this.#map.set(key, { value, used: ++this.#tick });
    if (this.#map.size > this.#max) this.#evict();
  }

  delete(key: K): boolean {
    return this.#map.delete(key);
  }

  *values(): IterableIterator<V> {
    for (const slot of this.#map.values()) yield slot.value;
  }

  clear(): void {
    this.#map.clear();
  }

  #evict(): void {
    while (this.#map.size > this.#max) {
      let oldestKey: K | undefined;
      let oldest: Slot<V> | undefined;
      for (const [key, slot] of this.#map) {
        if ((oldest === undefined || slot.used < oldest.used) && this.#canEvict(slot.value)) {
          oldestKey = key;
          oldest = slot;
        }
      }
      if (oldest === undefined) return;
      this.#map.delete(oldestKey as K);
      this.#onEvict?.(oldest.value, oldestKey as K);
    }
  }
}
