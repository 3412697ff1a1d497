/**
 * Runs tasks one at a time, in the order they were given. Store calls are awaited, so without this two
 * requests could interleave a check and the write it guards (a limit, then an insert), or two writes and the
 * in-memory copy each updates after its own.
 */
export class Serial {
  private tail: Promise<unknown> = Promise.resolve();

  run<T>(task: () => Promise<T> | T): Promise<T> {
    const result = this.tail.then(task);
    this.tail = result.catch(() => {});
    return result;
  }
}
