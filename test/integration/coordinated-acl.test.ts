/**
 * COORDINATED through ACL-protected servers. With the least-privilege sentinel user redis's
 * documentation lists (no FAILOVER, no CLIENT PAUSE/UNPAUSE), the master refuses the hand-over
 * transaction: the sentinel reads the EXEC reply, aborts at once with the reason, and nothing is
 * left paused or changed. Once the user may run them, the same request switches the master.
 * sentinel-ts extension: skipped against redis-sentinel.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { Redis } from 'ioredis';
import { startRedis } from '../helpers/redis-server.js';
import type { RedisServer } from '../helpers/redis-server.js';
import { startSentinel, tsOnly } from '../helpers/sentinels.js';
import type { SentinelProcess } from '../helpers/sentinels.js';
import { waitFor } from '../helpers/wait.js';
import { redisCli } from '../helpers/wire.js';

const skip = tsOnly('COORDINATED is a sentinel-ts extension');
const SENTINEL_RULES = '+multi +slaveof +ping +exec +subscribe +config|rewrite +role +publish +info +client|setname +client|kill +script|kill';
const SERVER_ACL = [
  ['default', 'off'],
  ['admin', 'on', '>adminpw', '~*', '&*', '+@all'],
  ['sentinel-user', 'on', '>sentinelpw', 'allchannels', ...SENTINEL_RULES.split(' ')],
  ['replica-user', 'on', '>replicapw', '+psync', '+replconf', '+ping'],
]
  .flatMap((u) => ['--user', ...u])
  .concat(['--masteruser', 'replica-user', '--masterauth', 'replicapw']);
const ADMIN = ['--user', 'admin', '--pass', 'adminpw', '--no-auth-warning'];

let servers: RedisServer[] = [];
let sentinels: SentinelProcess[] = [];

before(async () => {
  if (skip) return;
  const master = await startRedis({ args: SERVER_ACL });
  const replica = await startRedis({ replicaOf: master.port, args: SERVER_ACL });
  servers = [master, replica];
  await waitFor(async () => (await redisCli(replica.port, ...ADMIN, 'info', 'replication')).includes('master_link_status:up'), 10000, 'the replica to sync');
  for (let i = 0; i < 3; i++) {
    sentinels.push(
      await startSentinel({
        lines: [
          `sentinel monitor mymaster 127.0.0.1 ${master.port} 2`,
          'sentinel auth-user mymaster sentinel-user',
          'sentinel auth-pass mymaster sentinelpw',
          'sentinel down-after-milliseconds mymaster 5000',
          'sentinel failover-timeout mymaster 10000',
        ],
      }),
    );
  }
  for (const s of sentinels) {
    await waitFor(async () => (await redisCli(s.port, 'info', 'sentinel')).includes('slaves=1,sentinels=3'), 20000, `topology on ${s.port}`);
  }
});

after(async () => {
  await Promise.all([...sentinels, ...servers].map((p) => p.stop()));
});

async function masterPort(port: number): Promise<number> {
  return Number((await redisCli(port, 'sentinel', 'get-master-addr-by-name', 'mymaster')).trim().split('\n')[1]);
}

test('without +failover and +client|pause the hand-over is refused by the master: aborted at once, nothing paused or changed; granted, it switches', { skip }, async () => {
  const [master, replica] = [servers[0]!, servers[1]!];
  const s0 = sentinels[0]!;
  const sub = new Redis({ port: s0.port }).on('error', () => {});
  const events: string[] = [];
  sub.on('pmessage', (_p: string, ch: string, msg: string) => events.push(`${ch} ${msg}`));
  await sub.psubscribe('*');
  try {
    assert.equal((await redisCli(s0.port, 'sentinel', 'failover', 'mymaster', 'coordinated')).trim(), 'OK');
    const abort = await waitFor(() => events.find((e) => e.startsWith('-failover-abort-coordinated')), 15000, '-failover-abort-coordinated');
    assert.match(abort, /the master refused: EXECABORT/);
    // Not paused: a write as admin is answered at once; still the master for everyone.
    const t0 = performance.now();
    assert.equal((await redisCli(master.port, ...ADMIN, 'set', 'after-abort', '1')).trim(), 'OK');
    assert.ok(performance.now() - t0 < 500);
    assert.match(await redisCli(master.port, ...ADMIN, 'info', 'replication'), /role:master/);
    for (const s of sentinels) assert.equal(await masterPort(s.port), master.port);
    assert.doesNotMatch(await redisCli(s0.port, 'sentinel', 'master', 'mymaster'), /failover_in_progress/);

    // Grant what the hand-over needs, on both servers (the replica becomes the master).
    for (const srv of servers) await redisCli(srv.port, ...ADMIN, 'acl', 'setuser', 'sentinel-user', '+failover', '+client|pause', '+client|unpause');
    assert.equal((await redisCli(s0.port, 'sentinel', 'failover', 'mymaster', 'coordinated')).trim(), 'OK');
    for (const s of sentinels) await waitFor(async () => (await masterPort(s.port)) === replica.port, 20000, `sentinel ${s.port} to name the replica`);
    await waitFor(async () => (await redisCli(master.port, ...ADMIN, 'info', 'replication')).includes('role:slave'), 10000, 'the old master to follow');
  } finally {
    sub.disconnect();
  }
});
