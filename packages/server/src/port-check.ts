import net from 'node:net';

/**
 * Why `host:port` cannot be listened on (in use, not permitted), or null when it can. Checked before the
 * server opens its database or starts any work, so a second `npm start` ends at once with one line instead
 * of a stack trace after the demo history had begun writing. The server's own listen still reports a port
 * taken in between.
 */
export function portProblem(host: string, port: number): Promise<string | null> {
  return new Promise((resolve) => {
    const probe = net.createServer();
    probe.once('error', (error: NodeJS.ErrnoException) => resolve(describeListenError(error, host, port)));
    probe.listen({ host, port, exclusive: true }, () => probe.close(() => resolve(null)));
  });
}

/** One line for a listen error the user can act on; null for anything else (a bug: keep its stack). */
export function describeListenError(error: NodeJS.ErrnoException, host: string, port: number): string | null {
  const where = `${host}:${port}`;
  if (error.code === 'EADDRINUSE') {
    return `port ${port} is already in use on ${host} (another Pulseboard?): stop that process or choose another port with --port N`;
  }
  if (error.code === 'EACCES') return `not permitted to listen on ${where}: choose a port above 1023 with --port N`;
  if (error.code === 'EADDRNOTAVAIL') return `${host} is not an address of this machine: check --host`;
  return null;
}
