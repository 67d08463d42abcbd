/**
 * Drop-in replacement, both ways: sentinel-ts starts on a sentinel.conf that redis-sentinel has
 * been running on (and rewriting) and carries on as the same sentinel, and redis-sentinel does the
 * same with a file sentinel-ts wrote.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { REDIS_SENTINEL } from '../helpers/paths.js';
import { startRedis } from '../helpers/redis-server.js';
import type { RedisServer } from '../helpers/redis-server.js';
import { effectiveImpl, startSentinel } from '../helpers/sentinels.js';
import type { SentinelImpl, SentinelProcess } from '../helpers/sentinels.js';
import { waitFor } from '../helpers/wait.js';
import { redisCli } from '../helpers/wire.js';

const haveReference = fs.existsSync(REDIS_SENTINEL);
const servers: RedisServer[] = [];
let masterPort = 0;

before(async () => {
  if (!haveReference) return;
  const master = await startRedis();
  servers.push(master, await startRedis({ replicaOf: master.port }), await startRedis({ replicaOf: master.port }));
  masterPort = master.port;
  await waitFor(async () => (await redisCli(master.port, 'info', 'replication')).includes('connected_slaves:2'), 15000, 'both replicas connected');
});

after(async () => {
  await Promise.all(servers.map((s) => s.stop()));
});

const infoLine = (): string => `master0:name=mymaster,status=ok,address=127.0.0.1:${masterPort},slaves=2,sentinels=1`;

/**
 * Runs `from` until it has written its state, restarted once and rewritten the file again (the
 * second rewrite is when redis-sentinel 7.0.15 adds `sanitize-payload` to the default user), then
 * stops it and starts `to` on the same file: same id, same topology at once, nothing on stderr.
 */
async function handOver(from: SentinelImpl, to: SentinelImpl): Promise<void> {
  const a = await startSentinel({ impl: from, lines: [`sentinel monitor mymaster 127.0.0.1 ${masterPort} 1`, 'sentinel down-after-milliseconds mymaster 2000'] });
  let b: SentinelProcess | undefined;
  try {
    await waitFor(async () => (await redisCli(a.port, 'info', 'sentinel')).split('\r\n').includes(infoLine()), 15000, `${from} to report ${infoLine()}`);
    const id = (await redisCli(a.port, 'sentinel', 'myid')).trim();
    await a.restart();
    assert.equal((await redisCli(a.port, 'sentinel', 'flushconfig')).trim(), 'OK');
    await a.stop();
    const written = a.conf();
    assert.ok(written.includes(`sentinel myid ${id}`), written);

    b = await a.withImpl(effectiveImpl(to));
    const info = await redisCli(b.port, 'info', 'sentinel');
    assert.ok(info.split('\r\n').includes(infoLine()), `${to} on a file written by ${from} reports at once:\n${info}\nfile:\n${written}`);
    assert.equal((await redisCli(b.port, 'sentinel', 'myid')).trim(), id, 'the same sentinel id');
    assert.equal(b.stderr(), '');
  } finally {
    await a.stop();
    await b?.stop();
  }
}

// redis-sentinel 7.0.15 writes `user default on nopass sanitize-payload ~* &* +@all` on its second
// rewrite: sentinel-ts must accept that line.
test(
  'sentinel-ts takes over a sentinel.conf written by redis-sentinel 7.0.15',
  {
    skip: haveReference ? false : `${REDIS_SENTINEL} is not installed`,
  },
  async () => handOver('redis', 'ts'),
);

test(
  'redis-sentinel 7.0.15 takes over a sentinel.conf written by sentinel-ts',
  { skip: haveReference ? false : `${REDIS_SENTINEL} is not installed` },
  async () => handOver('ts', 'redis'),
);
