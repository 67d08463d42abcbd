import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { Redis } from 'ioredis';
import { createSentinel } from 'redis';
import { redisCli, startTopology, waitFor } from '../helpers/processes.js';
import type { Topology } from '../helpers/processes.js';

let t: Topology;

before(async () => {
  t = await startTopology({ replicas: 2, sentinels: 3 });
  for (const s of t.sentinels) {
    await waitFor(async () => (await redisCli(s.port, 'info', 'sentinel')).includes('slaves=2,sentinels=3'), 15000, `topology on ${s.port}`);
  }
  // Replicas must be in sync before clients read from them.
  for (const r of t.replicas) {
    await waitFor(async () => (await redisCli(r.port, 'info', 'replication')).includes('master_link_status:up'), 15000, `replica ${r.port} link`);
  }
});

after(async () => {
  await t.stopAll();
});

test('redis-cli: RESP2 and RESP3', async () => {
  const p = t.sentinels[0]!.port;
  assert.equal(await redisCli(p, 'sentinel', 'get-master-addr-by-name', 'mymaster'), `127.0.0.1\n${t.master.port}\n`);
  assert.match(await redisCli(p, 'info', 'sentinel'), /status=ok/);
  const resp3 = await redisCli(p, '-3', 'sentinel', 'master', 'mymaster');
  assert.match(resp3, /num-other-sentinels/);
  assert.equal(await redisCli(p, 'sentinel', 'get-master-addr-by-name', 'nosuch'), '\n');
});

test('ioredis: writes through the sentinels, and role slave reaches a replica', async () => {
  const sentinels = t.sentinels.map((s) => ({ host: '127.0.0.1', port: s.port }));
  const master = new Redis({ sentinels, name: 'mymaster' });
  const replica = new Redis({ sentinels, name: 'mymaster', role: 'slave' });
  try {
    await master.set('ioredis-key', 'hello');
    assert.equal(await master.get('ioredis-key'), 'hello');
    const role = await replica.info('replication');
    assert.match(role, /role:slave/);
    assert.match(role, new RegExp(`master_port:${t.master.port}`));
  } finally {
    master.disconnect();
    replica.disconnect();
  }
});

test('node-redis: createSentinel connects to the master', async () => {
  const client = createSentinel({
    name: 'mymaster',
    sentinelRootNodes: t.sentinels.map((s) => ({ host: '127.0.0.1', port: s.port })),
  });
  client.on('error', () => {});
  await client.connect();
  try {
    await client.set('node-redis-key', 'world');
    assert.equal(await client.get('node-redis-key'), 'world');
  } finally {
    await client.close();
  }
});

test('redis-py (Debian python3-redis): discover, write through master_for, read through slave_for', async () => {
  const hosts = t.sentinels.map((s) => `('127.0.0.1', ${s.port})`).join(', ');
  const script = [
    'from redis.sentinel import Sentinel',
    `s = Sentinel([${hosts}], socket_timeout=2)`,
    "print('master', s.discover_master('mymaster'))",
    "print('replicas', sorted(s.discover_slaves('mymaster')))",
    "m = s.master_for('mymaster', socket_timeout=2)",
    "m.set('py-key', 'from-python')",
    "m.execute_command('WAIT', 2, 2000)",
    "r = s.slave_for('mymaster', socket_timeout=2)",
    "print('read', r.get('py-key').decode())",
  ].join('\n');
  const out = await new Promise<string>((resolve, reject) => {
    execFile('/usr/bin/python3', ['-c', script], { timeout: 20000 }, (err, stdout, stderr) => (err ? reject(new Error(`${err.message}\n${stderr}`)) : resolve(stdout)));
  });
  assert.match(out, new RegExp(`master \\('127\\.0\\.0\\.1', ${t.master.port}\\)`));
  const ports = t.replicas.map((r) => r.port).sort((a, b) => a - b);
  assert.match(out, new RegExp(`replicas \\[\\('127\\.0\\.0\\.1', ${ports[0]}\\), \\('127\\.0\\.0\\.1', ${ports[1]}\\)\\]`));
  assert.match(out, /read from-python/);
});
