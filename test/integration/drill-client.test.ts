/**
 * The drill's own RESP client (src/cli/resp-client.ts) against real redis-servers: AUTH with
 * requirepass and with an ACL user, and TLS as redis-cli does it (--cacert, --cert/--key,
 * --insecure), including the refusals an operator must see rather than a silent fallback.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { RespClient } from '../../src/cli/resp-client.js';
import type { TlsSettings } from '../../src/cli/resp-client.js';
import { ConnectionError, RespReplyError } from '../../src/util/errors.js';
import { makeCerts } from '../helpers/certs.js';
import type { TestCerts } from '../helpers/certs.js';
import { removeTempDir } from '../helpers/pids.js';
import { freePort } from '../helpers/ports.js';
import { startRedis } from '../helpers/redis-server.js';
import type { RedisServer } from '../helpers/redis-server.js';

let certs: TestCerts;
let protectedServer: RedisServer;
let tlsServer: RedisServer;
let tlsPort: number;

before(async () => {
  certs = makeCerts();
  protectedServer = await startRedis({ args: ['--requirepass', 'pw', '--user', 'app', 'on', '>apppw', '~*', '+@all'] });
  tlsPort = await freePort();
  tlsServer = await startRedis({
    // Clients must present a certificate: --cert/--key are exercised, not just accepted.
    args: ['--tls-port', String(tlsPort), '--tls-cert-file', certs.cert, '--tls-key-file', certs.key, '--tls-ca-cert-file', certs.ca, '--tls-auth-clients', 'yes'],
  });
});

after(async () => {
  await protectedServer?.stop();
  await tlsServer?.stop();
  if (certs) removeTempDir(certs.dir);
});

test('requirepass: AUTH <password> on connect, then commands run; without it, NOAUTH; a wrong one, WRONGPASS', async () => {
  const c = await RespClient.connect({ host: '127.0.0.1', port: protectedServer.port, password: 'pw' });
  assert.equal(await c.call('SET', 'drill-client:k', 'v'), 'OK');
  assert.equal(await c.call('GET', 'drill-client:k'), 'v');
  assert.equal(await c.call('DEL', 'drill-client:k'), 1);
  c.close();

  const anon = await RespClient.connect({ host: '127.0.0.1', port: protectedServer.port });
  await assert.rejects(anon.call('PING'), (e: unknown) => e instanceof RespReplyError && e.prefix === 'NOAUTH');
  anon.close();

  await assert.rejects(RespClient.connect({ host: '127.0.0.1', port: protectedServer.port, password: 'wrong' }), (e: unknown) => e instanceof RespReplyError && e.prefix === 'WRONGPASS');
});

test('an ACL user: AUTH <user> <password>', async () => {
  const c = await RespClient.connect({ host: '127.0.0.1', port: protectedServer.port, user: 'app', password: 'apppw' });
  assert.equal(await c.call('ACL', 'WHOAMI'), 'app');
  c.close();
  await assert.rejects(RespClient.connect({ host: '127.0.0.1', port: protectedServer.port, user: 'app', password: 'pw' }), (e: unknown) => e instanceof RespReplyError && e.prefix === 'WRONGPASS');
});

test('TLS: verified against --cacert with a client certificate; many pipelined calls come back in order', async () => {
  const tls: TlsSettings = { ca: fs.readFileSync(certs.ca), cert: fs.readFileSync(certs.cert), key: fs.readFileSync(certs.key), insecure: false };
  const c = await RespClient.connect({ host: '127.0.0.1', port: tlsPort, tls });
  const replies = await Promise.all(Array.from({ length: 200 }, (_, i) => c.call('ECHO', `m${i}`)));
  assert.deepEqual(replies, Array.from({ length: 200 }, (_, i) => `m${i}`));
  c.close();
});

test('TLS refusals: no CA to verify with fails; --insecure skips verification; no client certificate is refused by the server', async () => {
  const cert = fs.readFileSync(certs.cert);
  const key = fs.readFileSync(certs.key);
  // The test CA is not a system CA: verification fails unless --insecure.
  await assert.rejects(RespClient.connect({ host: '127.0.0.1', port: tlsPort, tls: { cert, key, insecure: false } }), (e: unknown) => e instanceof ConnectionError && e.code === 'CONNECT_FAILED');
  const c = await RespClient.connect({ host: '127.0.0.1', port: tlsPort, tls: { cert, key, insecure: true } });
  assert.equal(await c.call('PING'), 'PONG');
  c.close();
  // tls-auth-clients yes: the handshake may complete before the server refuses; either way nothing works.
  const attempt = RespClient.connect({ host: '127.0.0.1', port: tlsPort, tls: { ca: fs.readFileSync(certs.ca), insecure: false } }).then((x) => x.call('PING'));
  await assert.rejects(attempt, (e: unknown) => e instanceof ConnectionError);
});
