import { type SeenSpan, type ServiceRecord, widenSeen } from '../store/store.ts';

/**
 * The services the store knows (first and last data of each), as queries see them. Every chart refresh
 * needs them (which services are active, where a new one's rates start), and reading the table each time
 * cost a query per refresh (a round trip on PostgreSQL). So the list is read once and then kept current
 * by this instance's own commits (`seen`, the same widening the store applies) and deletions (`forget`).
 * Where other instances write the same store, it is read again once it is older than `maxAgeMs`.
 */
export class ServiceCatalog {
  #records: Map<string, ServiceRecord> | null = null;
  #sorted: ServiceRecord[] | null = null;
  #readAt = Number.NEGATIVE_INFINITY;
  #reading: Promise<Map<string, ServiceRecord>> | null = null;
  /** What commits and deletions changed while a read was under way: replayed onto its result. */
  #during: { seen: Map<string, SeenSpan>; forgotten: Set<string> } | null = null;

  constructor(
    private readonly read: () => Promise<ServiceRecord[]>,
    private readonly now: () => number,
    private readonly maxAgeMs = Number.POSITIVE_INFINITY,
  ) {}

  /** Every known service, by name. */
  async list(): Promise<readonly ServiceRecord[]> {
    await this.#current();
    return this.#sortedRecords();
  }

  /** One service's record; undefined when the store does not know it. */
  async get(name: string): Promise<ServiceRecord | undefined> {
    return (await this.#current()).get(name);
  }

  async #current(): Promise<ReadonlyMap<string, ServiceRecord>> {
    if (this.#records && this.now() - this.#readAt < this.maxAgeMs) return this.#records;
    return (this.#reading ??= this.#readAgain());
  }

  /** A commit's first and last data per service (after it committed). */
  seen(spans: ReadonlyMap<string, SeenSpan>): void {
    if (spans.size === 0) return;
    for (const [name, span] of spans) {
      if (this.#during) widenSeen(this.#during.seen, name, span);
      if (this.#records) widen(this.#records, name, span);
    }
    this.#sorted = null;
  }

  /** A service deleted from the store. */
  forget(name: string): void {
    this.#during?.forgotten.add(name);
    this.#during?.seen.delete(name);
    this.#records?.delete(name);
    this.#sorted = null;
  }

  async #readAgain(): Promise<Map<string, ServiceRecord>> {
    const readAt = this.now();
    const during = { seen: new Map<string, SeenSpan>(), forgotten: new Set<string>() };
    this.#during = during;
    try {
      const records = new Map((await this.read()).map((r) => [r.name, { ...r }]));
      for (const name of during.forgotten) records.delete(name);
      for (const [name, span] of during.seen) widen(records, name, span);
      this.#records = records;
      this.#sorted = null;
      this.#readAt = readAt;
      return records;
    } finally {
      this.#during = null;
      this.#reading = null;
    }
  }

  #sortedRecords(): ServiceRecord[] {
    this.#sorted ??= [...(this.#records ?? new Map<string, ServiceRecord>()).values()].sort((a, b) =>
      a.name < b.name ? -1 : a.name > b.name ? 1 : 0,
    );
    return this.#sorted;
  }
}

function widen(records: Map<string, ServiceRecord>, name: string, span: SeenSpan): void {
  // A new record, not the held one changed: a list already handed out stays as it was.
  const held = records.get(name);
  records.set(name, {
    name,
    firstSeen: Math.min(held?.firstSeen ?? span.first, span.first),
    lastSeen: Math.max(held?.lastSeen ?? span.last, span.last),
  });
}
