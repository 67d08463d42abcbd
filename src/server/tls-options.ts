/**
 * Node TLS options from the tls-* directives, for the TLS listener and for outgoing links
 * (tls-replication). Files are read when the options are built (at start).
 */
import { constants as cryptoConstants } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type tls from 'node:tls';
import type { TlsOptions } from '../config/model.js';

function caList(o: TlsOptions): Buffer[] | undefined {
  const out: Buffer[] = [];
  if (o.caCertFile) out.push(fs.readFileSync(o.caCertFile));
  if (o.caCertDir) {
    for (const f of fs.readdirSync(o.caCertDir)) {
      const p = path.join(o.caCertDir, f);
      if (fs.statSync(p).isFile()) out.push(fs.readFileSync(p));
    }
  }
  return out.length ? out : undefined;
}

function versions(o: TlsOptions): Pick<tls.SecureContextOptions, 'minVersion' | 'maxVersion'> {
  if (!o.protocols) return { minVersion: 'TLSv1.2' };
  const list = o.protocols.split(/\s+/).filter((p) => /^TLSv1(\.[0-3])?$/i.test(p)).map((p) => p.replace(/^tlsv/i, 'TLSv') as tls.SecureVersion);
  const order: tls.SecureVersion[] = ['TLSv1', 'TLSv1.1', 'TLSv1.2', 'TLSv1.3'];
  const sorted = list.sort((a, b) => order.indexOf(a) - order.indexOf(b));
  return sorted.length ? { minVersion: sorted[0]!, maxVersion: sorted[sorted.length - 1]! } : {};
}

function ciphers(o: TlsOptions): string | undefined {
  const c = [o.ciphersuites, o.ciphers].filter((x) => x).join(':');
  return c || undefined;
}

export function serverTlsOptions(o: TlsOptions): tls.TlsOptions {
  const ca = caList(o);
  const opts: tls.TlsOptions = {
    cert: fs.readFileSync(o.certFile),
    key: fs.readFileSync(o.keyFile),
    requestCert: o.authClients !== 'no',
    rejectUnauthorized: o.authClients === 'yes',
    honorCipherOrder: o.preferServerCiphers,
    ...versions(o),
  };
  if (o.dhParamsFile) opts.dhparam = fs.readFileSync(o.dhParamsFile);
  // Without caching, tickets are off and a session expires at once: every connection does a full handshake.
  if (o.sessionCaching) opts.sessionTimeout = o.sessionCacheTimeout;
  else {
    opts.sessionTimeout = 0;
    opts.secureOptions = cryptoConstants.SSL_OP_NO_TICKET;
  }
  if (o.keyFilePass) opts.passphrase = o.keyFilePass;
  if (ca) opts.ca = ca;
  const c = ciphers(o);
  if (c) opts.ciphers = c;
  return opts;
}

/** Client side: the client certificate if configured, else the server's, as redis does. */
export function clientTlsOptions(o: TlsOptions): tls.ConnectionOptions {
  const certFile = o.clientCertFile || o.certFile;
  const keyFile = o.clientCertFile ? o.clientKeyFile : o.keyFile;
  const pass = o.clientCertFile ? o.clientKeyFilePass : o.keyFilePass;
  const ca = caList(o);
  const opts: tls.ConnectionOptions = {
    ...versions(o),
    // redis verifies the peer's chain against the CA but not its host name.
    checkServerIdentity: () => undefined,
  };
  if (certFile) opts.cert = fs.readFileSync(certFile);
  if (keyFile) opts.key = fs.readFileSync(keyFile);
  if (pass) opts.passphrase = pass;
  if (ca) opts.ca = ca;
  const c = ciphers(o);
  if (c) opts.ciphers = c;
  return opts;
}
