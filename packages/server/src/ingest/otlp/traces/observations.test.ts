import { describe, expect, it } from 'vitest';
import { DEFAULT_LIMITS } from '../../native/decode.ts';
import type { CallMemory } from './links.ts';
import type { DecodedSpan, SpanResource } from './model.ts';
import { SpanMapping } from './observations.ts';
import { ServedAddresses } from './served-addresses.ts';
import { UnnamedCalls } from './unnamed-calls.ts';

const NOW = 1_795_881_944_000;
const LIMITS = { ...DEFAULT_LIMITS, maxAgeMs: 86_400_000 };

function span(overrides: Partial<DecodedSpan>): DecodedSpan {
  return {
    spanId: '',
    parentSpanId: '',
    traceState: 'ot=th:0',
    name: 'GET /x',
    kind: 2,
    end: NOW - 1000,
    durationMs: 10,
    status: 0,
    attributes: {},
    ...overrides,
  };
}

const resource = (service: string, spans: DecodedSpan[]): SpanResource => ({
  attributes: { 'service.name': service },
  spans,
});

function map(resources: SpanResource[], metricServices: string[] = [], memory?: CallMemory) {
  return new SpanMapping({
    now: NOW,
    limits: LIMITS,
    hasRequestMetrics: (s) => metricServices.includes(s),
    ...(memory ? { memory } : {}),
  }).run({ resources });
}

/** Entries as `service name {attributes}` -> [value, weight][] for compact expectations. */
function summary(m: SpanMapping): Record<string, [number, number][]> {
  const out: Record<string, [number, number][]> = {};
  for (const { samples } of m.entries) {
    const { service, name, attributes } = samples.identity;
    out[`${service} ${name} ${JSON.stringify(attributes)}`] = samples.values.map((v, i) => [v, samples.weights[i]!]);
  }
  return out;
}

describe('SpanMapping', () => {
  it('counts SERVER, CONSUMER and unspecified root spans as requests: route, status, errors', () => {
    const m = map([
      resource('shop', [
        span({ attributes: { 'http.route': '/pay', 'http.response.status_code': 200 }, durationMs: 12.5 }),
        span({ attributes: { 'http.route': '/pay', 'http.response.status_code': 503 }, durationMs: 40 }),
        span({ name: 'process order', kind: 5, status: 2, attributes: { 'error.type': 'Timeout' }, durationMs: 7 }),
        span({ name: 'cron', kind: 0, durationMs: 3 }),
        span({ name: 'child', kind: 0, parentSpanId: 'aa', durationMs: 1 }),
        span({ name: 'work', kind: 1, durationMs: 2 }),
        span({ name: 'legacy', attributes: { 'http.status_code': '500' }, durationMs: 5 }),
      ]),
    ]);
    expect(summary(m)).toEqual({
      'shop pulseboard.span.server.duration {"http.route":"/pay","http.response.status_code":200}': [[12.5, 1]],
      'shop pulseboard.span.server.duration {"http.route":"/pay","http.response.status_code":503,"error.type":"503"}': [
        [40, 1],
      ],
      'shop pulseboard.span.server.duration {"http.route":"process order","error.type":"Timeout"}': [[7, 1]],
      'shop pulseboard.span.server.duration {"http.route":"cron"}': [[3, 1]],
      'shop pulseboard.span.server.duration {"http.route":"legacy","http.response.status_code":500,"error.type":"500"}':
        [[5, 1]],
    });
    expect(m.rejections.count).toBe(0);
    expect(m.spans).toBe(7);
  });

  it('weights each span by its sampling threshold, and marks spans that do not say how they were sampled', () => {
    const m = map([
      resource('shop', [
        span({ traceState: 'ot=th:c', durationMs: 1 }),
        span({ traceState: 'ot=th:8', durationMs: 2 }),
        span({ traceState: '', durationMs: 3 }),
      ]),
    ]);
    expect(summary(m)).toEqual({
      'shop pulseboard.span.server.duration {"http.route":"GET /x"}': [
        [1, 4],
        [2, 2],
      ],
      'shop pulseboard.span.server.duration {"http.route":"GET /x","pulseboard.sampling":"unknown"}': [[3, 1]],
    });
  });

  it('turns CLIENT and PRODUCER spans into calls, naming the callee by a child span, peer.service or server.address', () => {
    const m = map([
      resource('gateway', [
        span({ spanId: 'a1', kind: 3, attributes: { 'server.address': 'orders.internal' }, durationMs: 20 }),
        span({ spanId: 'a2', kind: 4, attributes: { 'peer.service': 'queue' }, durationMs: 1, status: 2 }),
        span({ spanId: 'a3', kind: 3, durationMs: 1 }), // names no one: not a call
        span({ spanId: 'a4', kind: 1, durationMs: 30 }), // an uninstrumented client's parent
      ]),
      resource('orders', [
        span({ spanId: 'b1', parentSpanId: 'a1', durationMs: 15 }),
        span({ spanId: 'b2', parentSpanId: 'a4', durationMs: 25 }),
      ]),
    ]);
    expect(summary(m)).toMatchObject({
      'gateway pulseboard.span.calls.duration {"peer.service":"orders"}': [
        [20, 1],
        [25, 1],
      ],
      'gateway pulseboard.span.calls.duration {"peer.service":"queue","error.type":"_OTHER"}': [[1, 1]],
      'orders pulseboard.span.server.duration {"http.route":"GET /x"}': [
        [15, 1],
        [25, 1],
      ],
    });
    expect(Object.keys(summary(m))).toHaveLength(3);
  });

  it('leaves the requests of services whose RED comes from metrics uncounted, but keeps their calls', () => {
    const m = map([resource('shop', [span({}), span({ kind: 3, attributes: { 'peer.service': 'db' } })])], ['shop']);
    expect(Object.keys(summary(m))).toEqual(['shop pulseboard.span.calls.duration {"peer.service":"db"}']);
  });

  it('refuses spans that cannot be stored, one by one, saying why', () => {
    const m = map([
      resource('shop', [
        span({ end: 0 }),
        span({ end: NOW - 2 * 86_400_000 }),
        span({ end: NOW + 3_600_000 }),
        span({ durationMs: -1 }),
        span({ durationMs: Number.NaN }),
        span({ durationMs: NOW - 1 }), // started in 1970: not a request of 56 years
        span({ attributes: { 'http.route': 'x'.repeat(5000) } }),
        span({}),
      ]),
      resource('y'.repeat(300), [span({})]),
    ]);
    expect(m.rejections.count).toBe(8);
    expect(m.entries.map((e) => e.samples.values.length)).toEqual([1]);
    expect(m.rejections.message()).toMatch(
      /^8 spans rejected: 1 without endTimeUnixNano, or with one in the first millisecond of 1970 \(span "GET \/x" of service "shop"\)/,
    );
    expect(m.rejections.message()).toContain('1 starting before the longest retention');
  });

  describe('across exports (each SDK exports its own service)', () => {
    const calls = (m: SpanMapping) =>
      Object.fromEntries(Object.entries(summary(m)).filter(([key]) => key.includes('calls')));

    it('counts a call whose CLIENT span came earlier and named no one, from its SERVER span, once', () => {
      const unnamed = new UnnamedCalls();
      const first = map([resource('gateway', [span({ spanId: 'a1', kind: 3, durationMs: 20 })])], [], { unnamed });
      expect(calls(first)).toEqual({});
      const later = map([resource('orders', [span({ spanId: 'b1', parentSpanId: 'a1', durationMs: 15 })])], [], {
        unnamed,
      });
      expect(calls(later)).toEqual({ 'gateway pulseboard.span.calls.duration {"peer.service":"orders"}': [[15, 1]] });
      // The same export sent again (say after a 503) links the same way.
      const again = map([resource('orders', [span({ spanId: 'b1', parentSpanId: 'a1', durationMs: 15 })])], [], {
        unnamed,
      });
      expect(calls(again)).toEqual(calls(later));
    });

    it('does not count again a call its CLIENT span counted, nor a call within one service', () => {
      const unnamed = new UnnamedCalls();
      const client = span({ spanId: 'a1', kind: 3, attributes: { 'peer.service': 'orders' }, durationMs: 20 });
      map([resource('gateway', [client, span({ spanId: 'a2', kind: 3 })])], [], { unnamed });
      const later = map(
        [
          resource('orders', [span({ spanId: 'b1', parentSpanId: 'a1' })]),
          resource('gateway', [span({ spanId: 'a3', parentSpanId: 'a2' })]),
        ],
        [],
        { unnamed },
      );
      expect(calls(later)).toEqual({});
    });

    it('keeps at least the newest half of its bound', () => {
      const unnamed = new UnnamedCalls(4);
      const clients = ['a1', 'a2', 'a3', 'a4', 'a5'].map((spanId) => span({ spanId, kind: 3 }));
      map([resource('gateway', clients)], [], { unnamed });
      expect(['a1', 'a2', 'a3', 'a4', 'a5'].map((id) => unnamed.callerOf(id) ?? null)).toEqual([
        null,
        null,
        'gateway',
        'gateway',
        'gateway',
      ]);
      const later = map(
        [resource('orders', [span({ parentSpanId: 'a1' }), span({ parentSpanId: 'a4', durationMs: 4 })])],
        [],
        { unnamed },
      );
      expect(calls(later)).toEqual({ 'gateway pulseboard.span.calls.duration {"peer.service":"orders"}': [[4, 1]] });
    });

    // What zero-code HTTP instrumentation writes: the client names the address and port it called, the
    // server the host and port it was asked for (its Host header).
    const at = (address: string, port: number) => ({ 'server.address': address, 'server.port': port });
    const served = (service: string, address: string, port: number) =>
      resource(service, [span({ spanId: `${service}-s`, parentSpanId: 'x', attributes: at(address, port) })]);
    const callTo = (address: string, port: number, more = {}) =>
      resource('shop', [span({ spanId: 'c1', kind: 3, durationMs: 7, attributes: { ...at(address, port), ...more } })]);

    it('names a call to an address by the service seen answering there, whose span came in another export', () => {
      const memory = { served: new ServedAddresses() };
      // Before anything answered at it, the address is all a call can be labelled with.
      expect(calls(map([callTo('127.0.0.1', 4001)], [], memory))).toEqual({
        'shop pulseboard.span.calls.duration {"peer.service":"127.0.0.1"}': [[7, 1]],
      });
      map([served('stock', '127.0.0.1', 4001), served('pricing', '127.0.0.1', 4002)], [], memory);
      expect(calls(map([callTo('127.0.0.1', 4001)], [], memory))).toEqual({
        'shop pulseboard.span.calls.duration {"peer.service":"stock"}': [[7, 1]],
      });
      expect(calls(map([callTo('127.0.0.1', 4002)], [], memory))).toEqual({
        'shop pulseboard.span.calls.duration {"peer.service":"pricing"}': [[7, 1]],
      });
      // A port nobody answered at, and a `peer.service` the caller set, are taken as they are.
      expect(calls(map([callTo('127.0.0.1', 4009)], [], memory))).toEqual({
        'shop pulseboard.span.calls.duration {"peer.service":"127.0.0.1"}': [[7, 1]],
      });
      expect(calls(map([callTo('127.0.0.1', 4001, { 'peer.service': 'inventory' })], [], memory))).toEqual({
        'shop pulseboard.span.calls.duration {"peer.service":"inventory"}': [[7, 1]],
      });
    });

    it('names no service for an address two services answer at (a proxy passing its Host header on)', () => {
      const memory = { served: new ServedAddresses() };
      map([served('orders', 'api.example.com', 443)], [], memory);
      map([served('billing', 'api.example.com', 443)], [], memory);
      map([served('orders', 'api.example.com', 443)], [], memory);
      expect(calls(map([callTo('api.example.com', 443)], [], memory))).toEqual({
        'shop pulseboard.span.calls.duration {"peer.service":"api.example.com"}': [[7, 1]],
      });
    });

    it('keeps an address in use past its bound, and forgets one long unused', () => {
      const memory: CallMemory = { served: new ServedAddresses(4) };
      map([served('legacy', '10.0.0.9', 80)], [], memory);
      for (const port of [1, 2, 3, 4, 5, 6]) {
        map([served(`other-${port}`, '10.0.0.2', port), served('stock', '10.0.0.1', 80)], [], memory);
      }
      const callee = (address: string, port: number) => Object.keys(calls(map([callTo(address, port)], [], memory)));
      expect(callee('10.0.0.1', 80)).toEqual(['shop pulseboard.span.calls.duration {"peer.service":"stock"}']);
      expect(callee('10.0.0.9', 80)).toEqual(['shop pulseboard.span.calls.duration {"peer.service":"10.0.0.9"}']);
      expect(callee('10.0.0.2', 6)).toEqual(['shop pulseboard.span.calls.duration {"peer.service":"other-6"}']);
    });
  });
});
