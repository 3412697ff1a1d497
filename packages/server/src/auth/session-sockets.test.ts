import { EventEmitter } from 'node:events';
import { describe, expect, it } from 'vitest';
import { SessionSockets } from './session-sockets.ts';

class FakeSocket extends EventEmitter {
  destroyed = false;
  destroy() {
    this.destroyed = true;
    this.emit('close');
  }
}

describe('SessionSockets', () => {
  it("ends a session's sockets, and only those", () => {
    const sockets = new SessionSockets();
    const [a1, a2, b] = [new FakeSocket(), new FakeSocket(), new FakeSocket()];
    sockets.add('a', a1);
    sockets.add('a', a2);
    sockets.add('b', b);
    sockets.end('a');
    expect([a1.destroyed, a2.destroyed, b.destroyed]).toEqual([true, true, false]);
    expect(sockets.size).toBe(1);
  });

  it('sweeps the sockets of sessions that ended, and forgets sockets that closed by themselves', () => {
    const sockets = new SessionSockets();
    const [expired, live] = [new FakeSocket(), new FakeSocket()];
    sockets.add('expired', expired);
    sockets.add('live', live);
    sockets.sweep((id) => id === 'live');
    expect([expired.destroyed, live.destroyed]).toEqual([true, false]);
    live.emit('close');
    expect(sockets.size).toBe(0);
  });
});
