/** Address helpers. Pure string logic: the core must not import node:net. */

export interface Addr {
  /** What the user configured or a server announced: an IP literal or a host name. */
  hostname: string;
  /** The IP to show when announce-hostnames is off; equals hostname until a connection tells us the resolved IP. */
  ip: string;
  port: number;
}

/** `ip:port`, with IPv6 in brackets: the key and name of a replica. */
export function hostPort(host: string, port: number): string {
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
}

/** Host names compare without case (DNS); IPs are compared as text by the callers. */
export function sameHost(a: string, b: string): boolean {
  return a.toLowerCase() === b.toLowerCase();
}

/**
 * Address equality as redis sees it (sentinelAddrOrHostnameEqual): same port, and the same IP or
 * the same host name (case-insensitive). The only address comparison in the core.
 */
export function sameAddr(a: Addr, b: Addr): boolean {
  return a.port === b.port && (a.ip === b.ip || sameHost(a.hostname, b.hostname));
}

/** sameAddr against a host string (an IP or a name, as a command or a hello gives it) and a port. */
export function addrIs(a: Addr, host: string, port: number): boolean {
  return a.port === port && (a.ip === host || sameHost(a.hostname, host));
}
