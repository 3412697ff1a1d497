import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { NativeItem } from '@pulseboard/shared';
import { afterEach, describe, expect, it } from 'vitest';
import { encodingFor } from './encodings.ts';
import { Sender } from './sender.ts';

let server: Server | undefined;
afterEach(async () => {
  await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
  server = undefined;
});

const items: NativeItem[] = [
  { service: 's', name: 'g', type: 'gauge', value: 1, timestamp: 1_795_881_944_000 },
  { service: 's', name: 'g', type: 'gauge', value: 2, timestamp: 1_795_881_945_000 },
];

describe('Sender with an OTLP encoding', () => {
  it('posts OTLP/JSON to /v1/metrics and reports partialSuccess rejections', async () => {
    const seen: { path?: string; type?: string; body: string }[] = [];
    server = createServer((req, res) => {
      let body = '';
      req.on('data', (chunk: Buffer) => {
        body += chunk.toString();
      });
      req.on('end', () => {
        seen.push({ path: req.url, type: req.headers['content-type'], body });
        res
          .writeHead(200, { 'content-type': 'application/json' })
          .end('{"partialSuccess":{"rejectedDataPoints":"1","errorMessage":"1 data point rejected"}}');
      });
    });
    await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
    const target = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const logs: string[] = [];
    const sender = new Sender({ target, encoding: encodingFor('otlp-json'), log: (l) => logs.push(l) });
    sender.enqueue(items);
    const running = sender.run();
    while (sender.stats.posts === 0 || sender.queued > 0) await new Promise((r) => setTimeout(r, 5));
    sender.stop();
    await running;
    expect(seen[0]).toMatchObject({ path: '/v1/metrics', type: 'application/json' });
    const parsed = JSON.parse(seen[0]!.body);
    expect(parsed.resourceMetrics[0].scopeMetrics[0].metrics[0].gauge.dataPoints).toHaveLength(2);
    expect(sender.stats).toMatchObject({ posts: 1, failures: 0, observations: 2, rejectedPoints: 1 });
    expect(logs).toEqual(['demo: server refused 1 data points: 1 data point rejected']);
  });

  it('encodes protobuf bytes with the protobuf content type', () => {
    const encoding = encodingFor('otlp-protobuf');
    expect(encoding).toMatchObject({ path: '/v1/metrics', contentType: 'application/x-protobuf' });
    expect(encoding.encode(items)).toBeInstanceOf(Uint8Array);
    expect(encoding.outcome(new Uint8Array(), items)).toEqual({ observations: 2, rejectedPoints: 0 });
  });
});
