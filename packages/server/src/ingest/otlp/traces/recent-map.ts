/**
 * A map bounded to its newest entries: at least the newest `max` / 2 and at most `max`. Two generations, the
 * older dropped whole when the newer fills, so nothing is evicted key by key; an entry set again is in the
 * newer one. For what a decode worker remembers of earlier exports (UnnamedCalls, ServedAddresses).
 */
export class RecentMap<V> {
  private current = new Map<string, V>();
  private previous = new Map<string, V>();

  constructor(private readonly max: number) {}

  get(key: string): V | undefined {
    return this.current.get(key) ?? this.previous.get(key);
  }

  set(key: string, value: V): void {
    this.current.set(key, value);
    if (this.current.size >= this.max / 2) {
      this.previous = this.current;
      this.current = new Map();
    }
  }
}
