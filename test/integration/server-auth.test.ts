/**
 * Redis servers protected by ACLs, as production setups have them: the default user is off, the
 * sentinels log in with `sentinel auth-user` / `auth-pass` as a user holding only the commands
 * redis's documentation lists for sentinels, the replicas replicate as their own user. A mixed
 * quorum (two sentinel-ts, one redis-sentinel) discovers everything and fails the master over,
 * and the rejoining old master is re-pointed, all through authenticated links.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { redisCli, startRedis, startSentinel, waitFor } from '../helpers/processes.js';
import type { RedisServer, SentinelProcess } from '../helpers/processes.js';

const SERVER_ACL = [
  ['default', 'off'],
  ['admin', 'on', '>adminpw', '~*', '&*', '+@all'],
  ['sentinel-user', 'on', '>sentinelpw', 'allchannels', ...'+multi +slaveof +ping +exec +subscribe +config|rewrite +role +publish +info +client|setname +client|kill +script|kill'.split(' ')],
  ['replica-user', 'on', '>replicapw', '+psync', '+replconf', '+ping'],
].flatMap((u) => ['--user', ...u]).concat(['--masteruser', 'replica-user', '--masterauth', 'replicapw']);
const ADMIN = ['--user', 'admin', '--pass', 'adminpw', '--no-auth-warning'];

let master: RedisServer;
let replica: RedisServer;
const sentinels: SentinelProcess[] = [];

before(async () => {
  master = await startRedis({ args: SERVER_ACL });
  replica = await startRedis({ replicaOf: master.port, args: SERVER_ACL });
  await waitFor(async () => (await redisCli(replica.port, ...ADMIN, 'info', 'replication')).includes('master_link_status:up'), 10000, 'the replica to sync with its ACL user');
  for (const impl of ['ts', 'ts', 'redis'] as const) {
    sentinels.push(
      await startSentinel({
        impl,
        lines: [
          `sentinel monitor mymaster 127.0.0.1 ${master.port} 2`,
          'sentinel auth-user mymaster sentinel-user',
          'sentinel auth-pass mymaster sentinelpw',
          'sentinel down-after-milliseconds mymaster 1000',
          'sentinel failover-timeout mymaster 10000',
        ],
      }),
    );
  }
});

after(async () => {
  for (const s of sentinels) await s.stop();
  await replica?.stop();
  await master?.stop();
});

test('with auth-user/auth-pass the sentinels see the ACL-protected master, its replica and each other', async () => {
  for (const s of sentinels) {
    await waitFor(async () => (await redisCli(s.port, 'info', 'sentinel')).includes(`address=127.0.0.1:${master.port},slaves=1,sentinels=3`), 15000, `${s.impl} sentinel on ${s.port}`);
    assert.match(await redisCli(s.port, 'sentinel', 'master', 'mymaster'), /flags\nmaster\n/);
  }
  // The sentinels' connections are logged in as sentinel-user.
  const clients = await redisCli(master.port, ...ADMIN, 'client', 'list');
  assert.ok((clients.match(/user=sentinel-user/g) ?? []).length >= 6, clients);
});

test('the quorum fails the stopped master over and re-points it when it comes back, through authenticated links', async () => {
  master.sigstop();
  try {
    for (const s of sentinels) {
      await waitFor(async () => (await redisCli(s.port, 'sentinel', 'get-master-addr-by-name', 'mymaster')) === `127.0.0.1\n${replica.port}\n`, 30000, `${s.impl} sentinel on ${s.port} to report the promoted replica`);
    }
    assert.match(await redisCli(replica.port, ...ADMIN, 'role'), /^master\n/);
  } finally {
    master.sigcont();
  }
  await waitFor(async () => (await redisCli(master.port, ...ADMIN, 'info', 'replication')).includes(`master_port:${replica.port}`), 30000, 'the old master to replicate from the new one');
  await waitFor(async () => (await redisCli(master.port, ...ADMIN, 'info', 'replication')).includes('master_link_status:up'), 15000, 'the old master to sync as replica-user');
  for (const s of sentinels) if (s.impl === 'ts') assert.equal(s.stderr(), '');
});
