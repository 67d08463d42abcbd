/**
 * The HTTP side's request guards, as plain functions (table-tested in test/http/guard.test.ts):
 * which Host names the sentinel answers to (DNS rebinding), whether a write may come from where
 * it comes from (CSRF), and HTTP Basic credentials checked against the sentinel's own users.
 * The reasons are in ../shared/docs/observability-digest.md section 7.
 */
import type { AclUsers } from '../acl/users.js';

/** A Host header's host part, lower case, without brackets; null when it does not parse. */
export function hostOf(header: string): string | null {
  const h = header.trim().toLowerCase();
  if (h === '') return null;
  const v6 = /^\[([0-9a-f:.]+)\](?::(\d{1,5}))?$/.exec(h);
  if (v6) return v6[1]!;
  const plain = /^([a-z0-9.-]+)(?::(\d{1,5}))?$/.exec(h);
  return plain ? plain[1]! : null;
}

/**
 * The names a request's Host may carry: loopback names, the addresses we listen on (a wildcard
 * listener adds nothing: then only loopback and the configured names are accepted), and any
 * extra names an operator trusts.
 */
export function allowedHosts(listen: readonly string[], extra: readonly string[] = []): Set<string> {
  const out = new Set(['localhost', '127.0.0.1', '::1']);
  for (const a of [...listen, ...extra]) {
    const h = a.replace(/^-/, '').toLowerCase();
    if (h === '*' || h === '::*' || h === '0.0.0.0' || h === '::' || h === '') continue;
    out.add(h);
  }
  return out;
}

/** A request without Host (HTTP/1.0, HAProxy's `OPTIONS /`) is a non-browser client: allowed. */
export function hostAllowed(header: string | undefined, allowed: ReadonlySet<string>): boolean {
  if (header === undefined) return true;
  const h = hostOf(header);
  return h !== null && allowed.has(h);
}

/**
 * Whether a state-changing request may proceed, as Go's CrossOriginProtection decides: Fetch
 * Metadata `same-origin`/`none` yes, `cross-site`/`same-site` no; else an Origin must name
 * exactly this host; no header at all is a non-browser client.
 */
export function crossOriginRefusal(headers: { origin?: string; secFetchSite?: string; host?: string }): string | null {
  const site = headers.secFetchSite?.toLowerCase();
  if (site === 'same-origin' || site === 'none') return null;
  if (site === 'cross-site' || site === 'same-site') return `cross-origin request refused (Sec-Fetch-Site: ${site})`;
  if (headers.origin === undefined) return null;
  let origin: URL;
  try {
    origin = new URL(headers.origin);
  } catch {
    return 'cross-origin request refused (bad Origin)';
  }
  if (headers.host !== undefined && origin.host.toLowerCase() === headers.host.trim().toLowerCase()) return null;
  return `cross-origin request refused (Origin: ${headers.origin})`;
}

export type AuthResult = { ok: true; user: string } | { ok: false; status: 401 | 403; message: string };

/**
 * HTTP Basic against the sentinel's users. An open sentinel (the default user on, no password)
 * asks nothing: the request runs as `default`. Otherwise the credentials must match a user
 * that may run `command` (the RESP command the endpoint stands for).
 */
export function authenticate(users: AclUsers, authorization: string | undefined, command: string): AuthResult {
  let name = 'default';
  if (!users.defaultIsOpen()) {
    const m = /^Basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(authorization ?? '');
    if (!m) return { ok: false, status: 401, message: 'authentication required' };
    const decoded = Buffer.from(m[1]!, 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    if (colon < 0) return { ok: false, status: 401, message: 'authentication required' };
    // A Basic user name may be empty ("":pass, as curl -u :pass sends): that is AUTH <pass>.
    name = decoded.slice(0, colon) || 'default';
    const user = users.get(name);
    if (!user || !user.checkPassword(decoded.slice(colon + 1))) return { ok: false, status: 401, message: 'invalid username-password pair or user is disabled' };
  }
  const user = users.get(name);
  if (!user || !user.mayRun(command)) return { ok: false, status: 403, message: `this user has no permissions to run the '${command}' command` };
  return { ok: true, user: name };
}
