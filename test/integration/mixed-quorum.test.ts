/**
 * A mixed quorum: 2 sentinel-ts and 1 Debian redis-sentinel (each with its own config file and the
 * same monitor line) watch the same master and 2 replicas, and discover each other through the
 * hello protocol in both directions.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { Redis } from 'ioredis';
import { REDIS_SENTINEL } from '../helpers/paths.js';
import { startTopology } from '../helpers/sentinels.js';
import type { Topology } from '../helpers/sentinels.js';
import { waitFor } from '../helpers/wait.js';
import { redisCli } from '../helpers/wire.js';

const haveReference = fs.existsSync(REDIS_SENTINEL);
let t: Topology | undefined;

/** SENTINEL SENTINELS <name> on `port`: runid -> port of each peer listed. */
async function peersOf(port: number): Promise<Map<string, string>> {
  const c = new Redis({ port, host: '127.0.0.1', maxRetriesPerRequest: 2 });
  c.on('error', () => {});
  try {
    const list = (await c.call('SENTINEL', 'SENTINELS', 'mymaster')) as string[][];
    const peers = new Map<string, string>();
    for (const entry of list) peers.set(entry[entry.indexOf('runid') + 1]!, entry[entry.indexOf('port') + 1]!);
    return peers;
  } finally {
    c.disconnect();
  }
}

before(async () => {
  if (!haveReference) return;
  t = await startTopology({ replicas: 2, sentinels: 3, impls: ['ts', 'ts', 'redis'] });
});

after(async () => {
  await t?.stopAll();
});

test('2 sentinel-ts + 1 redis-sentinel: slaves=2, sentinels=3 everywhere, runids known both ways', async (ctx) => {
  if (!haveReference || !t) {
    ctx.skip(`${REDIS_SENTINEL} is not installed (Debian package redis-sentinel)`);
    return;
  }
  const topo = t;
  const want = `master0:name=mymaster,status=ok,address=127.0.0.1:${topo.master.port},slaves=2,sentinels=3`;
  for (const s of topo.sentinels) {
    await waitFor(async () => (await redisCli(s.port, 'info', 'sentinel')).split('\r\n').includes(want), 15000, `the ${s.impl} sentinel on ${s.port} to report ${want}`);
  }
  const ids = new Map<number, string>();
  for (const s of topo.sentinels) ids.set(s.port, (await redisCli(s.port, 'sentinel', 'myid')).trim());
  for (const s of topo.sentinels) {
    const peers = await peersOf(s.port);
    assert.equal(peers.size, 2, `${s.impl} on ${s.port} lists 2 peers`);
    for (const other of topo.sentinels) {
      if (other === s) continue;
      const id = ids.get(other.port)!;
      assert.ok(peers.has(id), `${s.impl} on ${s.port} lists ${other.impl} on ${other.port} (runid ${id})`);
      assert.equal(peers.get(id), String(other.port), `${s.impl} on ${s.port} has the right port for ${id}`);
    }
  }
  for (const s of topo.sentinels) assert.equal(s.stderr(), '', `stderr of the ${s.impl} sentinel on ${s.port}`);
});
