/**
 * Redis servers with their dangerous commands renamed (SLAVEOF, REPLICAOF, CONFIG), and the
 * `sentinel rename-command` lines that tell the sentinels the new names: a mixed quorum (two
 * sentinel-ts, one redis-sentinel) must promote the replica, and re-point the old master, with
 * the renamed commands only.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { redisCli, startRedis, startSentinel, waitFor } from '../helpers/processes.js';
import type { RedisServer, SentinelProcess } from '../helpers/processes.js';

const RENAMED = { SLAVEOF: 'slaveof-9f3a', REPLICAOF: 'replicaof-9f3a', CONFIG: 'config-9f3a' };
const SERVER_ARGS = Object.entries(RENAMED).flatMap(([from, to]) => ['--rename-command', from, to]);

let master: RedisServer;
let replica: RedisServer;
const sentinels: SentinelProcess[] = [];

before(async () => {
  master = await startRedis({ args: SERVER_ARGS });
  replica = await startRedis({ replicaOf: master.port, args: SERVER_ARGS });
  for (const impl of ['ts', 'ts', 'redis'] as const) {
    sentinels.push(
      await startSentinel({
        impl,
        lines: [
          `sentinel monitor mymaster 127.0.0.1 ${master.port} 2`,
          ...Object.entries(RENAMED).map(([from, to]) => `sentinel rename-command mymaster ${from} ${to}`),
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

test('the original names are gone from the servers', async () => {
  assert.match(await redisCli(replica.port, 'slaveof', 'no', 'one'), /ERR unknown command/);
  assert.match(await redisCli(replica.port, 'config', 'get', 'port'), /ERR unknown command/);
});

test('a failover and the old master re-pointed, with the renamed commands only', async () => {
  for (const s of sentinels) {
    await waitFor(async () => (await redisCli(s.port, 'info', 'sentinel')).includes(`address=127.0.0.1:${master.port},slaves=1,sentinels=3`), 15000, `${s.impl} sentinel on ${s.port}`);
  }
  master.sigstop();
  try {
    for (const s of sentinels) {
      await waitFor(async () => (await redisCli(s.port, 'sentinel', 'get-master-addr-by-name', 'mymaster')) === `127.0.0.1\n${replica.port}\n`, 30000, `${s.impl} sentinel on ${s.port} to report the promoted replica`);
    }
    assert.match(await redisCli(replica.port, 'role'), /^master\n/);
  } finally {
    master.sigcont();
  }
  await waitFor(async () => (await redisCli(master.port, 'info', 'replication')).includes(`master_port:${replica.port}`), 30000, 'the old master to replicate from the new one');
  for (const s of sentinels) if (s.impl === 'ts') assert.equal(s.stderr(), '');
});
