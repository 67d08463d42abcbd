import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { REDIS_SENTINEL, redisCli, startTopology, waitFor } from '../helpers/processes.js';
import type { Topology } from '../helpers/processes.js';

const haveReference = fs.existsSync(REDIS_SENTINEL);
let t: Topology | undefined;

before(async () => {
  if (!haveReference) return;
  t = await startTopology({ replicas: 2, sentinels: 3, impls: ['ts', 'ts', 'redis'] });
});

after(async () => {
  await t?.stopAll();
});

test('2 sentinel-ts + 1 redis-sentinel discover each other and agree', { skip: haveReference ? false : `${REDIS_SENTINEL} is not installed` }, async () => {
  const topo = t!;
  for (const s of topo.sentinels) {
    await waitFor(async () => (await redisCli(s.port, 'info', 'sentinel')).includes('slaves=2,sentinels=3'), 15000, `${s.impl} sentinel on ${s.port} to see slaves=2,sentinels=3`);
  }
  const ids = new Map<number, string>();
  for (const s of topo.sentinels) ids.set(s.port, (await redisCli(s.port, 'sentinel', 'myid')).trim());
  for (const s of topo.sentinels) {
    const peers = await redisCli(s.port, 'sentinel', 'sentinels', 'mymaster');
    for (const other of topo.sentinels) {
      if (other === s) continue;
      assert.ok(peers.includes(ids.get(other.port)!), `${s.impl} on ${s.port} knows ${other.impl} on ${other.port}`);
    }
  }
  for (const s of topo.sentinels.filter((x) => x.impl === 'ts')) assert.equal(s.stderr(), '');
});
