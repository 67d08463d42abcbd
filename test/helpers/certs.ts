/**
 * Test certificates made with openssl: a CA, and a certificate for 127.0.0.1 signed by it (used
 * by servers and clients alike, as redis's own test suite does), plus the same key encrypted
 * with a passphrase (for tls-key-file-pass).
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { tempDir } from './pids.js';

export interface TestCerts {
  dir: string;
  ca: string;
  cert: string;
  key: string;
  /** `key` encrypted with ENCRYPTED_KEY_PASS. */
  encryptedKey: string;
}

export const ENCRYPTED_KEY_PASS = 'k3y-pass';

/** A sentinel's TLS lines: a TLS listener on `port`, and TLS towards servers and peers. */
export function tlsSentinelLines(certs: TestCerts, port: number): string[] {
  return [`tls-port ${port}`, `tls-cert-file ${certs.cert}`, `tls-key-file ${certs.key}`, `tls-ca-cert-file ${certs.ca}`, 'tls-replication yes'];
}

export function makeCerts(): TestCerts {
  const d = tempDir('tls-');
  const run = (...args: string[]): void => void execFileSync('openssl', args, { cwd: d, stdio: 'ignore' });
  run('req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'ca.key', '-out', 'ca.crt', '-days', '2', '-subj', '/CN=sentinel-ts test CA');
  run('req', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'server.key', '-out', 'server.csr', '-subj', '/CN=127.0.0.1');
  fs.writeFileSync(path.join(d, 'ext.cnf'), 'subjectAltName=IP:127.0.0.1\n');
  run('x509', '-req', '-in', 'server.csr', '-CA', 'ca.crt', '-CAkey', 'ca.key', '-CAcreateserial', '-out', 'server.crt', '-days', '2', '-extfile', 'ext.cnf');
  run('rsa', '-aes256', '-in', 'server.key', '-out', 'server-enc.key', '-passout', `pass:${ENCRYPTED_KEY_PASS}`);
  return { dir: d, ca: path.join(d, 'ca.crt'), cert: path.join(d, 'server.crt'), key: path.join(d, 'server.key'), encryptedKey: path.join(d, 'server-enc.key') };
}
