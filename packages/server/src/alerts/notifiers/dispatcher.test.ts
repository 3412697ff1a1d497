import { setImmediate as nextTurn } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { Dispatcher, type DispatcherOptions, type Outcome } from './dispatcher.ts';

/** Queues per rule and slots taken in turn: stand-in receivers that never answer, settled by hand. */
describe('Dispatcher fairness', () => {
  it('delivers a critical rule’s message while 60 rules x 20 receivers never answer', async () => {
    const { dispatcher, outcomes, calls } = setup();
    for (let r = 0; r < 60; r++) {
      for (let t = 0; t < 20; t++) dispatcher.send(`noisy-${r}`, `http://dead-${t}.test/r${r}`, '{}', WARNING);
    }
    await settle();
    dispatcher.send('critical', 'http://pager.test/hook', '{"severity":"critical"}', CRITICAL);
    await settle();
    // The slots are all taken by noisy receivers that hang; the critical message goes first once one frees.
    expect(calls.filter((c) => c.url.startsWith('http://pager.test'))).toHaveLength(0);
    calls[0]!.answer(504);
    await settle();
    const pager = calls.find((c) => c.url.startsWith('http://pager.test'));
    expect(pager?.body).toBe('{"severity":"critical"}');
    pager!.answer(200);
    await settle();
    expect(outcomes.filter(([o]) => o === 'dropped')).toEqual([]);
    expect(outcomes).toContainEqual(['delivered', 'http://pager.test/hook']);
    await dispatcher.close();
  });

  it('gives every rule of one severity a slot within a round of the others', async () => {
    const { dispatcher, calls } = setup();
    for (let r = 0; r < 60; r++) {
      for (let t = 0; t < 20; t++) dispatcher.send(`noisy-${r}`, `http://dead-${r}-${t}.test/`, '{}', CRITICAL);
    }
    dispatcher.send('late', 'http://pager.test/hook', '{}', CRITICAL);
    await settle();
    // Each answer frees a slot for the next rule in turn: 60 rules were ahead of it, 4 took the first slots.
    for (let freed = 0; freed < 57; freed++) {
      expect(calls.some((c) => c.url.startsWith('http://pager.test'))).toBe(false);
      calls[freed]!.answer(504);
      await settle();
    }
    expect(calls.at(-1)!.url).toBe('http://pager.test/hook');
    expect(calls.some((c) => c.url.startsWith('http://pager.test'))).toBe(true);
    await dispatcher.close();
  });

  it('drops past a rule’s own bound (counted), never another rule’s message', async () => {
    const { dispatcher, outcomes, calls } = setup({ maxQueuedPerKey: 5 });
    for (let i = 0; i < 8; i++) dispatcher.send('noisy', `http://dead.test/${i}`, '{}');
    dispatcher.send('quiet', 'http://pager.test/hook', '{}');
    await settle();
    expect(outcomes.filter(([o]) => o === 'dropped').map(([, url]) => url)).toEqual([
      'http://dead.test/5',
      'http://dead.test/6',
      'http://dead.test/7',
    ]);
    // The quiet rule is served although the noisy one queued first; one slot per receiver is all dead.test gets.
    expect(calls.map((c) => c.url)).toEqual(['http://dead.test/0', 'http://pager.test/hook']);
    await dispatcher.close();
  });

  it('bounds every queue together too, whatever the number of rules', async () => {
    const { dispatcher, outcomes } = setup({ maxQueued: 10 });
    for (let r = 0; r < 12; r++) dispatcher.send(`rule-${r}`, `http://dead.test/${r}`, '{}');
    expect(outcomes.filter(([o]) => o === 'dropped')).toHaveLength(2);
    await dispatcher.close();
  });
});

interface Call {
  url: string;
  body: string;
  answer: (status: number) => void;
}

function setup(overrides: Partial<DispatcherOptions> = {}) {
  const calls: Call[] = [];
  const outcomes: [Outcome, string][] = [];
  const dispatcher = new Dispatcher({
    post: (url, body, signal) =>
      new Promise((resolve, reject) => {
        calls.push({ url, body, answer: resolve });
        signal.addEventListener('abort', () => reject(new Error('cancelled')), { once: true });
      }),
    retries: 0,
    backoffMs: 1,
    maxInFlight: 4,
    maxPerTarget: 1,
    maxQueuedPerKey: 100,
    maxQueued: 10_000,
    onOutcome: (outcome, url) => outcomes.push([outcome, url]),
    ...overrides,
  });
  return { dispatcher, outcomes, calls };
}

const CRITICAL = 0;
const WARNING = 1;

/** Lets settled promises run their continuations. */
const settle = nextTurn;
