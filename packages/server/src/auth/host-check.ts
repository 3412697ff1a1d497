const IPV4 = /^\d{1,3}(\.\d{1,3}){3}$/;

/** The host name of a `Host` header, lower case, without the port (`[::1]:3000` -> `[::1]`). */
export function hostName(header: string): string {
  const host = header.trim().toLowerCase();
  if (host.startsWith('[')) return host.slice(0, host.indexOf(']') + 1);
  return host.split(':')[0] ?? '';
}

export interface HostPolicy {
  /** `--allowed-host` names. */
  allowedHosts: readonly string[];
  /** Keys are configured: then, without a list, any name is answered (every route but a few needs a key). */
  keysOn: boolean;
}

/**
 * DNS rebinding makes a browser send a page's requests, under the attacker's host name, to this server. So
 * a `Host` naming something other than this server is refused: IP literals and `localhost` always pass (an
 * attacker cannot point them anywhere), other names only when listed, or any name when keys are on and no
 * list is given. No `Host` at all is not a browser (they always send one) and passes.
 */
export function hostAllowed(header: string | undefined, policy: HostPolicy): boolean {
  if (header === undefined) return true;
  const name = hostName(header);
  if (name === 'localhost' || IPV4.test(name) || name.startsWith('[')) return true;
  if (policy.allowedHosts.includes(name)) return true;
  return policy.keysOn && policy.allowedHosts.length === 0;
}

/**
 * A browser opening the live socket says which page asked in `Origin`; the page must be this server's own
 * (Origin's host equals `Host`) or a listed origin. No `Origin` is not a browser and passes.
 */
export function originAllowed(origin: string | undefined, host: string | undefined, allowed: readonly string[]) {
  if (origin === undefined) return true;
  if (allowed.includes(origin)) return true;
  try {
    return host !== undefined && new URL(origin).host === host.toLowerCase();
  } catch {
    return false;
  }
}
