import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { REDIS_SENTINEL } from '../helpers/paths.js';
import { startTopology } from '../helpers/sentinels.js';
import type { SentinelImpl, Topology } from '../helpers/sentinels.js';
import { waitFor } from '../helpers/wait.js';
import { redisCli } from '../helpers/wire.js';

const haveReference = fs.existsSync(REDIS_SENTINEL);

async function failoverWith(impls: SentinelImpl[]): Promise<void> {
  const t: Topology = await startTopology({ replicas: 2, sentinels: 3, impls, downAfterMs: 1000, failoverTimeoutMs: 10000 });
  try {
    for (const s of t.sentinels) {
      await waitFor(async () => (await redisCli(s.port, 'info', 'sentinel')).includes('slaves=2,sentinels=3'), 20000, `${s.impl} on ${s.port} to see the topology`);
    }
    const old = t.master.port;
    await t.master.kill9();
    const addr = await waitFor(async () => {
      const a = await Promise.all(t.sentinels.map(async (s) => (await redisCli(s.port, 'sentinel', 'get-master-addr-by-name', 'mymaster')).trim()));
      return a.every((x) => x === a[0] && !x.endsWith(`\n${old}`)) ? a[0] : null;
    }, 20000, 'every sentinel to agree on a new master');
    const port = Number(addr.split('\n')[1]);
    assert.ok(t.replicas.some((r) => r.port === port));
    assert.match(await redisCli(port, 'info', 'replication'), /role:master/);
    // The epochs agree too.
    const epochs = await Promise.all(t.sentinels.map(async (s) => /config-epoch\n(\d+)/.exec(await redisCli(s.port, 'sentinel', 'master', 'mymaster'))?.[1]));
    assert.ok(epochs.every((e) => e === epochs[0] && e !== '0'), `config epochs ${epochs.join(',')}`);
    for (const s of t.sentinels.filter((x) => x.impl === 'ts')) assert.equal(s.stderr(), '');
  } finally {
    await t.stopAll();
  }
}

const skip = haveReference ? false : `${REDIS_SENTINEL} is not installed`;

test('mixed quorum 2 sentinel-ts + 1 redis-sentinel fails over', { skip }, async () => {
  await failoverWith(['ts', 'ts', 'redis']);
});

test('mixed quorum 1 sentinel-ts + 2 redis-sentinel fails over', { skip }, async () => {
  await failoverWith(['ts', 'redis', 'redis']);
});
