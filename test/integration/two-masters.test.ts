/**
 * Two master groups watched by the same sentinels (two sentinel-ts, one redis-sentinel), with
 * different quorums and timings: a failure of one group is failed over while the other is left
 * alone, and every config file keeps both groups with the right epochs.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { startRedis } from '../helpers/redis-server.js';
import type { RedisServer } from '../helpers/redis-server.js';
import type { SentinelProcess } from '../helpers/sentinels.js';
import { waitFor } from '../helpers/wait.js';
import { redisCli } from '../helpers/wire.js';
import { startSentinels, stopAll, waitForMaster } from '../helpers/quorum.js';

const servers: Record<'a' | 'aReplica' | 'b' | 'bReplica', RedisServer> = {} as never;
let sentinels: SentinelProcess[] = [];

before(async () => {
  servers.a = await startRedis();
  servers.aReplica = await startRedis({ replicaOf: servers.a.port });
  servers.b = await startRedis();
  servers.bReplica = await startRedis({ replicaOf: servers.b.port });
  sentinels = await startSentinels([
    `sentinel monitor alpha 127.0.0.1 ${servers.a.port} 2`,
    'sentinel down-after-milliseconds alpha 1000',
    'sentinel failover-timeout alpha 10000',
    `sentinel monitor beta 127.0.0.1 ${servers.b.port} 3`,
    'sentinel down-after-milliseconds beta 3000',
  ]);
  for (const s of sentinels) {
    for (const [name, m] of [['alpha', servers.a], ['beta', servers.b]] as const) {
      await waitFor(async () => (await redisCli(s.port, 'info', 'sentinel')).includes(`name=${name},status=ok,address=127.0.0.1:${m.port},slaves=1,sentinels=3`), 15000, `${s.impl} sentinel to see ${name}`);
    }
  }
});

after(() => stopAll(sentinels, Object.values(servers)));

test('one group fails over, the other is untouched, and the config files keep both', async () => {
  await servers.a.kill9();
  await waitForMaster(sentinels, servers.aReplica.port, 30000, [], 'alpha');
  for (const s of sentinels) {
    assert.equal(await redisCli(s.port, 'sentinel', 'get-master-addr-by-name', 'beta'), `127.0.0.1\n${servers.b.port}\n`);
    const beta = await redisCli(s.port, 'sentinel', 'master', 'beta');
    assert.match(beta, /flags\nmaster\n/);
    assert.match(beta, /config-epoch\n0\n/);
    await waitFor(() => /^sentinel config-epoch alpha 1$/m.test(s.conf()), 10000, `${s.impl} config file to hold alpha's new epoch`);
    const conf = s.conf();
    assert.match(conf, new RegExp(`^sentinel monitor alpha 127\\.0\\.0\\.1 ${servers.aReplica.port} 2$`, 'm'));
    assert.match(conf, new RegExp(`^sentinel monitor beta 127\\.0\\.0\\.1 ${servers.b.port} 3$`, 'm'));
    assert.match(conf, /^sentinel down-after-milliseconds beta 3000$/m);
    assert.match(conf, /^sentinel config-epoch beta 0$/m);
    if (s.impl === 'ts') assert.equal(s.stderr(), '');
  }
});
