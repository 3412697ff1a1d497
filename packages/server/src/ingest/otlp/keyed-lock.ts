/**
 * Lets one request at a time work on a given set of keys (cumulative series). A request holding a key has
 * computed deltas against that series' last committed point and is waiting for its commit; a second
 * request for the same series must wait until then, or it would diff against a point that might still be
 * rolled back. Requests on other series never wait.
 */
export class KeyedLock {
  private readonly held = new Map<string, Promise<void>>();

  /** Resolves once every key is free, holding them all; call the returned function to release. */
  async acquire(keys: readonly string[]): Promise<() => void> {
    for (;;) {
      const busy: Promise<void>[] = [];
      for (const key of keys) {
        const holder = this.held.get(key);
        if (holder) busy.push(holder);
      }
      if (busy.length === 0) break;
      await Promise.all(busy);
    }
    let release!: () => void;
    const done = new Promise<void>((resolve) => {
      release = resolve;
    });
    for (const key of keys) this.held.set(key, done);
    return () => {
      for (const key of keys) if (this.held.get(key) === done) this.held.delete(key);
      release();
    };
  }

  get size(): number {
    return this.held.size;
  }
}
