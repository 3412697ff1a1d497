/** What SessionSockets needs of a connection: a net.Socket, or a stand-in in tests. */
export interface Closable {
  destroy(): void;
  once(event: 'close', listener: () => void): unknown;
}

/**
 * Live sockets opened with a session cookie, by the session's digest (sessions.ts), so that ending the
 * session (Log out, expiry, a logout on another instance) ends its sockets too instead of leaving them streaming.
 */
export class SessionSockets {
  private readonly bySession = new Map<string, Set<Closable>>();

  add(sessionId: string, socket: Closable): void {
    let set = this.bySession.get(sessionId);
    if (!set) this.bySession.set(sessionId, (set = new Set()));
    set.add(socket);
    socket.once('close', () => {
      set.delete(socket);
      if (set.size === 0 && this.bySession.get(sessionId) === set) this.bySession.delete(sessionId);
    });
  }

  end(sessionId: string): void {
    const set = this.bySession.get(sessionId);
    this.bySession.delete(sessionId);
    for (const socket of set ?? []) socket.destroy();
  }

  /** Ends the sockets of every session `isLive` no longer knows (expired or dropped). */
  sweep(isLive: (sessionId: string) => boolean): void {
    for (const sessionId of [...this.bySession.keys()]) if (!isLive(sessionId)) this.end(sessionId);
  }

  get size(): number {
    return this.bySession.size;
  }
}
