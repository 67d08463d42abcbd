/**
 * The TLS listener's options on a real sentinel process, each checked with real TLS clients
 * (redis-cli --tls and Node's tls): an encrypted key (tls-key-file-pass), tls-auth-clients
 * optional / no, tls-protocols, tls-ciphers, tls-ciphersuites, tls-ca-cert-dir, tls-prefer-server-ciphers,
 * session resumption, and the client certificate used on links to a TLS redis-server.
 * SENTINEL_IMPL=redis runs the same checks against redis-sentinel.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import tls from 'node:tls';
import { REDIS_CLI } from '../helpers/paths.js';
import { removeTempDir } from '../helpers/pids.js';
import { startRedis } from '../helpers/redis-server.js';
import { startSentinel } from '../helpers/sentinels.js';
import type { SentinelProcess } from '../helpers/sentinels.js';
import { waitFor } from '../helpers/wait.js';
import { redisCli } from '../helpers/wire.js';
import { freePort } from '../helpers/ports.js';
import { ENCRYPTED_KEY_PASS, makeCerts } from '../helpers/certs.js';
import type { TestCerts } from '../helpers/certs.js';
import { prng } from '../config/helpers.js';

let certs: TestCerts;

before(() => {
  certs = makeCerts();
});

after(() => {
  removeTempDir(certs.dir);
});

/** A sentinel with only a TLS listener's settings (plus the plain port the harness needs). */
function tlsSentinel(lines: string[]): Promise<{ s: SentinelProcess; tls: number }> {
  return tlsSentinelWithCert(certs.cert, lines);
}

async function tlsSentinelWithCert(cert: string, lines: string[]): Promise<{ s: SentinelProcess; tls: number }> {
  const port = await freePort();
  const s = await startSentinel({ lines: [`tls-port ${port}`, `tls-cert-file ${cert}`, ...lines] });
  return { s, tls: port };
}

/** PING over TLS with Node's client: the reply, or `refused: <why>` when the handshake or the connection fails. */
function tlsPing(port: number, opts: tls.ConnectionOptions): Promise<string> {
  return new Promise((resolve) => {
    const c = tls.connect({ host: '127.0.0.1', port, checkServerIdentity: () => undefined, ca: fs.readFileSync(certs.ca), ...opts });
    let out = '';
    const done = (r: string): void => {
      c.destroy();
      resolve(r);
    };
    c.on('secureConnect', () => c.write('PING\r\n'));
    c.on('data', (d) => {
      out += d.toString();
      if (out.endsWith('\r\n')) done(out.trim());
    });
    c.on('error', (e) => done(`refused: ${e.message}`));
    c.on('close', () => done(out ? out.trim() : 'refused: closed'));
  });
}

const withCert = (): tls.ConnectionOptions => ({ cert: fs.readFileSync(certs.cert), key: fs.readFileSync(certs.key) });

/** redis-cli --tls PING; the output, or `refused` when it fails. */
function cliPing(port: number, ...tlsArgs: string[]): string {
  try {
    return execFileSync(REDIS_CLI, ['--tls', '--cacert', certs.ca, ...tlsArgs, '-p', String(port), 'ping'], { stdio: ['ignore', 'pipe', 'pipe'] }).toString().trim();
  } catch {
    return 'refused';
  }
}

test('tls-key-file-pass opens an encrypted key; tls-auth-clients optional takes clients with or without a certificate', async () => {
  const { s, tls: port } = await tlsSentinel([`tls-key-file ${certs.encryptedKey}`, `tls-key-file-pass ${ENCRYPTED_KEY_PASS}`, `tls-ca-cert-file ${certs.ca}`, 'tls-auth-clients optional']);
  try {
    assert.equal(cliPing(port), 'PONG');
    assert.equal(cliPing(port, '--cert', certs.cert, '--key', certs.key), 'PONG');
    assert.equal(s.stderr(), '');
  } finally {
    await s.stop();
  }
});

test('tls-auth-clients no: no certificate is asked for; yes (the default): a client without one is refused', async () => {
  const open = await tlsSentinel([`tls-key-file ${certs.key}`, 'tls-auth-clients no']);
  const strict = await tlsSentinel([`tls-key-file ${certs.key}`, `tls-ca-cert-file ${certs.ca}`]);
  try {
    assert.equal(await tlsPing(open.tls, {}), '+PONG');
    assert.match(await tlsPing(strict.tls, {}), /^refused/);
    assert.equal(await tlsPing(strict.tls, withCert()), '+PONG');
  } finally {
    await open.s.stop();
    await strict.s.stop();
  }
});

test('tls-protocols limits the versions offered', async () => {
  const { s, tls: port } = await tlsSentinel([`tls-key-file ${certs.key}`, `tls-ca-cert-file ${certs.ca}`, 'tls-protocols TLSv1.3']);
  try {
    assert.match(await tlsPing(port, { ...withCert(), maxVersion: 'TLSv1.2' }), /^refused/);
    assert.equal(await tlsPing(port, { ...withCert(), minVersion: 'TLSv1.3' }), '+PONG');
  } finally {
    await s.stop();
  }
});

test('tls-ciphers (TLS 1.2) and tls-ciphersuites (TLS 1.3) limit the ciphers accepted', async () => {
  const v12 = await tlsSentinel([`tls-key-file ${certs.key}`, `tls-ca-cert-file ${certs.ca}`, 'tls-protocols TLSv1.2', 'tls-ciphers ECDHE-RSA-AES128-GCM-SHA256']);
  const v13 = await tlsSentinel([`tls-key-file ${certs.key}`, `tls-ca-cert-file ${certs.ca}`, 'tls-protocols TLSv1.3', 'tls-ciphersuites TLS_AES_128_GCM_SHA256']);
  try {
    const tls12 = { ...withCert(), maxVersion: 'TLSv1.2' as const };
    assert.match(await tlsPing(v12.tls, { ...tls12, ciphers: 'ECDHE-RSA-AES256-GCM-SHA384' }), /^refused/);
    assert.equal(await tlsPing(v12.tls, { ...tls12, ciphers: 'ECDHE-RSA-AES128-GCM-SHA256' }), '+PONG');
    const tls13 = { ...withCert(), minVersion: 'TLSv1.3' as const };
    assert.match(await tlsPing(v13.tls, { ...tls13, ciphers: 'TLS_AES_256_GCM_SHA384' }), /^refused/);
    assert.equal(await tlsPing(v13.tls, { ...tls13, ciphers: 'TLS_AES_128_GCM_SHA256' }), '+PONG');
  } finally {
    await v12.s.stop();
    await v13.s.stop();
  }
});

test('tls-ca-cert-dir: client certificates are checked against the CAs of a directory (openssl rehash layout)', async () => {
  const caDir = path.join(certs.dir, 'cadir');
  fs.mkdirSync(caDir, { recursive: true });
  fs.copyFileSync(certs.ca, path.join(caDir, 'ca.pem'));
  execFileSync('openssl', ['rehash', caDir], { stdio: 'ignore' });
  const { s, tls: port } = await tlsSentinel([`tls-key-file ${certs.key}`, `tls-ca-cert-dir ${caDir}`]);
  try {
    assert.equal(await tlsPing(port, withCert()), '+PONG');
    assert.match(await tlsPing(port, {}), /^refused/);
  } finally {
    await s.stop();
  }
});

/** The cipher a TLS 1.2 handshake settles on, offering `ciphers` in that order; and whether `session` was resumed. */
function handshake(port: number, opts: tls.ConnectionOptions): Promise<{ cipher: string; session: Buffer | undefined; reused: boolean }> {
  return new Promise((resolve, reject) => {
    const c = tls.connect({ host: '127.0.0.1', port, checkServerIdentity: () => undefined, ca: fs.readFileSync(certs.ca), maxVersion: 'TLSv1.2', ...withCert(), ...opts });
    c.on('secureConnect', () => {
      const r = { cipher: c.getCipher().name, session: c.getSession(), reused: c.isSessionReused() };
      c.end();
      resolve(r);
    });
    c.on('error', reject);
  });
}

test('tls-prefer-server-ciphers: the server order wins; without it the client order does', async () => {
  const order = 'ECDHE-RSA-AES128-GCM-SHA256:ECDHE-RSA-AES256-GCM-SHA384';
  const clientOrder = 'ECDHE-RSA-AES256-GCM-SHA384:ECDHE-RSA-AES128-GCM-SHA256';
  const server = await tlsSentinel([`tls-key-file ${certs.key}`, `tls-ca-cert-file ${certs.ca}`, `tls-ciphers ${order}`, 'tls-prefer-server-ciphers yes']);
  const client = await tlsSentinel([`tls-key-file ${certs.key}`, `tls-ca-cert-file ${certs.ca}`, `tls-ciphers ${order}`]);
  try {
    assert.equal((await handshake(server.tls, { ciphers: clientOrder })).cipher, 'ECDHE-RSA-AES128-GCM-SHA256');
    assert.equal((await handshake(client.tls, { ciphers: clientOrder })).cipher, 'ECDHE-RSA-AES256-GCM-SHA384');
  } finally {
    await server.s.stop();
    await client.s.stop();
  }
});

test('TLS sessions are resumed (tls-session-caching yes, the default, with tls-session-cache-timeout)', async () => {
  const { s, tls: port } = await tlsSentinel([`tls-key-file ${certs.key}`, `tls-ca-cert-file ${certs.ca}`, 'tls-session-cache-timeout 60']);
  try {
    const first = await handshake(port, {});
    assert.equal(first.reused, false);
    assert.ok(first.session);
    assert.equal((await handshake(port, { session: first.session })).reused, true);
  } finally {
    await s.stop();
  }
});

test('tls-client-cert-file / tls-client-key-file: links to a TLS redis use the client certificate, not the server one', async () => {
  // The sentinel's own (server) certificate comes from a CA the redis-server does not trust.
  const other = makeCerts();
  const tlsPort = await freePort();
  const redis = await startRedis({
    args: ['--tls-port', String(tlsPort), '--tls-cert-file', certs.cert, '--tls-key-file', certs.key, '--tls-ca-cert-file', certs.ca],
  });
  const common = [`tls-key-file ${other.key}`, `tls-ca-cert-file ${certs.ca}`, 'tls-replication yes', `sentinel monitor m 127.0.0.1 ${tlsPort} 1`, 'sentinel down-after-milliseconds m 1000'];
  const withClientCert = await tlsSentinelWithCert(other.cert, [...common, `tls-client-cert-file ${certs.cert}`, `tls-client-key-file ${certs.key}`]);
  const withoutClientCert = await tlsSentinelWithCert(other.cert, common);
  try {
    await waitFor(async () => /flags\nmaster\n/.test(await redisCli(withClientCert.s.port, 'sentinel', 'master', 'm')), 10000, 'the master reached with the client certificate');
    await waitFor(async () => /flags\n[^\n]*s_down/.test(await redisCli(withoutClientCert.s.port, 'sentinel', 'master', 'm')), 10000, 'the master refusing the untrusted server certificate');
    assert.match(await redisCli(withClientCert.s.port, 'sentinel', 'master', 'm'), /flags\nmaster\n/);
    for (const { s } of [withClientCert, withoutClientCert]) assert.equal(s.stderr(), '', 'a refused handshake is logged, not printed to stderr');
  } finally {
    await withClientCert.s.stop();
    await withoutClientCert.s.stop();
    await redis.stop();
    removeTempDir(other.dir);
  }
});

test('garbage and broken handshakes on the TLS port are dropped; the sentinel keeps serving, nothing on stderr', async () => {
  const { s, tls: port } = await tlsSentinel([`tls-key-file ${certs.key}`, `tls-ca-cert-file ${certs.ca}`]);
  try {
    const send = (data: Buffer): Promise<void> =>
      new Promise((resolve) => {
        const c = net.connect(port, '127.0.0.1', () => {
          c.write(data);
          setTimeout(() => {
            c.destroy();
            resolve();
          }, 50);
        });
        c.on('error', () => resolve());
        c.on('data', () => {});
      });
    const rand = prng(7);
    for (let i = 0; i < 40; i++) await send(Buffer.from(Array.from({ length: 1 + rand(4000) }, () => rand(256))));
    // A ClientHello header announcing more than follows, then zeros; and plain text.
    await send(Buffer.concat([Buffer.from([0x16, 3, 1, 2, 0, 1, 0, 1, 0xfc, 3, 3]), Buffer.alloc(100)]));
    await send(Buffer.from('PING\r\n'));
    assert.equal(await tlsPing(port, withCert()), '+PONG');
    assert.equal(await redisCli(s.port, 'ping'), 'PONG\n');
    assert.equal(s.stderr(), '');
  } finally {
    await s.stop();
  }
});
