/**
 * Host names instead of addresses (resolve-hostnames, announce-hostnames), in a mixed quorum of
 * two sentinel-ts and one redis-sentinel: the master is given as `localhost`, the replica
 * announces itself as `localhost`, the sentinels announce `localhost`; every sentinel reports
 * names, not addresses, before and after a failover, and writes them to its config file.
 * Also: a name that does not resolve leaves the sentinel serving (the lookup is not done on the
 * event loop) and does not put it in TILT.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { startRedis } from '../helpers/redis-server.js';
import type { RedisServer } from '../helpers/redis-server.js';
import { startSentinel } from '../helpers/sentinels.js';
import type { SentinelProcess } from '../helpers/sentinels.js';
import { waitFor } from '../helpers/wait.js';
import { redisCli } from '../helpers/wire.js';
import { startSentinels, stopAll, waitForView } from '../helpers/quorum.js';

let master: RedisServer;
let replica: RedisServer;
let sentinels: SentinelProcess[] = [];

const HOST_LINES = ['sentinel resolve-hostnames yes', 'sentinel announce-hostnames yes', 'sentinel announce-ip localhost'];

before(async () => {
  master = await startRedis({ args: ['--replica-announce-ip', 'localhost'] });
  replica = await startRedis({ replicaOf: { host: 'localhost', port: master.port }, args: ['--replica-announce-ip', 'localhost'] });
  sentinels = await startSentinels([...HOST_LINES, `sentinel monitor mymaster localhost ${master.port} 2`, 'sentinel down-after-milliseconds mymaster 1000', 'sentinel failover-timeout mymaster 10000']);
});

after(() => stopAll(sentinels, [replica, master]));

test('with announce-hostnames the sentinels report and store names: master, replica and peers', async () => {
  await waitForView(sentinels, `address=localhost:${master.port},slaves=1,sentinels=3`);
  for (const s of sentinels) {
    assert.equal(await redisCli(s.port, 'sentinel', 'get-master-addr-by-name', 'mymaster'), `localhost\n${master.port}\n`);
    assert.match(await redisCli(s.port, 'sentinel', 'replicas', 'mymaster'), new RegExp(`name\\nlocalhost:${replica.port}\\nip\\nlocalhost\\n`));
    const peers = await redisCli(s.port, 'sentinel', 'sentinels', 'mymaster');
    assert.equal(peers.match(/\nip\nlocalhost\n/g)?.length, 2, peers);
    await waitFor(() => s.conf().includes(`sentinel known-replica mymaster localhost ${replica.port}`), 5000, 'the replica by name in the config file');
    assert.match(s.conf(), new RegExp(`^sentinel monitor mymaster localhost ${master.port} 2$`, 'm'));
  }
});

test('a failover moves the master to the replica, named as it announces itself', async () => {
  assert.equal(await redisCli(sentinels[0]!.port, 'sentinel', 'failover', 'mymaster'), 'OK\n');
  for (const s of sentinels) {
    await waitFor(async () => (await redisCli(s.port, 'sentinel', 'get-master-addr-by-name', 'mymaster')) === `localhost\n${replica.port}\n`, 20000, `${s.impl} sentinel on ${s.port} to name the new master`);
  }
  for (const s of sentinels) {
    await waitFor(() => new RegExp(`^sentinel monitor mymaster localhost ${replica.port} 2$`, 'm').test(s.conf()), 10000, `${s.impl} config file to name the new master`);
    if (s.impl === 'ts') assert.equal(s.stderr(), '');
  }
});

test('a master name that does not resolve: the sentinel keeps serving, reports it down, and never enters TILT', async () => {
  const s = await startSentinel({ lines: ['sentinel resolve-hostnames yes', 'sentinel monitor ghost no-such-host.invalid 6379 1', 'sentinel down-after-milliseconds ghost 1000'] });
  try {
    await waitFor(async () => (await redisCli(s.port, 'sentinel', 'master', 'ghost')).includes('s_down'), 10000, 'the unresolvable master to be subjectively down');
    for (let i = 0; i < 20; i++) assert.equal(await redisCli(s.port, 'ping'), 'PONG\n');
    assert.match(await redisCli(s.port, 'info', 'sentinel'), /sentinel_tilt:0\r?\n/);
    assert.doesNotMatch(s.log(), /\+tilt/);
  } finally {
    await s.stop();
  }
});
