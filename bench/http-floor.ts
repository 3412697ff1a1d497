/**
 * The HTTP floor of an ingest bench: the same bodies sent the same way to a bare `node:http` server in its
 * own process that only reads each body and answers 200 with nothing (an empty OTLP response). No Node.js
 * server can ingest faster than this on the machine with this client beside it: what a goal in requests a
 * second can reach at all, measured in the same run as the real server.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { sendOtlp } from './otlp-client.ts';
import { procCpuSeconds } from './server-process.ts';

const BARE_SERVER = `
const http = require('node:http');
const server = http.createServer((req, res) => {
  req.on('data', () => {});
  req.on('end', () => {
    res.writeHead(200, { 'content-type': 'application/x-protobuf', 'content-length': 0 });
    res.end();
  });
});
server.keepAliveTimeout = 65000;
server.listen(0, '127.0.0.1', () => process.stdout.write(String(server.address().port) + '\\n'));
`;

export interface HttpFloor {
  requestsPerSec: number;
  /** CPU seconds of the bare server's process, and of this client, for all the bodies. */
  serverCpuSeconds: number;
  clientCpuSeconds: number;
}

export async function measureHttpFloor(path: string, bodies: Buffer[], connections: number): Promise<HttpFloor> {
  const child = spawn(process.execPath, ['-e', BARE_SERVER], { stdio: ['ignore', 'pipe', 'inherit'] });
  try {
    const [line] = (await once(child.stdout, 'data')) as [Buffer];
    const baseUrl = `http://127.0.0.1:${line.toString().trim()}`;
    await sendOtlp(baseUrl, path, bodies.slice(0, Math.ceil(bodies.length / 10)), connections); // warm-up
    const server0 = procCpuSeconds(child.pid!) ?? 0;
    const client0 = process.cpuUsage();
    const sent = await sendOtlp(baseUrl, path, bodies, connections);
    const client = process.cpuUsage(client0);
    return {
      requestsPerSec: bodies.length / (sent.wallMs / 1000),
      serverCpuSeconds: (procCpuSeconds(child.pid!) ?? server0) - server0,
      clientCpuSeconds: (client.user + client.system) / 1e6,
    };
  } finally {
    child.kill();
  }
}
