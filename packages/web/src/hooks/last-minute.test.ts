import { describe, expect, it } from 'vitest';
import { lastMinuteInstead } from './last-minute.ts';

describe('lastMinuteInstead', () => {
  const from = 1_800_000_000_000;
  const to = from + 60_000;
  const live = to + 20_000;
  it('keeps a minute every service has sent some of', () => {
    expect(lastMinuteInstead({ from, to }, live)).toBeNull();
    expect(lastMinuteInstead({ from, to, until: from + 1_000 }, live)).toBeNull();
    // A service that began within the minute has some of it.
    expect(lastMinuteInstead({ from, to, since: from + 50_000 }, live)).toBeNull();
  });
  it('goes back to the minute holding the last of what a 60 s exporter has sent', () => {
    expect(lastMinuteInstead({ from, to, until: from - 30_000 }, live)).toEqual({ from: from - 60_000, to: from });
    // Its last export ended right on the minute: that minute is whole.
    expect(lastMinuteInstead({ from, to, until: from }, live)).toEqual({ from: from - 60_000, to: from });
    expect(lastMinuteInstead({ from, to, until: from - 90_000 }, live)).toEqual({
      from: from - 120_000,
      to: from - 60_000,
    });
  });
  it('shows the seconds so far of the current minute for services that began after the last one', () => {
    expect(lastMinuteInstead({ from, to, since: to + 5_000 }, live)).toEqual({ from: to, to: live });
    // Began right on the minute; or none has sent anything yet (a name mistyped: the server says `since` = `to`),
    // and the minute so far shows nothing either.
    expect(lastMinuteInstead({ from, to, since: to }, live)).toEqual({ from: to, to: live });
    // The minute so far is not yet a second long.
    expect(lastMinuteInstead({ from, to, since: to }, to)).toBeNull();
  });
});
