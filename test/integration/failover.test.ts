import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { Redis } from 'ioredis';
import { redisCli, startTopology, waitFor } from '../helpers/processes.js';
import type { Topology } from '../helpers/processes.js';

let t: Topology;

before(async () => {
  t = await startTopology({ replicas: 2, sentinels: 3, downAfterMs: 1000, failoverTimeoutMs: 10000 });
  for (const s of t.sentinels) {
    await waitFor(async () => (await redisCli(s.port, 'info', 'sentinel')).includes('slaves=2,sentinels=3'), 15000, `topology on ${s.port}`);
  }
});

after(async () => {
  await t.stopAll();
});

async function masterAddrs(): Promise<string[]> {
  return Promise.all(t.sentinels.map(async (s) => (await redisCli(s.port, 'sentinel', 'get-master-addr-by-name', 'mymaster')).trim().replace('\n', ':')));
}

test('kill -9 of the master: a replica is promoted, the other follows, the old master rejoins as a replica', async () => {
  const sub = new Redis({ port: t.sentinels[0]!.port });
  sub.on('error', () => {});
  const switches: string[] = [];
  sub.on('message', (_c: string, m: string) => switches.push(m));
  await sub.subscribe('+switch-master');
  try {
    const old = t.master;
    await old.kill9();
    const addrs = await waitFor(async () => {
      const a = await masterAddrs();
      return a.every((x) => x === a[0] && x !== `127.0.0.1:${old.port}`) ? a : null;
    }, 15000, 'all sentinels to report a new master');
    const newPort = Number(addrs[0]!.split(':')[1]);
    const promoted = t.replicas.find((r) => r.port === newPort)!;
    assert.ok(promoted, 'the new master is one of the replicas');
    assert.match(await redisCli(newPort, 'info', 'replication'), /role:master/);
    const other = t.replicas.find((r) => r !== promoted)!;
    await waitFor(async () => (await redisCli(other.port, 'info', 'replication')).includes(`master_port:${newPort}`), 15000, 'the other replica to follow the new master');
    await waitFor(() => switches.includes(`mymaster 127.0.0.1 ${old.port} 127.0.0.1 ${newPort}`), 20000, '+switch-master (the leader publishes it when the failover ends)');
    // The old master comes back as a master on the same port and is turned into a replica.
    await old.restart();
    await waitFor(async () => (await redisCli(old.port, 'info', 'replication')).includes(`master_port:${newPort}`), 30000, 'the old master to be converted to a replica');
    t.master = promoted;
    t.replicas = [other, old];
  } finally {
    sub.disconnect();
  }
});

test('SENTINEL FAILOVER moves the master; a second one meanwhile answers INPROG', async () => {
  const s = t.sentinels[1]!.port;
  const before = (await redisCli(s, 'sentinel', 'get-master-addr-by-name', 'mymaster')).trim().replace('\n', ':');
  await waitFor(async () => !(await redisCli(s, 'sentinel', 'master', 'mymaster')).includes('failover_in_progress'), 15000, 'no failover in progress');
  // Replicas must be known fresh and connected for the selection to succeed.
  await waitFor(async () => (await redisCli(s, 'sentinel', 'failover', 'mymaster')).trim() === 'OK', 15000, 'SENTINEL FAILOVER to be accepted');
  assert.match(await redisCli(s, 'sentinel', 'failover', 'mymaster'), /INPROG Failover already in progress/);
  await waitFor(async () => {
    const a = await masterAddrs();
    return a.every((x) => x === a[0] && x !== before);
  }, 20000, 'all sentinels to report the manually promoted master');
});

test('nothing was written to stderr', () => {
  for (const s of t.sentinels) assert.equal(s.stderr(), '');
});
