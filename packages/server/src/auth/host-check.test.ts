import { describe, expect, it } from 'vitest';
import { hostAllowed, hostName, originAllowed } from './host-check.ts';

describe('hostAllowed', () => {
  const open = { allowedHosts: [], keysOn: false };
  it('without keys takes IP literals and localhost on any port, and listed names', () => {
    for (const host of ['localhost', 'LOCALHOST:3000', '127.0.0.1:80', '[::1]:3000', '192.168.1.4', undefined]) {
      expect(hostAllowed(host, open)).toBe(true);
    }
    expect(hostAllowed('rebind.attacker.example', open)).toBe(false);
    expect(hostAllowed('localhost.attacker.example', open)).toBe(false);
    expect(hostAllowed('dash.internal:3000', { allowedHosts: ['dash.internal'], keysOn: false })).toBe(true);
  });

  it('with keys takes any name unless a list is given', () => {
    expect(hostAllowed('dash.example.com', { allowedHosts: [], keysOn: true })).toBe(true);
    expect(hostAllowed('other.example.com', { allowedHosts: ['dash.example.com'], keysOn: true })).toBe(false);
  });

  it('reads the name without the port', () => {
    expect(hostName('Dash.Example.com:8080')).toBe('dash.example.com');
    expect(hostName('[::1]:3000')).toBe('[::1]');
  });
});

describe('originAllowed', () => {
  it("takes the server's own origin, listed ones, and no Origin at all", () => {
    expect(originAllowed('http://localhost:3000', 'localhost:3000', [])).toBe(true);
    expect(originAllowed('http://localhost:3001', 'localhost:3000', [])).toBe(false);
    expect(originAllowed('http://evil.example', 'localhost:3000', [])).toBe(false);
    expect(originAllowed('null', 'localhost:3000', [])).toBe(false);
    expect(originAllowed('http://localhost:5173', 'localhost:3000', ['http://localhost:5173'])).toBe(true);
    expect(originAllowed(undefined, 'localhost:3000', [])).toBe(true);
  });
});
