/** The messages between the fan-out bench (run.ts) and its client process (clients.ts), over Node's IPC channel. */

export type ClientRequest =
  /** Open `count` sockets subscribed to every service; `stalled` ones then stop reading. */
  | { type: 'open'; count: number; stalled: boolean }
  /** Hand over the window since the last `take` and start a new one. */
  | { type: 'take' }
  | { type: 'stop' };

export type ClientReply =
  | { type: 'opened'; failed: number }
  | {
      type: 'window';
      /** ms from the end of each frame's second to its arrival; reading sockets only. */
      lateness: number[];
      received: number;
      /** Distinct seconds seen x sockets reading: what the received count should be. */
      expected: number;
      /**
       * Per second: its first and last arrival (epoch ms) at this process's sockets, merged over the client
       * processes into the first socket's lateness and the spread to the last.
       */
      arrivals: { t: number; first: number; last: number }[];
      /** Mean frame size in bytes. */
      frameBytes: number;
      /** Closes not asked for, by code. */
      closes: Record<string, number>;
      /** This process's CPU over the window, in cores. */
      cpuCores: number;
    };
