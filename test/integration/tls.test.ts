import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import { Redis } from 'ioredis';
import { createClient } from 'redis';
import { REDIS_CLI } from '../helpers/paths.js';
import { startRedis } from '../helpers/redis-server.js';
import type { RedisServer } from '../helpers/redis-server.js';
import { startSentinel } from '../helpers/sentinels.js';
import type { SentinelProcess } from '../helpers/sentinels.js';
import { waitFor } from '../helpers/wait.js';
import { redisCli } from '../helpers/wire.js';
import { freePort } from '../helpers/ports.js';
import { makeCerts, tlsSentinelLines } from '../helpers/certs.js';
import { failOverFrozenMaster, tsStderr, waitForReplicaOf, waitForView } from '../helpers/quorum.js';
import type { TestCerts } from '../helpers/certs.js';

let certs: TestCerts;
let master: RedisServer;
let replica: RedisServer;
let masterTls: number;
let replicaTls: number;
const sentinels: { s: SentinelProcess; tls: number }[] = [];

const tlsArgs = (): string[] => ['--tls-cert-file', certs.cert, '--tls-key-file', certs.key, '--tls-ca-cert-file', certs.ca, '--tls-replication', 'yes'];

before(async () => {
  certs = makeCerts();
  masterTls = await freePort();
  replicaTls = await freePort();
  master = await startRedis({ args: ['--tls-port', String(masterTls), ...tlsArgs()] });
  replica = await startRedis({ args: ['--tls-port', String(replicaTls), ...tlsArgs(), '--replicaof', '127.0.0.1', String(masterTls)] });
  // Two sentinel-ts and one redis-sentinel: one quorum over TLS, mixed.
  for (const impl of ['ts', 'ts', 'redis'] as const) {
    const port = await freePort();
    const s = await startSentinel({
      impl,
      lines: [
        ...tlsSentinelLines(certs, port),
        `sentinel monitor mymaster 127.0.0.1 ${masterTls} 2`,
        'sentinel down-after-milliseconds mymaster 1000',
        'sentinel failover-timeout mymaster 10000',
      ],
    });
    sentinels.push({ s, tls: port });
  }
});

after(async () => {
  for (const { s } of sentinels) await s.stop();
  await replica?.stop();
  await master?.stop();
});

test('over TLS: the sentinels monitor a TLS redis, find its replica and each other', async () => {
  for (const { s } of sentinels) {
    await waitFor(async () => (await redisCli(s.port, 'info', 'sentinel')).includes(`address=127.0.0.1:${masterTls},slaves=1,sentinels=3`), 15000, `TLS topology on ${s.port}`);
    const r = await redisCli(s.port, 'sentinel', 'replicas', 'mymaster');
    assert.match(r, new RegExp(`port\\n${replicaTls}\\n`));
    assert.doesNotMatch(r, /disconnected/);
    // Peers announce (and are reached on) their TLS port.
    for (const other of sentinels.filter((x) => x.s !== s)) {
      await waitFor(async () => {
        const peers = await redisCli(s.port, 'sentinel', 'sentinels', 'mymaster');
        return new RegExp(`port\\n${other.tls}\\n`).test(peers) && !peers.includes('disconnected');
      }, 10000, `the peer on ${other.tls} to be reached over TLS by ${s.impl} on ${s.port}`);
    }
    assert.equal(s.stderr(), '');
  }
});

test('redis-cli --tls and ioredis with TLS talk to the sentinel TLS port', async () => {
  const { tls } = sentinels[0]!;
  const out = execFileSync(REDIS_CLI, ['--tls', '--cacert', certs.ca, '--cert', certs.cert, '--key', certs.key, '-p', String(tls), 'sentinel', 'get-master-addr-by-name', 'mymaster']).toString();
  assert.equal(out, `127.0.0.1\n${masterTls}\n`);
  const c = new Redis({ port: tls, tls: { ca: fs.readFileSync(certs.ca), cert: fs.readFileSync(certs.cert), key: fs.readFileSync(certs.key), checkServerIdentity: () => undefined } });
  try {
    assert.deepEqual(await c.call('SENTINEL', 'GET-MASTER-ADDR-BY-NAME', 'mymaster'), ['127.0.0.1', String(masterTls)]);
  } finally {
    c.disconnect();
  }
  // tls-auth-clients yes (the default): a client without a certificate is refused.
  const noCert = (() => {
    try {
      execFileSync(REDIS_CLI, ['--tls', '--cacert', certs.ca, '-p', String(tls), 'ping'], { stdio: ['ignore', 'pipe', 'pipe'] });
      return 'answered';
    } catch {
      return 'refused';
    }
  })();
  assert.equal(noCert, 'refused');
});

test('node-redis with TLS talks to the sentinel TLS port', async () => {
  const { tls } = sentinels[0]!;
  const c = createClient({
    socket: { host: '127.0.0.1', port: tls, tls: true, ca: fs.readFileSync(certs.ca), cert: fs.readFileSync(certs.cert), key: fs.readFileSync(certs.key), reconnectStrategy: false },
  });
  c.on('error', () => {});
  await c.connect();
  try {
    assert.equal(await c.ping(), 'PONG');
    assert.deepEqual(await c.sendCommand(['SENTINEL', 'GET-MASTER-ADDR-BY-NAME', 'mymaster']), ['127.0.0.1', String(masterTls)]);
  } finally {
    // Not QUIT: redis-sentinel 7.0 does not know it.
    c.destroy();
  }
});

// Last: it changes the topology. Every link (to the servers and between the sentinels, one of
// them redis-sentinel) is TLS; the master stops answering and the mixed quorum fails it over.
test('over TLS: a stopped master is failed over by the mixed quorum, and the old master rejoins as a replica', async () => {
  const all = sentinels.map(({ s }) => s);
  await failOverFrozenMaster(master, all, replicaTls);
  assert.match(await redisCli(replica.port, 'role'), /^master\n/);
  // The old master comes back and is turned into a replica of the new one, over TLS.
  await waitForReplicaOf(master, replicaTls);
  await waitForView(all, `address=127.0.0.1:${replicaTls},slaves=1,sentinels=3`, 30000);
  assert.equal(tsStderr(all), '');
});
