import Type from 'typebox';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { getJson } from './client.ts';

const Schema = Type.Object({ n: Type.Number() });

/** A fetch whose answers the test releases by hand; records each call's signal. */
function manualFetch() {
  const calls: { url: string; signal: AbortSignal; answer: (body: unknown) => void }[] = [];
  vi.stubGlobal(
    'fetch',
    (url: string, init: { signal: AbortSignal }) =>
      new Promise<Response>((resolve, reject) => {
        init.signal.addEventListener('abort', () => reject(init.signal.reason));
        calls.push({ url, signal: init.signal, answer: (body) => resolve(Response.json(body)) });
      }),
  );
  return calls;
}

afterEach(() => vi.unstubAllGlobals());

describe('getJson', () => {
  it('sends one request for callers asking for the same path at once, and each gets the body', async () => {
    const calls = manualFetch();
    const a = getJson('/api/v1/x?a=1', Schema, new AbortController().signal);
    const b = getJson('/api/v1/x?a=1', Schema);
    const other = getJson('/api/v1/x?a=2', Schema);
    expect(calls.map((c) => c.url)).toEqual(['/api/v1/x?a=1', '/api/v1/x?a=2']);
    calls[0]!.answer({ n: 1 });
    calls[1]!.answer({ n: 2 });
    expect(await a).toEqual({ n: 1 });
    expect(await b).toEqual({ n: 1 });
    expect(await other).toEqual({ n: 2 });
    // Settled: the next call asks the server again.
    void getJson('/api/v1/x?a=1', Schema);
    expect(calls).toHaveLength(3);
  });

  it('keeps the request for the callers still waiting when one gives up, and aborts it when all have', async () => {
    const calls = manualFetch();
    const first = new AbortController();
    const second = new AbortController();
    const a = getJson('/api/v1/y', Schema, first.signal);
    const b = getJson('/api/v1/y', Schema, second.signal);
    first.abort();
    await expect(a).rejects.toThrow();
    expect(calls[0]!.signal.aborted).toBe(false);
    second.abort();
    await expect(b).rejects.toThrow();
    expect(calls[0]!.signal.aborted).toBe(true);
    // Aborted: a new caller gets a new request, not the abandoned one.
    const c = getJson('/api/v1/y', Schema);
    expect(calls).toHaveLength(2);
    calls[1]!.answer({ n: 3 });
    expect(await c).toEqual({ n: 3 });
  });

  it('rejects a body its schema refuses, naming where', async () => {
    const calls = manualFetch();
    const a = getJson('/api/v1/z', Schema);
    calls[0]!.answer({ n: 'one' });
    await expect(a).rejects.toThrow(/unexpected response from \/api\/v1\/z: \/n/);
  });
});
