/** Address helpers. Pure string logic: the core must not import node:net. */

export interface Addr {
  /** What the user configured or a server announced: an IP literal or a host name. */
  hostname: string;
  /** The IP to show when announce-hostnames is off; equals hostname until a connection tells us the resolved IP. */
  ip: string;
  port: number;
}

const IPV4 = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;

export function isIPv4(s: string): boolean {
  return IPV4.test(s);
}

export function isIPv6(s: string): boolean {
  if (!s.includes(':')) return false;
  const zoneless = s.split('%')[0] ?? '';
  if (!/^[0-9a-fA-F:.]+$/.test(zoneless)) return false;
  const doubleColons = zoneless.split('::').length - 1;
  if (doubleColons > 1) return false;
  let groups = zoneless.split(':').filter((g) => g !== '');
  const last = groups[groups.length - 1];
  let groupCount = groups.length;
  if (last !== undefined && last.includes('.')) {
    if (!isIPv4(last)) return false;
    groups = groups.slice(0, -1);
    groupCount += 1; // an embedded IPv4 takes two groups
  }
  if (!groups.every((g) => /^[0-9a-fA-F]{1,4}$/.test(g))) return false;
  return doubleColons === 1 ? groupCount < 8 : groupCount === 8;
}

export function isIpLiteral(s: string): boolean {
  return isIPv4(s) || isIPv6(s);
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
