import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { Redis } from 'ioredis';
import { redisCli, startTopology, waitFor } from '../helpers/processes.js';
import type { Topology } from '../helpers/processes.js';

let t: Topology;
const clients: Redis[] = [];
const client = (port: number): Redis => {
  const c = new Redis({ port, maxRetriesPerRequest: 2 });
  c.on('error', () => {});
  clients.push(c);
  return c;
};

before(async () => {
  t = await startTopology({ replicas: 2, sentinels: 3, downAfterMs: 1000 });
});

after(async () => {
  for (const c of clients) c.disconnect();
  await t.stopAll();
});

test('three sentinels discover the master, both replicas and each other within 10 s', async () => {
  const expected = `master0:name=mymaster,status=ok,address=127.0.0.1:${t.master.port},slaves=2,sentinels=3`;
  for (const s of t.sentinels) {
    const c = client(s.port);
    await waitFor(async () => (await c.info('sentinel')).includes(expected), 10000, `INFO sentinel on ${s.port} to show ${expected}`);
    assert.deepEqual(await c.call('SENTINEL', 'GET-MASTER-ADDR-BY-NAME', 'mymaster'), ['127.0.0.1', String(t.master.port)]);
    const replicas = (await c.call('SENTINEL', 'REPLICAS', 'mymaster')) as string[][];
    assert.equal(replicas.length, 2);
    const peers = (await c.call('SENTINEL', 'SENTINELS', 'mymaster')) as string[][];
    assert.equal(peers.length, 2);
    for (const p of peers) assert.match(p[p.indexOf('runid') + 1]!, /^[0-9a-f]{40}$/);
  }
});

test('each config file records the id, the replicas and the peers', async () => {
  for (const s of t.sentinels) {
    await waitFor(() => {
      const conf = fs.readFileSync(s.confPath, 'utf8');
      return /^sentinel myid [0-9a-f]{40}$/m.test(conf) &&
        (conf.match(/^sentinel known-replica mymaster /gm) ?? []).length === 2 &&
        (conf.match(/^sentinel known-sentinel mymaster /gm) ?? []).length === 2;
    }, 5000, `${s.confPath} to list 2 replicas and 2 sentinels`);
  }
});

test('a restarted sentinel keeps its id and knows the topology at once', async () => {
  const s = t.sentinels[0]!;
  const id = await redisCli(s.port, 'sentinel', 'myid');
  await s.restart();
  assert.equal(await redisCli(s.port, 'sentinel', 'myid'), id);
  const info = await redisCli(s.port, 'info', 'sentinel');
  assert.match(info, /slaves=2,sentinels=3/);
});

test('+sdown and -sdown are published for a stopped replica', async () => {
  const s = t.sentinels[1]!;
  const sub = client(s.port);
  const seen: string[] = [];
  sub.on('message', (channel: string, message: string) => seen.push(`${channel} ${message}`));
  await sub.subscribe('+sdown', '-sdown');
  const r = t.replicas[0]!;
  const payload = `slave 127.0.0.1:${r.port} 127.0.0.1 ${r.port} @ mymaster 127.0.0.1 ${t.master.port}`;
  r.signal('SIGSTOP');
  try {
    await waitFor(() => seen.includes(`+sdown ${payload}`), 10000, `+sdown ${payload}`);
  } finally {
    r.signal('SIGCONT');
  }
  await waitFor(() => seen.includes(`-sdown ${payload}`), 10000, `-sdown ${payload}`);
});

test('nothing was written to stderr', () => {
  for (const s of t.sentinels) assert.equal(s.stderr(), '', `stderr of the sentinel on ${s.port}`);
});
