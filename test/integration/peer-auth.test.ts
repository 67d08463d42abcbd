/**
 * Sentinels that require authentication from each other: every sentinel (two sentinel-ts, one
 * redis-sentinel) turns its default user off and has a `peer` user; `sentinel sentinel-user` /
 * `sentinel-pass` make each log in as that user on its links to the others. They must still
 * find each other (hellos are PUBLISHed to the peers too), vote, and fail a master over.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { startRedis } from '../helpers/redis-server.js';
import type { RedisServer } from '../helpers/redis-server.js';
import type { SentinelProcess } from '../helpers/sentinels.js';
import { sleep, waitFor } from '../helpers/wait.js';
import { rawCommand, redisCli } from '../helpers/wire.js';
import { failOverFrozenMaster, startSentinels, stopAll, tsStderr, waitForView } from '../helpers/quorum.js';

let master: RedisServer;
let replica: RedisServer;
let sentinels: SentinelProcess[] = [];

const ADMIN = ['--user', 'admin', '--pass', 'adminpass', '--no-auth-warning'];
const cli = (s: SentinelProcess, ...args: string[]): Promise<string> => redisCli(s.port, ...ADMIN, ...args);

before(async () => {
  master = await startRedis();
  replica = await startRedis({ replicaOf: master.port });
  sentinels = await startSentinels([
    'user default off',
    'user admin on >adminpass ~* &* +@all',
    'user peer on >peerpass &* +@all',
    'sentinel sentinel-user peer',
    'sentinel sentinel-pass peerpass',
    `sentinel monitor mymaster 127.0.0.1 ${master.port} 2`,
    'sentinel down-after-milliseconds mymaster 1000',
    'sentinel failover-timeout mymaster 10000',
  ]);
});

after(() => stopAll(sentinels, [replica, master]));

test('with the default user off, peers log in with sentinel-user/sentinel-pass and find each other', async () => {
  for (const s of sentinels) assert.equal(await rawCommand(s.port, 'PING\r\n'), '-NOAUTH Authentication required.\r\n');
  await waitForView(sentinels, `address=127.0.0.1:${master.port},slaves=1,sentinels=3`, 15000, ADMIN);
  for (const s of sentinels) {
    await waitFor(async () => !(await cli(s, 'sentinel', 'sentinels', 'mymaster')).includes('disconnected'), 10000, `${s.impl} sentinel's peer links to be up`);
  }
  // Longer than down-after: a peer that refused our PINGs (NOAUTH) would now be s_down.
  await sleep(1500);
  for (const s of sentinels) {
    const peers = await cli(s, 'sentinel', 'sentinels', 'mymaster');
    assert.equal(peers.match(/\nflags\nsentinel\n/g)?.length, 2, `${s.impl} sentinel on ${s.port}: ${peers}`);
  }
});

test('the quorum votes over authenticated links and fails the stopped master over', async () => {
  await failOverFrozenMaster(master, sentinels, replica.port, ADMIN);
  assert.match(sentinels.map((s) => s.log()).join('\n'), /\+elected-leader master mymaster/);
  assert.equal(tsStderr(sentinels), '');
});
