import type { Store } from './store.ts';

/**
 * Meta values written in the background, for callers that must not wait (commit callbacks). One write per
 * key is in flight at a time and the newest value goes next, so a store with a pool of connections never
 * lands an older value after a newer one; `settled` lets shutdown wait for them before closing the store.
 */
export class MetaWriter {
  /** Per key with a write in flight: the value to write after it, or null. */
  private readonly next = new Map<string, string | null>();
  private readonly inFlight = new Set<Promise<void>>();

  constructor(
    private readonly store: Pick<Store, 'setMeta'>,
    /** A failed write; the key is written again with its next change. */
    private readonly onError: (error: unknown, key: string) => void,
  ) {}

  set(key: string, value: string): void {
    if (this.next.has(key)) {
      this.next.set(key, value);
      return;
    }
    this.next.set(key, null);
    this.write(key, value);
  }

  /** Resolves once every write started, and every value queued behind one, has settled. */
  async settled(): Promise<void> {
    while (this.inFlight.size > 0) await Promise.all(this.inFlight);
  }

  private write(key: string, value: string): void {
    const writing = this.store
      .setMeta(key, value)
      .catch((error: unknown) => this.onError(error, key))
      .finally(() => {
        this.inFlight.delete(writing);
        const queued = this.next.get(key);
        if (queued === null || queued === undefined) this.next.delete(key);
        else {
          this.next.set(key, null);
          this.write(key, queued);
        }
      });
    this.inFlight.add(writing);
  }
}
