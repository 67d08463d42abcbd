/**
 * Listening on one address, the way redis does it, for the RESP listener and the HTTP side:
 * exclusive, v6-only on IPv6 (so `::` and `0.0.0.0` share a port), and an optional address
 * (`-` prefix) that this host cannot use is skipped rather than fatal.
 */
import type net from 'node:net';

export interface ListenAddress {
  host: string;
  /** `-` in the bind list: skipped when the host has no such address. */
  optional: boolean;
}

/** Errors that make an optional bind address skipped (redis's list). */
export const OPTIONAL_BIND_ERRORS = new Set(['EADDRNOTAVAIL', 'EAFNOSUPPORT', 'EPROTONOSUPPORT', 'ENOPROTOOPT', 'ESOCKTNOSUPPORT', 'EPFNOSUPPORT']);

/** Resolves true once listening, false for an optional address the host cannot use; rejects with the OS error otherwise. */
export async function listenOn(srv: net.Server, a: ListenAddress, port: number, backlog = 511): Promise<boolean> {
  try {
    await new Promise<void>((resolve, reject) => {
      srv.once('error', reject);
      srv.listen({ host: a.host, port, backlog, exclusive: true, ipv6Only: a.host.includes(':') }, () => {
        srv.off('error', reject);
        resolve();
      });
    });
    return true;
  } catch (err) {
    if (a.optional && OPTIONAL_BIND_ERRORS.has((err as NodeJS.ErrnoException).code ?? '')) return false;
    throw err;
  }
}

/**
 * The `bind` list as addresses to listen on. redis's default is `* -::*`; `*` and `::*` mean
 * every IPv4 / IPv6 interface, and a leading `-` makes an address optional.
 */
export function listenAddresses(bind: readonly string[]): ListenAddress[] {
  const list = bind.length > 0 ? bind : ['*', '-::*'];
  return list.map((b) => {
    const optional = b.startsWith('-');
    const addr = optional ? b.slice(1) : b;
    return { host: addr === '*' ? '0.0.0.0' : addr === '::*' ? '::' : addr, optional };
  });
}
