/** Recognising IP literals (pure string logic: the core must not import node:net). */

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
