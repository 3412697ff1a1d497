import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { DestinationPolicy, RefusedDestination } from './destination.ts';
import { postJson } from './post.ts';

/** postJson against real receivers on 127.0.0.1 (allowed here the way `--webhook-allow 127.0.0.0/8` does). */
describe('postJson', () => {
  const servers: http.Server[] = [];
  afterEach(async () => {
    for (const s of servers.splice(0)) {
      s.closeAllConnections();
      await new Promise((resolve) => s.close(resolve));
    }
  });

  it('reads a few KB of a 3 GiB answer and drops the connection', async () => {
    let written = 0;
    let closed!: () => void;
    const gone = new Promise<void>((resolve) => (closed = resolve));
    const chunk = Buffer.alloc(64 * 1024, 120);
    const { url } = await receiver(servers, (req, res) => {
      req.resume();
      res.writeHead(200, { 'content-length': String(3 * 1024 ** 3) });
      const pump = () => {
        while (!res.destroyed && written < 3 * 1024 ** 3) {
          written += chunk.length;
          if (!res.write(chunk)) return void res.once('drain', pump);
        }
      };
      res.on('close', closed);
      pump();
    });
    expect(await postJson(url, '{}', options())).toBe(200);
    await gone;
    // What sat in socket buffers when the client hung up, not gigabytes.
    expect(written).toBeLessThan(64 * 1024 ** 2);
  });

  it('gives up on a receiver that never answers at the deadline', async () => {
    const { url } = await receiver(servers, () => {});
    await expect(postJson(url, '{}', options({ deadlineMs: 200 }))).rejects.toThrow('no answer within 200 ms');
  });

  it('takes the status of a receiver that answers and then trickles its body, cutting it at the deadline', async () => {
    const { url } = await receiver(servers, (_req, res) => {
      res.writeHead(202);
      res.write('.');
    });
    expect(await postJson(url, '{}', options({ deadlineMs: 200 }))).toBe(202);
  });

  it('does not follow a redirect', async () => {
    const paths: string[] = [];
    const { url } = await receiver(servers, (req, res) => {
      paths.push(req.url ?? '');
      res.writeHead(307, { location: '/elsewhere' }).end();
    });
    expect(await postJson(url, '{}', options())).toBe(307);
    expect(paths).toEqual(['/hook']);
  });

  it('refuses loopback spellings before connecting, unless allowed', async () => {
    let requests = 0;
    const { port } = await receiver(servers, (_req, res) => {
      requests++;
      res.end();
    });
    const closed = options({ policy: new DestinationPolicy({ allow: [] }) });
    for (const host of ['127.0.0.1', '127.1', '2130706433', '0x7f000001', '[::ffff:127.0.0.1]', 'localhost']) {
      await expect(postJson(`http://${host}:${port}/hook`, '{}', closed), host).rejects.toThrow(RefusedDestination);
    }
    await expect(postJson(`ftp://127.0.0.1:${port}/`, '{}', options())).rejects.toThrow('not http or https');
    expect(requests).toBe(0);
    expect(await postJson(`http://127.1:${port}/hook`, '{}', options())).toBe(200);
    expect(requests).toBe(1);
  });

  it('connects to the address the policy checked, so a name that resolves to loopback is refused', async () => {
    let requests = 0;
    const { port } = await receiver(servers, (_req, res) => {
      requests++;
      res.end();
    });
    // A name no DNS knows: only the policy's own lookup can have connected it, so the checked address is used.
    const resolve = async () => [{ address: '127.0.0.1', family: 4 }];
    const refusing = options({ policy: new DestinationPolicy({ allow: [], resolve }) });
    const refused = postJson(`http://rebind.test:${port}/`, '{}', refusing);
    // Refused, not failed: the dispatcher does not retry it.
    await expect(refused).rejects.toBeInstanceOf(RefusedDestination);
    await expect(refused).rejects.toThrow('rebind.test resolves to 127.0.0.1, a loopback address');
    expect(requests).toBe(0);
    const allowing = options({ policy: new DestinationPolicy({ allow: ['127.0.0.0/8'], resolve }) });
    expect(await postJson(`http://rebind.test:${port}/`, '{}', allowing)).toBe(200);
    expect(requests).toBe(1);
  });
});

function options(overrides: Partial<Parameters<typeof postJson>[2]> = {}): Parameters<typeof postJson>[2] {
  return {
    policy: new DestinationPolicy({ allow: ['127.0.0.0/8'] }),
    deadlineMs: 10_000,
    maxResponseBytes: 4096,
    signal: new AbortController().signal,
    ...overrides,
  };
}

async function receiver(servers: http.Server[], handler: http.RequestListener) {
  const server = http.createServer(handler);
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}/hook`, port };
}
