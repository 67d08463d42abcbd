/**
 * Discovery with real processes: 1 redis-server master, 2 replicas and 3 sentinels (sentinel-ts,
 * or redis-sentinel with SENTINEL_IMPL=redis) find each other, persist what they learnt, keep it
 * across a restart, and publish +sdown/-sdown for a frozen replica.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { Redis } from 'ioredis';
import { startTopology } from '../helpers/sentinels.js';
import type { SentinelProcess, Topology } from '../helpers/sentinels.js';
import { waitFor } from '../helpers/wait.js';
import { pairsToMap, redisCli } from '../helpers/wire.js';

let t: Topology;
let startedAt = 0;
const clients: Redis[] = [];

function client(port: number): Redis {
  const c = new Redis({ port, host: '127.0.0.1', maxRetriesPerRequest: 2, lazyConnect: false });
  c.on('error', () => {});
  clients.push(c);
  return c;
}

const fields = (list: unknown): Map<string, string> => pairsToMap<string>(list);

const myid = async (s: SentinelProcess): Promise<string> => (await redisCli(s.port, 'sentinel', 'myid')).trim();
const infoLine = (): string => `master0:name=mymaster,status=ok,address=127.0.0.1:${t.master.port},slaves=2,sentinels=3`;

before(async () => {
  t = await startTopology({ replicas: 2, sentinels: 3, downAfterMs: 1000 });
  startedAt = Date.now();
});

after(async () => {
  for (const c of clients) c.disconnect();
  await t?.stopAll();
});

test('within 10 s every sentinel sees the master, both replicas and both peers', async () => {
  const deadline = startedAt + 10000;
  const replicaPorts = t.replicas.map((r) => String(r.port)).sort();
  const ids = new Map<number, string>();
  for (const s of t.sentinels) ids.set(s.port, await myid(s));
  for (const s of t.sentinels) {
    const c = client(s.port);
    const want = infoLine();
    await waitFor(async () => (await c.info('sentinel')).split('\r\n').includes(want), Math.max(0, deadline - Date.now()), `INFO sentinel on ${s.port} to show ${want}`);
    assert.deepEqual(await c.call('SENTINEL', 'GET-MASTER-ADDR-BY-NAME', 'mymaster'), ['127.0.0.1', String(t.master.port)]);

    const replicas = ((await c.call('SENTINEL', 'REPLICAS', 'mymaster')) as unknown[]).map(fields);
    assert.equal(replicas.length, 2);
    assert.deepEqual(replicas.map((r) => r.get('port')).sort(), replicaPorts);
    for (const r of replicas) {
      assert.equal(r.get('ip'), '127.0.0.1');
      assert.equal(r.get('flags'), 'slave');
      assert.equal(r.get('master-port'), String(t.master.port));
    }

    const peers = ((await c.call('SENTINEL', 'SENTINELS', 'mymaster')) as unknown[]).map(fields);
    assert.equal(peers.length, 2);
    const others = t.sentinels.filter((o) => o !== s);
    assert.deepEqual(peers.map((p) => p.get('port')).sort(), others.map((o) => String(o.port)).sort());
    for (const p of peers) {
      assert.match(p.get('runid') ?? '', /^[0-9a-f]{40}$/);
      assert.equal(p.get('runid'), ids.get(Number(p.get('port'))), `runid of the peer on ${p.get('port')} is its SENTINEL MYID`);
    }
  }
});

test('each config file holds its myid, 2 known-replica and 2 known-sentinel lines', async () => {
  for (const s of t.sentinels) {
    const id = await myid(s);
    assert.match(id, /^[0-9a-f]{40}$/);
    const others = t.sentinels.filter((o) => o !== s);
    const expectedPeers = await Promise.all(others.map(async (o) => `sentinel known-sentinel mymaster 127.0.0.1 ${o.port} ${await myid(o)}`));
    const expectedReplicas = t.replicas.map((r) => `sentinel known-replica mymaster 127.0.0.1 ${r.port}`);
    await waitFor(() => {
      const lines = s.conf().split('\n');
      return (
        lines.includes(`sentinel myid ${id}`) &&
        lines.filter((l) => l.startsWith('sentinel known-replica ')).length === 2 &&
        lines.filter((l) => l.startsWith('sentinel known-sentinel ')).length === 2 &&
        expectedReplicas.every((l) => lines.includes(l)) &&
        expectedPeers.every((l) => lines.includes(l))
      );
    }, 5000, `${s.confPath} to hold myid ${id}, ${expectedReplicas.join(' / ')} and ${expectedPeers.join(' / ')}; it holds:\n${s.conf()}`);
  }
});

test('a restarted sentinel keeps its myid and reports the same topology at once', async () => {
  const s = t.sentinels[0]!;
  const before = await myid(s);
  await s.restart();
  // No polling: the topology must come from the config file, before any INFO or hello arrives.
  const info = await redisCli(s.port, 'info', 'sentinel');
  assert.ok(info.split('\r\n').includes(infoLine()), `INFO sentinel right after the restart:\n${info}`);
  assert.equal(await myid(s), before);
  const c = client(s.port);
  assert.equal(((await c.call('SENTINEL', 'REPLICAS', 'mymaster')) as unknown[]).length, 2);
  assert.equal(((await c.call('SENTINEL', 'SENTINELS', 'mymaster')) as unknown[]).length, 2);
});

test('+sdown and -sdown are published for a frozen replica', async () => {
  const s = t.sentinels[1]!;
  const sub = client(s.port);
  const seen: string[] = [];
  sub.on('message', (channel: string, message: string) => seen.push(`${channel} ${message}`));
  await sub.subscribe('+sdown', '-sdown');
  const r = t.replicas[0]!;
  const payload = `slave 127.0.0.1:${r.port} 127.0.0.1 ${r.port} @ mymaster 127.0.0.1 ${t.master.port}`;
  r.sigstop();
  try {
    await waitFor(() => seen.includes(`+sdown ${payload}`), 10000, `+sdown ${payload} (seen: ${JSON.stringify(seen)})`);
  } finally {
    r.sigcont();
  }
  await waitFor(() => seen.includes(`-sdown ${payload}`), 10000, `-sdown ${payload} (seen: ${JSON.stringify(seen)})`);
});

test('no sentinel wrote anything to stderr', () => {
  for (const s of t.sentinels) assert.equal(s.stderr(), '', `stderr of the ${s.impl} sentinel on ${s.port}`);
});
