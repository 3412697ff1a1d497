import { describe, expect, it } from 'vitest';
import { lastSentMinuteEnd } from './last-minute.ts';

describe('lastSentMinuteEnd', () => {
  const from = 1_800_000_000_000;
  it('keeps a minute every service has sent some of', () => {
    expect(lastSentMinuteEnd({ from })).toBeNull();
    expect(lastSentMinuteEnd({ from, until: from + 1_000 })).toBeNull();
  });
  it('goes back to the minute holding the last of what a 60 s exporter has sent', () => {
    expect(lastSentMinuteEnd({ from, until: from - 30_000 })).toBe(from);
    // Its last export ended right on the minute: that minute is whole.
    expect(lastSentMinuteEnd({ from, until: from })).toBe(from);
    expect(lastSentMinuteEnd({ from, until: from - 90_000 })).toBe(from - 60_000);
  });
});
