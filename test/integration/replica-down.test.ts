/**
 * A replica that is frozen while the master fails: the quorum (two sentinel-ts, one
 * redis-sentinel) promotes the other replica and ends the failover without it (it cannot be
 * reconfigured); once it thaws, still following the dead master, it is re-pointed to the new one.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { redisCli, startRedis, startSentinel, waitFor } from '../helpers/processes.js';
import type { RedisServer, SentinelProcess } from '../helpers/processes.js';

let master: RedisServer;
let good: RedisServer;
let frozen: RedisServer;
const sentinels: SentinelProcess[] = [];

before(async () => {
  master = await startRedis();
  // The frozen one may not be chosen: it would never answer SLAVEOF NO ONE.
  good = await startRedis({ replicaOf: master.port, args: ['--replica-priority', '10'] });
  frozen = await startRedis({ replicaOf: master.port, args: ['--replica-priority', '0'] });
  for (const impl of ['ts', 'ts', 'redis'] as const) {
    sentinels.push(
      await startSentinel({
        impl,
        lines: [`sentinel monitor mymaster 127.0.0.1 ${master.port} 2`, 'sentinel down-after-milliseconds mymaster 1000', 'sentinel failover-timeout mymaster 6000'],
      }),
    );
  }
  for (const s of sentinels) {
    await waitFor(async () => (await redisCli(s.port, 'info', 'sentinel')).includes(`address=127.0.0.1:${master.port},slaves=2,sentinels=3`), 15000, `${s.impl} sentinel on ${s.port}`);
  }
});

after(async () => {
  for (const s of sentinels) await s.stop();
  for (const r of [frozen, good, master]) await r?.stop();
});

test('a replica frozen during the failover is re-pointed to the new master once it is back', async () => {
  frozen.sigstop();
  await master.kill9();
  try {
    for (const s of sentinels) {
      await waitFor(async () => (await redisCli(s.port, 'sentinel', 'get-master-addr-by-name', 'mymaster')) === `127.0.0.1\n${good.port}\n`, 30000, `${s.impl} sentinel on ${s.port} to report the promoted replica`);
    }
    assert.match(await redisCli(good.port, 'role'), /^master\n/);
  } finally {
    frozen.sigcont();
  }
  await waitFor(async () => (await redisCli(frozen.port, 'info', 'replication')).includes(`master_port:${good.port}`), 30000, 'the thawed replica to follow the new master');
  await waitFor(async () => (await redisCli(frozen.port, 'info', 'replication')).includes('master_link_status:up'), 15000, 'the thawed replica to sync');
  for (const s of sentinels) {
    await waitFor(async () => (await redisCli(s.port, 'info', 'sentinel')).includes(`address=127.0.0.1:${good.port},slaves=2,sentinels=3`), 20000, `${s.impl} sentinel to list both replicas of the new master`);
    if (s.impl === 'ts') assert.equal(s.stderr(), '');
  }
});
