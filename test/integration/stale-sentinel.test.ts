/**
 * A sentinel that was down during a failover comes back with a config file naming the old
 * master (epoch 0): it must learn the new configuration from the others' hellos, through the
 * replicas its file lists, and follow. Mixed quorum: two sentinel-ts and one redis-sentinel;
 * the stale one is a sentinel-ts (SENTINEL_IMPL=redis makes them all redis-sentinel).
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { startRedis } from '../helpers/redis-server.js';
import type { RedisServer } from '../helpers/redis-server.js';
import type { SentinelProcess } from '../helpers/sentinels.js';
import { waitFor } from '../helpers/wait.js';
import { redisCli } from '../helpers/wire.js';
import { startSentinels, stopAll, waitForView } from '../helpers/quorum.js';

let master: RedisServer;
const replicas: RedisServer[] = [];
let sentinels: SentinelProcess[] = [];

before(async () => {
  master = await startRedis();
  for (let i = 0; i < 2; i++) replicas.push(await startRedis({ replicaOf: master.port }));
  sentinels = await startSentinels([`sentinel monitor mymaster 127.0.0.1 ${master.port} 2`, 'sentinel down-after-milliseconds mymaster 1000', 'sentinel failover-timeout mymaster 10000']);
  await waitForView(sentinels, `address=127.0.0.1:${master.port},slaves=2,sentinels=3`);
  for (const s of sentinels) {
    // Its file must list the replicas and peers before it is stopped.
    await waitFor(() => (s.conf().match(/^sentinel known-replica /gm) ?? []).length === 2, 5000, `${s.impl} config file to list both replicas`);
  }
});

after(() => stopAll(sentinels, [...replicas, master]));

test('a sentinel down during a failover learns the new master when it comes back', async () => {
  const stale = sentinels[0]!;
  await stale.stop();
  await master.kill9();
  const others = sentinels.slice(1);
  let promoted = 0;
  for (const s of others) {
    await waitFor(
      async () => {
        const [, port] = (await redisCli(s.port, 'sentinel', 'get-master-addr-by-name', 'mymaster')).trim().split('\n');
        promoted = Number(port);
        return replicas.some((r) => r.port === promoted);
      },
      30000,
      `${s.impl} sentinel on ${s.port} to report a promoted replica`,
    );
  }
  assert.match(stale.conf(), new RegExp(`^sentinel monitor mymaster 127\\.0\\.0\\.1 ${master.port} 2$`, 'm'), 'the stale file still names the old master');
  await stale.restart();
  await waitFor(async () => (await redisCli(stale.port, 'sentinel', 'get-master-addr-by-name', 'mymaster')) === `127.0.0.1\n${promoted}\n`, 20000, 'the restarted sentinel to follow the new master');
  await waitFor(() => new RegExp(`^sentinel monitor mymaster 127\\.0\\.0\\.1 ${promoted} 2$`, 'm').test(stale.conf()), 10000, 'its config file to name the new master');
  assert.match(stale.conf(), /^sentinel config-epoch mymaster [1-9]\d*$/m);
  assert.match(stale.log(), /\+config-update-from sentinel /);
  if (stale.impl === 'ts') assert.equal(stale.stderr(), '');
});
