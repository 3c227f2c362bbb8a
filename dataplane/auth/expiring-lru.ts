// A bounded cache whose entries also expire: the Map's insertion order is the recency order (a hit is
// re-inserted at the end), so the first key is always the least recently used one.

export interface ExpiringLru<V> {
  readonly size: number;
  /** The value, when present and not expired at `now` (epoch ms). */
  get(key: string, now: number): V | undefined;
  set(key: string, value: V, expiresAt: number): void;
}

export function createExpiringLru<V>(maxEntries: number): ExpiringLru<V> {
  const entries = new Map<string, { readonly value: V; readonly expiresAt: number }>();
  return {
    get size() {
      return entries.size;
    },
    get(key, now) {
      const entry = entries.get(key);
      if (entry === undefined) return undefined;
      entries.delete(key);
      if (now >= entry.expiresAt) return undefined;
      entries.set(key, entry);
      return entry.value;
    },
    set(key, value, expiresAt) {
      entries.delete(key);
      entries.set(key, { value, expiresAt });
      while (entries.size > maxEntries) {
        const oldest = entries.keys().next();
        if (oldest.done === true) break;
        entries.delete(oldest.value);
      }
    },
  };
}
