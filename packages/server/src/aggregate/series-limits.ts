import { LimitError } from '../errors.ts';

/** The bounds on what the series registry holds; together they bound its memory (see README "Limits"). */
export interface RegistryLimits {
  /** Series in all. */
  maxSeries: number;
  /** Services in all. */
  maxServices: number;
  /**
   * Series per service, counted twice over: once for the metrics the dashboard reads (RED, CPU, memory)
   * and once for all others, so junk metric names cannot use up the quota the dashboard's metrics need.
   */
  maxSeriesPerService: number;
  /** UTF-8 bytes of one series' identity (service, name and attributes as its key holds them). */
  maxSeriesBytes: number;
}

interface ServiceCount {
  /** Series of the dashboard's metrics (RED, CPU, memory). */
  contract: number;
  other: number;
}

/** Series counts in all and per service, and the checks a batch's new series go through. */
export class SeriesCounts {
  private readonly byService = new Map<string, ServiceCount>();
  private total = 0;

  constructor(private readonly limits: RegistryLimits) {}

  get services(): number {
    return this.byService.size;
  }

  add(service: string, contract: boolean, delta: 1 | -1): void {
    let count = this.byService.get(service);
    if (!count) this.byService.set(service, (count = { contract: 0, other: 0 }));
    if (contract) count.contract += delta;
    else count.other += delta;
    this.total += delta;
    if (count.contract + count.other <= 0) this.byService.delete(service);
  }

  /**
   * Checks new series one by one on top of those already reserved by the same batch: `add` reserves one and
   * returns null, or returns the refusal (reserving nothing). A service past a limit gets the same refusal
   * object each time: an export of 60,000 series past it built 60,000 identical errors.
   */
  reserve(): { add(origin: string, service: string, contract: boolean, key: string): LimitError | null } {
    const { limits } = this;
    const fresh = new Map<string, ServiceCount>();
    const refusals = new Map<string, LimitError>();
    const refusal = (id: string, make: () => LimitError) => {
      let error = refusals.get(id);
      if (!error) refusals.set(id, (error = make()));
      return error;
    };
    let added = 0;
    return {
      add: (origin, service, contract, key) => {
        const bytes = Buffer.byteLength(key);
        if (bytes > limits.maxSeriesBytes) {
          return new LimitError(
            'series_bytes',
            'PULSE_ERR_SERIES_TOO_LARGE',
            `${origin}.attributes: the series identity (service, name, attribute names and values) is ${bytes} bytes, over the limit of ${limits.maxSeriesBytes}; send fewer or shorter attributes or raise --max-series-bytes`,
          );
        }
        const known = this.byService.get(service);
        let mine = fresh.get(service);
        if (!known && !mine && this.byService.size + fresh.size + 1 > limits.maxServices) {
          return refusal(
            `services\0${origin}\0${service}`,
            () =>
              new LimitError(
                'services',
                'PULSE_ERR_CARDINALITY',
                `${origin}.service: ${service} would be a new service, over the limit of ${limits.maxServices} services; delete unused services (DELETE /api/v1/services/NAME) or raise --max-services`,
              ),
          );
        }
        if (this.total + added + 1 > limits.maxSeries) {
          return refusal(
            `series\0${origin}`,
            () =>
              new LimitError(
                'series',
                'PULSE_ERR_CARDINALITY',
                `${origin}: the server is at its limit of ${limits.maxSeries} series in all; delete unused services or raise --max-series`,
              ),
          );
        }
        if (!mine) fresh.set(service, (mine = { contract: 0, other: 0 }));
        const field = contract ? 'contract' : 'other';
        if ((known?.[field] ?? 0) + mine[field] + 1 > limits.maxSeriesPerService) {
          const which = contract
            ? 'for the metrics the dashboard reads'
            : 'for metrics other than those the dashboard reads';
          return refusal(
            `series_per_service\0${origin}\0${service}\0${field}`,
            () =>
              new LimitError(
                'series_per_service',
                'PULSE_ERR_CARDINALITY',
                `${origin}: service ${service} is at its limit of ${limits.maxSeriesPerService} series ${which}; reduce attribute values or raise --max-series-per-service`,
              ),
          );
        }
        mine[field]++;
        added++;
        return null;
      },
    };
  }
}
