import type { LookupAddress } from 'node:dns';
import { describe, expect, it } from 'vitest';
import { DestinationPolicy, parseCidr, RefusedDestination } from './destination.ts';

describe('DestinationPolicy', () => {
  const policy = new DestinationPolicy({ allow: [], own: ['203.0.113.7'] });

  it('refuses loopback in every spelling a URL accepts, and link-local, private, unspecified and own addresses', () => {
    const refused = {
      'http://127.0.0.1/': 'loopback',
      'http://127.1/': 'loopback',
      'http://0x7f000001/': 'loopback',
      'http://2130706433/': 'loopback',
      'http://0177.0.0.1/': 'loopback',
      'http://127.255.255.254:8080/': 'loopback',
      'http://[::1]/': 'loopback',
      'http://[::ffff:127.0.0.1]/': 'loopback',
      'http://[0:0:0:0:0:ffff:7f00:1]/': 'loopback',
      'http://localhost/': 'loopback',
      'http://LocalHost./': 'loopback',
      'http://api.localhost/': 'loopback',
      'http://169.254.169.254/latest/meta-data': 'link-local',
      'http://[fe80::1]/': 'link-local',
      'http://10.1.2.3/': 'private',
      'http://172.16.0.1/': 'private',
      'http://172.31.255.255/': 'private',
      'http://192.168.1.1/': 'private',
      'http://[fd12:3456::1]/': 'private',
      'http://[::ffff:10.0.0.1]/': 'private',
      'http://0.0.0.0/': 'unspecified',
      'http://0/': 'unspecified',
      'http://[::]/': 'unspecified',
      'http://100.100.100.200/': 'carrier-grade NAT',
      'http://[::7f00:1]/': 'reserved',
      'http://203.0.113.7/': 'this server',
    };
    for (const [url, reason] of Object.entries(refused)) {
      expect(policy.urlRefusal(new URL(url)), url).toContain(reason);
    }
    for (const url of [
      'https://hooks.slack.com/services/x',
      'http://93.184.216.34/',
      'http://172.32.0.1/',
      'http://[2606:4700::1111]/',
    ]) {
      expect(policy.urlRefusal(new URL(url)), url).toBeNull();
    }
  });

  it('lets --webhook-allow blocks through, and only those', () => {
    const allowing = new DestinationPolicy({ allow: ['127.0.0.0/8', '10.1.0.0/16'], own: [] });
    expect(allowing.urlRefusal(new URL('http://127.0.0.1:9000/hook'))).toBeNull();
    expect(allowing.urlRefusal(new URL('http://localhost:9000/hook'))).toBeNull();
    expect(allowing.urlRefusal(new URL('http://10.1.200.3/'))).toBeNull();
    expect(allowing.urlRefusal(new URL('http://10.2.0.1/'))).toContain('private');
    expect(allowing.urlRefusal(new URL('http://[::1]/'))).toContain('loopback');
  });

  it('checks every resolved address at connect time and hands the socket only allowed ones', async () => {
    const answers: Record<string, LookupAddress[]> = {
      'rebound.test': [{ address: '127.0.0.1', family: 4 }],
      'mixed.test': [
        { address: '10.0.0.5', family: 4 },
        { address: '93.184.216.34', family: 4 },
      ],
    };
    const resolving = new DestinationPolicy({ allow: [], own: [], resolve: async (name) => answers[name] ?? [] });
    const lookup = (name: string, all: boolean) =>
      new Promise<unknown>((resolve, reject) =>
        resolving.lookup(name, { all }, (error, address) => (error ? reject(error) : resolve(address))),
      );
    await expect(lookup('rebound.test', false)).rejects.toThrow(RefusedDestination);
    await expect(lookup('rebound.test', false)).rejects.toThrow(
      'rebound.test resolves to 127.0.0.1, a loopback address',
    );
    expect(await lookup('mixed.test', false)).toBe('93.184.216.34');
    expect(await lookup('mixed.test', true)).toEqual([{ address: '93.184.216.34', family: 4 }]);
    await expect(lookup('nothing.test', false)).rejects.toThrow('nothing.test has no address');
  });

  it('parses CIDR blocks and bare addresses, and nothing else', () => {
    expect(parseCidr('127.0.0.0/8')).toEqual({ address: '127.0.0.0', prefix: 8, family: 'ipv4' });
    expect(parseCidr('fd00::/8')).toEqual({ address: 'fd00::', prefix: 8, family: 'ipv6' });
    expect(parseCidr('10.0.0.1')).toEqual({ address: '10.0.0.1', prefix: 32, family: 'ipv4' });
    for (const bad of [
      '10.0.0.0/33',
      '10.0.0.0/',
      '10.0.0.0/8/1',
      'example.com/8',
      '127.1/8',
      '::/129',
      '10.0.0.0/-1',
    ]) {
      expect(parseCidr(bad), bad).toBeNull();
    }
  });
});
