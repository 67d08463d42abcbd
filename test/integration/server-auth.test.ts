/**
 * Redis servers protected by ACLs, as production setups have them: the default user is off, the
 * sentinels log in with `sentinel auth-user` / `auth-pass` as a user holding only the commands
 * redis's documentation lists for sentinels, the replicas replicate as their own user. A mixed
 * quorum (two sentinel-ts, one redis-sentinel) discovers everything and fails the master over,
 * and the rejoining old master is re-pointed, all through authenticated links.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { startRedis } from '../helpers/redis-server.js';
import type { RedisServer } from '../helpers/redis-server.js';
import type { SentinelProcess } from '../helpers/sentinels.js';
import { waitFor } from '../helpers/wait.js';
import { redisCli } from '../helpers/wire.js';
import { failOverFrozenMaster, startSentinels, stopAll, tsStderr, waitForReplicaOf, waitForView } from '../helpers/quorum.js';

const SERVER_ACL = [
  ['default', 'off'],
  ['admin', 'on', '>adminpw', '~*', '&*', '+@all'],
  ['sentinel-user', 'on', '>sentinelpw', 'allchannels', ...'+multi +slaveof +ping +exec +subscribe +config|rewrite +role +publish +info +client|setname +client|kill +script|kill'.split(' ')],
  ['replica-user', 'on', '>replicapw', '+psync', '+replconf', '+ping'],
].flatMap((u) => ['--user', ...u]).concat(['--masteruser', 'replica-user', '--masterauth', 'replicapw']);
const ADMIN = ['--user', 'admin', '--pass', 'adminpw', '--no-auth-warning'];

let master: RedisServer;
let replica: RedisServer;
let sentinels: SentinelProcess[] = [];

before(async () => {
  master = await startRedis({ args: SERVER_ACL });
  replica = await startRedis({ replicaOf: master.port, args: SERVER_ACL });
  await waitFor(async () => (await redisCli(replica.port, ...ADMIN, 'info', 'replication')).includes('master_link_status:up'), 10000, 'the replica to sync with its ACL user');
  sentinels = await startSentinels([
    `sentinel monitor mymaster 127.0.0.1 ${master.port} 2`,
    'sentinel auth-user mymaster sentinel-user',
    'sentinel auth-pass mymaster sentinelpw',
    'sentinel down-after-milliseconds mymaster 1000',
    'sentinel failover-timeout mymaster 10000',
  ]);
});

after(() => stopAll(sentinels, [replica, master]));

test('with auth-user/auth-pass the sentinels see the ACL-protected master, its replica and each other', async () => {
  await waitForView(sentinels, `address=127.0.0.1:${master.port},slaves=1,sentinels=3`);
  for (const s of sentinels) assert.match(await redisCli(s.port, 'sentinel', 'master', 'mymaster'), /flags\nmaster\n/);
  // The sentinels' connections are logged in as sentinel-user.
  const clients = await redisCli(master.port, ...ADMIN, 'client', 'list');
  assert.ok((clients.match(/user=sentinel-user/g) ?? []).length >= 6, clients);
});

test('the quorum fails the stopped master over and re-points it when it comes back, through authenticated links', async () => {
  await failOverFrozenMaster(master, sentinels, replica.port);
  assert.match(await redisCli(replica.port, ...ADMIN, 'role'), /^master\n/);
  await waitForReplicaOf(master, replica.port, 30000, ADMIN);
  await waitFor(async () => (await redisCli(master.port, ...ADMIN, 'info', 'replication')).includes('master_link_status:up'), 15000, 'the old master to sync as replica-user');
  assert.equal(tsStderr(sentinels), '');
});
