import type { HealthResponse } from '@pulseboard/shared';
import { afterEach, describe, expect, it } from 'vitest';
import { otlpMinute } from '../testing/otlp-export.ts';
import { getJson, ingest, startTestApp } from '../testing/test-app.ts';

// Hour-aligned "now"; the data lies in the ten minutes before it.
const NOW = 1_800_000_000_000 - (1_800_000_000_000 % 3_600_000);
const MIN = 60_000;
const FROM = NOW - 10 * MIN;
/** The server's clock: a test moves it past the moment its data arrived. */
let clock = NOW;

describe('GET /api/v1/health', () => {
  let close: () => Promise<void> = async () => {};
  afterEach(() => close());

  it('scores each minute by the worse of error rate and p99 against the targets (1 %, 500 ms)', async () => {
    const { app, cells } = await setup();
    await ingest(app, [
      // Within both targets.
      requests('good', 200, 10, minute(0), 100),
      // p99 at 1,500 ms, 3x the target: 1 - (3 - 1) / 4 = 0.5.
      requests('slow', 200, 20, minute(0), 90),
      requests('slow', 200, 1_500, minute(0), 10),
      // 3 % errors, 3x the target: 0.5 as well, whatever the latency.
      requests('erroring', 200, 10, minute(0), 97),
      requests('erroring', 503, 10, minute(0), 3),
      // 10 % errors and p99 past 5x: 0.
      requests('down', 200, 10, minute(0), 90),
      requests('down', 500, 5_000, minute(0), 10),
    ]);
    const scores = await cells();
    expect(scores.get('good')![0]).toMatchObject({ score: 1, errorRate: 0 });
    expect(scores.get('slow')![0]!.score).toBeCloseTo(0.5, 1);
    expect(scores.get('erroring')![0]).toMatchObject({ score: 0.5, errorRate: 0.03 });
    expect(scores.get('down')![0]!.score).toBe(0);
  });

  it('scores a silent minute 0 once the service has reported, and null before its first data', async () => {
    const { app, cells } = await setup();
    await ingest(app, [requests('late', 200, 10, minute(3), 50)]);
    // Right after the batch the time after it is unknown (more may be on its way); silent once it stops.
    expect((await cells()).get('late')![4]!.score).toBeNull();
    clock += 3_001;
    const late = (await cells()).get('late')!;
    expect(late.slice(0, 3).map((c) => c.score)).toEqual([null, null, null]);
    expect(late[3]!.score).toBe(1);
    // Reported in minute 3, nothing since: silent, which is as bad as it gets.
    expect(late.slice(4).map((c) => c.score)).toEqual([0, 0, 0, 0, 0, 0]);
    expect(late[4]).toMatchObject({ errorRate: null, p99: null });
  });

  it("leaves the time after a slow reporter's newest export without a score instead of calling it silent", async () => {
    const { app, cells } = await setup();
    // An OTLP exporter reporting every 60 s: two exports, covering minutes 0 and 1.
    for (const i of [0, 1]) {
      const res = await app.inject({
        method: 'POST',
        url: '/v1/metrics',
        headers: { 'content-type': 'application/json' },
        payload: otlpMinute('every-minute', minute(i), minute(i + 1)),
      });
      expect(res.statusCode).toBe(200);
    }
    const slow = (await cells()).get('every-minute')!;
    expect(slow.slice(0, 2).map((c) => c.score)).toEqual([1, 1]);
    // Minutes 2..9 have not been reported yet: the next export will tell.
    expect(slow.slice(2).map((c) => c.score)).toEqual(Array(8).fill(null));
  });

  async function setup() {
    clock = NOW;
    const { app } = await startTestApp({}, () => clock);
    close = () => app.close();
    const cells = async () => {
      const res = await getJson<HealthResponse>(app, `/api/v1/health?from=${FROM}&to=${NOW}&maxPoints=10`);
      expect(res.status).toBe(200);
      expect(res.body.step).toBe(MIN);
      const byService = new Map<string, HealthResponse['cells']>();
      for (const cell of res.body.cells) byService.set(cell.service, [...(byService.get(cell.service) ?? []), cell]);
      for (const list of byService.values()) expect(list.map((c) => c.t)).toEqual(minutes());
      return byService;
    };
    return { app, cells };
  }
});

const minute = (i: number) => FROM + i * MIN;
const minutes = () => Array.from({ length: 10 }, (_, i) => minute(i));

/** `n` requests of one status and latency spread over the minute starting at `start`. */
function requests(service: string, status: number, ms: number, start: number, n: number) {
  return {
    service,
    name: 'http.server.request.duration',
    type: 'histogram',
    attributes: { 'http.response.status_code': status },
    points: Array.from({ length: n }, (_, i) => [start + Math.floor((i * MIN) / n), ms]),
  };
}
