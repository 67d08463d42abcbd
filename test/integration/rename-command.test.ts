/**
 * Redis servers with their dangerous commands renamed (SLAVEOF, REPLICAOF, CONFIG), and the
 * `sentinel rename-command` lines that tell the sentinels the new names: a mixed quorum (two
 * sentinel-ts, one redis-sentinel) must promote the replica, and re-point the old master, with
 * the renamed commands only.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { startRedis } from '../helpers/redis-server.js';
import type { RedisServer } from '../helpers/redis-server.js';
import type { SentinelProcess } from '../helpers/sentinels.js';
import { redisCli } from '../helpers/wire.js';
import { failOverFrozenMaster, startSentinels, stopAll, tsStderr, waitForReplicaOf, waitForView } from '../helpers/quorum.js';

const RENAMED = { SLAVEOF: 'slaveof-9f3a', REPLICAOF: 'replicaof-9f3a', CONFIG: 'config-9f3a' };
const SERVER_ARGS = Object.entries(RENAMED).flatMap(([from, to]) => ['--rename-command', from, to]);

let master: RedisServer;
let replica: RedisServer;
let sentinels: SentinelProcess[] = [];

before(async () => {
  master = await startRedis({ args: SERVER_ARGS });
  replica = await startRedis({ replicaOf: master.port, args: SERVER_ARGS });
  sentinels = await startSentinels([
    `sentinel monitor mymaster 127.0.0.1 ${master.port} 2`,
    ...Object.entries(RENAMED).map(([from, to]) => `sentinel rename-command mymaster ${from} ${to}`),
    'sentinel down-after-milliseconds mymaster 1000',
    'sentinel failover-timeout mymaster 10000',
  ]);
});

after(() => stopAll(sentinels, [replica, master]));

test('the original names are gone from the servers', async () => {
  assert.match(await redisCli(replica.port, 'slaveof', 'no', 'one'), /ERR unknown command/);
  assert.match(await redisCli(replica.port, 'config', 'get', 'port'), /ERR unknown command/);
});

test('a failover and the old master re-pointed, with the renamed commands only', async () => {
  await waitForView(sentinels, `address=127.0.0.1:${master.port},slaves=1,sentinels=3`);
  await failOverFrozenMaster(master, sentinels, replica.port);
  assert.match(await redisCli(replica.port, 'role'), /^master\n/);
  await waitForReplicaOf(master, replica.port);
  assert.equal(tsStderr(sentinels), '');
});
