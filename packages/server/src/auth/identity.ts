import type { Principal } from './sessions.ts';

/**
 * The name recorded on an acknowledgement or silence. With keys on, the typed name alone could be anyone's,
 * so the key's role and label (set by whoever configured the server) are recorded beside it:
 * `alice (admin key "ops")`. Without keys (`principal` null) the name is kept as given.
 */
export function actorName(principal: Principal | null, name: string | undefined): string | undefined {
  if (!principal) return name;
  const key = principal.label ? `${principal.role} key "${principal.label}"` : `${principal.role} key`;
  return name ? `${name} (${key})` : key;
}
