import { describe, expect, it } from 'vitest';
import { seriesAttributes, seriesKey } from './model.ts';

const key = (attributesJson: string) =>
  seriesKey({ service: 's', name: 'm', attributes: JSON.parse(attributesJson) as Record<string, string> });

describe('seriesKey', () => {
  it('is the same whatever order the attributes came in', () => {
    expect(key('{"b":1,"a":"x"}')).toBe(key('{"a":"x","b":1}'));
    expect(key('{"b":1,"a":"x"}')).toBe('s\u0000m\u0000{"a":"x","b":1}');
  });

  it('keeps integer-like names first and ascending, as keys stored by earlier versions have them', () => {
    expect(key('{"b":1,"10":2,"9":3,"01":4}')).toBe('s\u0000m\u0000{"9":3,"10":2,"01":4,"b":1}');
  });

  it('keeps an attribute named __proto__, so its series is not merged with the one without it', () => {
    const withIt = key('{"__proto__":"x","a":1}');
    expect(withIt).not.toBe(key('{"a":1}'));
    expect(seriesAttributes({ key: withIt, service: 's', name: 'm' })).toEqual(JSON.parse('{"__proto__":"x","a":1}'));
  });
});
