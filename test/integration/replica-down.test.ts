/**
 * A replica that is frozen while the master fails: the quorum (two sentinel-ts, one
 * redis-sentinel) promotes the other replica and ends the failover without it (it cannot be
 * reconfigured); once it thaws, still following the dead master, it is re-pointed to the new one.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { startRedis } from '../helpers/redis-server.js';
import type { RedisServer } from '../helpers/redis-server.js';
import type { SentinelProcess } from '../helpers/sentinels.js';
import { waitFor } from '../helpers/wait.js';
import { redisCli } from '../helpers/wire.js';
import { startSentinels, stopAll, tsStderr, waitForMaster, waitForReplicaOf, waitForView } from '../helpers/quorum.js';

let master: RedisServer;
let good: RedisServer;
let frozen: RedisServer;
let sentinels: SentinelProcess[] = [];

before(async () => {
  master = await startRedis();
  // The frozen one may not be chosen: it would never answer SLAVEOF NO ONE.
  good = await startRedis({ replicaOf: master.port, args: ['--replica-priority', '10'] });
  frozen = await startRedis({ replicaOf: master.port, args: ['--replica-priority', '0'] });
  sentinels = await startSentinels([`sentinel monitor mymaster 127.0.0.1 ${master.port} 2`, 'sentinel down-after-milliseconds mymaster 1000', 'sentinel failover-timeout mymaster 6000']);
  await waitForView(sentinels, `address=127.0.0.1:${master.port},slaves=2,sentinels=3`);
});

after(() => stopAll(sentinels, [frozen, good, master]));

test('a replica frozen during the failover is re-pointed to the new master once it is back', async () => {
  frozen.sigstop();
  await master.kill9();
  try {
    await waitForMaster(sentinels, good.port);
    assert.match(await redisCli(good.port, 'role'), /^master\n/);
  } finally {
    frozen.sigcont();
  }
  await waitForReplicaOf(frozen, good.port);
  await waitFor(async () => (await redisCli(frozen.port, 'info', 'replication')).includes('master_link_status:up'), 15000, 'the thawed replica to sync');
  await waitForView(sentinels, `address=127.0.0.1:${good.port},slaves=2,sentinels=3`, 20000);
  assert.equal(tsStderr(sentinels), '');
});
