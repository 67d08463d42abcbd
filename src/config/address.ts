/**
 * Numeric hosts in `sentinel monitor`, `known-replica` and `known-sentinel` lines, turned into
 * the form redis stores after getaddrinfo + inet_ntop: inet_aton's IPv4 forms (127.1, 0x7f.0.0.1,
 * 2130706433) and IPv6 as inet_ntop prints it. Anything else is a host name.
 */
import os from 'node:os';
import { isIPv6 } from '../util/ip.js';

/**
 * inet_aton, which getaddrinfo uses for a numeric IPv4 host: one to four parts in C notation
 * (0x hex, leading-zero octal, decimal), the last part filling the remaining bytes, so
 * "127.1", "0x7f.0.0.1" and "2130706433" are all 127.0.0.1. Returns the dotted quad or null.
 */
function inetAton(s: string): string | null {
  const parts = s.split('.');
  if (parts.length > 4) return null;
  const values: number[] = [];
  for (const p of parts) {
    if (!/^(0[xX][0-9a-fA-F]+|0[0-7]*|[1-9][0-9]*)$/.test(p)) return null;
    const v = /^0[xX]/.test(p) ? parseInt(p.slice(2), 16) : p.length > 1 && p.startsWith('0') ? parseInt(p, 8) : Number(p);
    if (!Number.isSafeInteger(v)) return null;
    values.push(v);
  }
  const last = values.pop()!;
  if (values.some((v) => v > 0xff) || last >= 2 ** (8 * (4 - values.length))) return null;
  let n = last;
  values.forEach((v, i) => (n += v * 2 ** (8 * (3 - i))));
  return [n >>> 24, (n >>> 16) & 0xff, (n >>> 8) & 0xff, n & 0xff].join('.');
}

/**
 * IPv6 in the form inet_ntop prints it (what redis stores after resolving a literal). A zone
 * (`%eth0`, `%2`) is accepted if numeric or an existing interface, and dropped, as redis's
 * getaddrinfo + inet_ntop round trip drops it.
 */
function canonicalIPv6(s: string): string | null {
  const pct = s.indexOf('%');
  if (pct >= 0) {
    const zone = s.slice(pct + 1);
    if (!/^[0-9]+$/.test(zone) && !Object.hasOwn(os.networkInterfaces(), zone)) return null;
  }
  let a = pct >= 0 ? s.slice(0, pct) : s;
  let v4: number[] | null = null;
  const lastColon = a.lastIndexOf(':');
  if (a.slice(lastColon + 1).includes('.')) {
    v4 = a.slice(lastColon + 1).split('.').map(Number);
    a = `${a.slice(0, lastColon + 1)}0:0`;
  }
  const [head = '', tail] = a.split('::');
  const h = head === '' ? [] : head.split(':');
  const t = tail === undefined || tail === '' ? [] : tail.split(':');
  const words = [...h, ...Array<string>(8 - h.length - t.length).fill('0'), ...t].map((g) => parseInt(g, 16));
  if (v4) {
    words[6] = (v4[0]! << 8) | v4[1]!;
    words[7] = (v4[2]! << 8) | v4[3]!;
  }
  // The longest run of two or more zero groups (the first one on a tie) becomes "::".
  let best = { base: -1, len: 0 };
  for (let i = 0; i < 8; ) {
    if (words[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && words[j] === 0) j++;
    if (j - i > best.len) best = { base: i, len: j - i };
    i = j;
  }
  if (best.len < 2) best = { base: -1, len: 0 };
  let out = '';
  for (let i = 0; i < 8; i++) {
    if (best.base >= 0 && i >= best.base && i < best.base + best.len) {
      if (i === best.base) out += ':';
      continue;
    }
    if (i !== 0) out += ':';
    // IPv4-compatible and IPv4-mapped addresses end in dotted form.
    if (i === 6 && best.base === 0 && (best.len === 6 || (best.len === 5 && words[5] === 0xffff))) {
      return `${out}${words[6]! >> 8}.${words[6]! & 0xff}.${words[7]! >> 8}.${words[7]! & 0xff}`;
    }
    out += words[i]!.toString(16);
  }
  if (best.base >= 0 && best.base + best.len === 8) out += ':';
  return out;
}

/** A numeric host in the form redis stores it, or null for anything else (a host name). */
export function canonicalIp(host: string): string | null {
  if (host.includes(':')) return isIPv6(host) ? canonicalIPv6(host) : null;
  return inetAton(host);
}
