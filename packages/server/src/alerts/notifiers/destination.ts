import dns from 'node:dns';
import net from 'node:net';
import os from 'node:os';

/**
 * Address ranges a notification may not reach unless `--webhook-allow` lists them: a rule's URL is chosen by
 * whoever can write rules, and without this it could make the server POST into its own network (cloud
 * metadata at 169.254.169.254, admin ports on localhost, the intranet) and report back whether that worked.
 */
const REFUSED_RANGES: readonly (readonly [reason: string, cidrs: readonly string[]])[] = [
  ['a loopback address', ['127.0.0.0/8', '::1/128']],
  ['an unspecified address', ['0.0.0.0/8', '::/128']],
  ['a link-local address', ['169.254.0.0/16', 'fe80::/10']],
  ['a private address', ['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16', 'fc00::/7']],
  // Carrier-grade NAT space: also where some clouds put their metadata service (100.100.100.200).
  ['a shared (carrier-grade NAT) address', ['100.64.0.0/10']],
  // IPv4-compatible IPv6 (deprecated), so ::7f00:1 is not a way around the IPv4 ranges.
  ['a reserved address', ['::/96']],
];

/** Thrown (and passed to `lookup` callbacks) when a destination is refused; not worth retrying. */
export class RefusedDestination extends Error {
  readonly code = 'PULSE_DESTINATION_REFUSED';
}

/** `a.b.c.d/n` or `v6::/n` -> its parts; null when it is not a CIDR block (a bare address is a /32 or /128). */
export function parseCidr(text: string): { address: string; prefix: number; family: 'ipv4' | 'ipv6' } | null {
  const [address = '', prefixText, extra] = text.trim().split('/');
  const version = net.isIP(address);
  if (version === 0 || extra !== undefined) return null;
  const max = version === 4 ? 32 : 128;
  const prefix = prefixText === undefined ? max : Number(prefixText);
  if (!/^\d+$/.test(prefixText ?? String(max)) || prefix > max) return null;
  return { address, prefix, family: version === 4 ? 'ipv4' : 'ipv6' };
}

function blockList(cidrs: readonly string[]): net.BlockList {
  const list = new net.BlockList();
  for (const text of cidrs) {
    const cidr = parseCidr(text);
    if (!cidr) throw new RangeError(`not a CIDR block: ${text}`);
    list.addSubnet(cidr.address, cidr.prefix, cidr.family);
  }
  return list;
}

const REFUSED = REFUSED_RANGES.map(([reason, cidrs]) => [reason, blockList(cidrs)] as const);

/** Every address of this machine's interfaces: a notification must not loop back into the server itself. */
function ownAddresses(): string[] {
  return Object.values(os.networkInterfaces()).flatMap((list) => (list ?? []).map((i) => i.address));
}

export interface DestinationPolicyOptions {
  /** CIDR blocks allowed even though they fall in a refused range (`--webhook-allow`). */
  allow: readonly string[];
  /** Addresses of the server itself; the machine's interface addresses by default. */
  own?: readonly string[];
  /** Name resolution (tests stand in a resolver that answers differently each time); `dns.lookup` by default. */
  resolve?: (hostname: string, family: number) => Promise<dns.LookupAddress[]>;
}

const systemResolve = (hostname: string, family: number) => dns.promises.lookup(hostname, { all: true, family });

/**
 * Where notifications may go. Checked twice: on a rule's URL when the host is written as an address (so the
 * rule is refused with a clear 400), and on every address a host name resolves to at send time, through the
 * `lookup` hook of the request itself, so the address checked is the address connected to (a DNS answer that
 * changes between a check and the connection cannot slip past).
 */
export class DestinationPolicy {
  private readonly allow: net.BlockList;
  private readonly own: net.BlockList;
  private readonly resolve: NonNullable<DestinationPolicyOptions['resolve']>;

  constructor(options: DestinationPolicyOptions) {
    this.allow = blockList(options.allow);
    this.resolve = options.resolve ?? systemResolve;
    this.own = new net.BlockList();
    for (const address of options.own ?? ownAddresses()) {
      const family = net.isIP(address);
      if (family !== 0) this.own.addAddress(address, family === 4 ? 'ipv4' : 'ipv6');
    }
  }

  /** Why an IP address is refused, or null when notifications may go there. */
  refusal(address: string): string | null {
    const version = net.isIP(address);
    if (version === 0) return 'not an IP address';
    const family = version === 4 ? 'ipv4' : 'ipv6';
    if (this.allow.check(address, family)) return null;
    for (const [reason, list] of REFUSED) if (list.check(address, family)) return reason;
    if (this.own.check(address, family)) return 'an address of this server';
    return null;
  }

  /**
   * For a URL whose host is an address (in any spelling the URL parser accepts: 127.1, 0x7f000001, [::1],
   * [::ffff:127.0.0.1]) or a `localhost` name: why it is refused, or null. Other names are checked when
   * they are resolved.
   */
  urlRefusal(url: URL): string | null {
    const host = url.hostname.replace(/^\[|\]$/g, '');
    if (net.isIP(host) !== 0) {
      const reason = this.refusal(host);
      return reason && `${host} is ${reason}`;
    }
    const name = host.toLowerCase().replace(/\.$/, '');
    if (name === 'localhost' || name.endsWith('.localhost')) {
      // Resolves to 127.0.0.1 or ::1 (RFC 6761); allowed when either is.
      const reason = this.refusal('127.0.0.1') && this.refusal('::1');
      return reason && `${host} is ${reason}`;
    }
    return null;
  }

  /**
   * `lookup` for `http.request`: resolves the name and hands the connection only addresses that pass, so the
   * socket connects to exactly what was checked. A name with no allowed address fails with RefusedDestination.
   */
  readonly lookup: net.LookupFunction = (hostname, options, callback) => {
    const family = options.family === 'IPv4' ? 4 : options.family === 'IPv6' ? 6 : (options.family ?? 0);
    this.resolve(hostname, family).then(
      (found) => {
        const allowed = found.filter((a) => this.refusal(a.address) === null);
        const first = allowed[0];
        if (!first) {
          const [sample] = found;
          const reason = sample ? `resolves to ${sample.address}, ${this.refusal(sample.address)}` : 'has no address';
          return callback(new RefusedDestination(`${hostname} ${reason}`), '', 0);
        }
        // Node asks for every address when it tries them in turn (autoSelectFamily), otherwise for one.
        if (options.all) return (callback as unknown as (e: null, a: dns.LookupAddress[]) => void)(null, allowed);
        callback(null, first.address, first.family);
      },
      (error: NodeJS.ErrnoException) => callback(error, '', 0),
    );
  };
}
