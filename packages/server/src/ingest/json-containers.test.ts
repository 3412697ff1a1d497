import { describe, expect, it } from 'vitest';
import { MAX_JSON_CONTAINERS, tooManyContainers } from './json-containers.ts';

const objects = (n: number) => Buffer.from(`[${Array(n).fill('{}').join(',')}]`);

describe('tooManyContainers', () => {
  it('refuses past the limit of objects and arrays, naming it', () => {
    expect(tooManyContainers(objects(MAX_JSON_CONTAINERS))).toMatch(/^body: more than 2,000,000 JSON objects/);
    // Nested, 2.33 bytes a container.
    expect(tooManyContainers(Buffer.from(`[${Array(700_000).fill('[[],[]]').join(',')}]`))).not.toBeNull();
  });

  it('passes bodies at the limit, and short bodies without scanning them', () => {
    expect(tooManyContainers(objects(MAX_JSON_CONTAINERS - 1))).toBeNull();
    expect(tooManyContainers(Buffer.from('[{}]'))).toBeNull();
    // At 2 bytes a container at least, a shorter body cannot open more than the limit: not scanned.
    expect(tooManyContainers(Buffer.from('{'.repeat(MAX_JSON_CONTAINERS * 2 - 1)))).toBeNull();
  });
});
