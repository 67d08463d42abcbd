/**
 * Real clients, unchanged, against 3 sentinels monitoring a real master and 2 replicas:
 * redis-cli (RESP2, --csv, RESP3), ioredis, node-redis's createSentinel and redis-py (Debian's
 * python3-redis, run with /usr/bin/python3).
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { Redis } from 'ioredis';
import { createSentinel } from 'redis';
import { PYTHON3 } from '../helpers/paths.js';
import { startTopology } from '../helpers/sentinels.js';
import type { Topology } from '../helpers/sentinels.js';
import { waitFor } from '../helpers/wait.js';
import { redisCli } from '../helpers/wire.js';

let t: Topology;

before(async () => {
  t = await startTopology({ replicas: 2, sentinels: 3 });
  for (const s of t.sentinels) {
    await waitFor(async () => (await redisCli(s.port, 'info', 'sentinel')).includes('status=ok,address=127.0.0.1:' + t.master.port + ',slaves=2,sentinels=3'), 15000, `the full topology on sentinel ${s.port}`);
  }
  // Replicas must be in sync before clients read from them.
  for (const r of t.replicas) {
    await waitFor(async () => (await redisCli(r.port, 'info', 'replication')).includes('master_link_status:up'), 15000, `replica ${r.port} link up`);
  }
});

after(async () => {
  await t?.stopAll();
});

test('redis-cli: plain, --csv and RESP3 (-3)', async () => {
  const p = t.sentinels[0]!.port;
  const mp = t.master.port;
  assert.equal(await redisCli(p, 'sentinel', 'get-master-addr-by-name', 'mymaster'), `127.0.0.1\n${mp}\n`);
  assert.equal(await redisCli(p, '--csv', 'sentinel', 'get-master-addr-by-name', 'mymaster'), `"127.0.0.1","${mp}"\n`);
  assert.equal(await redisCli(p, '-3', 'sentinel', 'get-master-addr-by-name', 'mymaster'), `127.0.0.1\n${mp}\n`);
  // An unknown name is a null (RESP2 null array, RESP3 null): an empty line in both.
  assert.equal(await redisCli(p, 'sentinel', 'get-master-addr-by-name', 'nosuch'), '\n');
  assert.equal(await redisCli(p, '-3', 'sentinel', 'get-master-addr-by-name', 'nosuch'), '\n');

  const info = await redisCli(p, 'info', 'sentinel');
  assert.ok(info.split('\r\n').includes(`master0:name=mymaster,status=ok,address=127.0.0.1:${mp},slaves=2,sentinels=3`), info);

  // SENTINEL MASTER is a flat list in RESP2 (one item per line) and a map in RESP3 (redis-cli
  // prints "key value" per line): the same pairs either way.
  const resp2 = (await redisCli(p, 'sentinel', 'master', 'mymaster')).trim().split('\n');
  const resp3 = new Map(
    (await redisCli(p, '-3', 'sentinel', 'master', 'mymaster'))
      .trim()
      .split('\n')
      .map((l) => [l.slice(0, l.indexOf(' ')), l.slice(l.indexOf(' ') + 1)] as const),
  );
  assert.equal(resp2[resp2.indexOf('num-other-sentinels') + 1], '2');
  assert.equal(resp2[resp2.indexOf('num-slaves') + 1], '2');
  assert.equal(resp3.get('name'), 'mymaster');
  assert.equal(resp3.get('port'), String(mp));
  assert.equal(resp3.get('flags'), 'master');
  assert.equal(resp3.get('num-other-sentinels'), '2');
  assert.equal(resp3.get('num-slaves'), '2');

  const csvReplicas = await redisCli(p, '--csv', 'sentinel', 'replicas', 'mymaster');
  for (const r of t.replicas) assert.ok(csvReplicas.includes(`"port","${r.port}"`), csvReplicas);
});

test('ioredis: writes through the sentinels; role slave reaches a replica', async () => {
  const sentinels = t.sentinels.map((s) => ({ host: '127.0.0.1', port: s.port }));
  const master = new Redis({ sentinels, name: 'mymaster' });
  const replica = new Redis({ sentinels, name: 'mymaster', role: 'slave' });
  master.on('error', () => {});
  replica.on('error', () => {});
  try {
    await master.set('ioredis-key', 'hello');
    assert.equal(await master.get('ioredis-key'), 'hello');
    assert.equal((await redisCli(t.master.port, 'get', 'ioredis-key')).trim(), 'hello', 'the write reached the real master');

    const repl = await replica.info('replication');
    assert.match(repl, /^role:slave\r?$/m);
    assert.match(repl, new RegExp(`^master_port:${t.master.port}\\r?$`, 'm'));
    const port = Number(/^tcp_port:(\d+)/m.exec(await replica.info('server'))?.[1]);
    assert.ok(t.replicas.some((r) => r.port === port), `connected to replica port ${port}`);
  } finally {
    master.disconnect();
    replica.disconnect();
  }
});

test('node-redis: createSentinel connects to the master, set/get', async () => {
  const client = createSentinel({
    name: 'mymaster',
    sentinelRootNodes: t.sentinels.map((s) => ({ host: '127.0.0.1', port: s.port })),
  });
  client.on('error', () => {});
  await client.connect();
  try {
    await client.set('node-redis-key', 'world');
    assert.equal(await client.get('node-redis-key'), 'world');
    assert.equal((await redisCli(t.master.port, 'get', 'node-redis-key')).trim(), 'world', 'the write reached the real master');
  } finally {
    await client.close();
  }
});

function python(script: string): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(PYTHON3, ['-c', script], { timeout: 20000 }, (err, stdout, stderr) => (err ? reject(new Error(`${err.message}\n${stderr}`)) : resolve(stdout)));
  });
}

test('redis-py: discover_master, discover_slaves, write through master_for, read through slave_for', async () => {
  const hosts = t.sentinels.map((s) => `('127.0.0.1', ${s.port})`).join(', ');
  const out = await python(
    [
      'from redis.sentinel import Sentinel',
      `s = Sentinel([${hosts}], socket_timeout=2)`,
      "print('master', s.discover_master('mymaster'))",
      "print('replicas', sorted(s.discover_slaves('mymaster')))",
      "m = s.master_for('mymaster', socket_timeout=2)",
      "m.set('py-key', 'from-python')",
      "print('acked', m.execute_command('WAIT', 2, 1000))",
      "r = s.slave_for('mymaster', socket_timeout=2)",
      "print('read', r.get('py-key').decode())",
      "print('role', r.execute_command('ROLE')[0].decode())",
    ].join('\n'),
  );
  assert.match(out, new RegExp(`^master \\('127\\.0\\.0\\.1', ${t.master.port}\\)$`, 'm'));
  const [a, b] = t.replicas.map((r) => r.port).sort((x, y) => x - y);
  assert.match(out, new RegExp(`^replicas \\[\\('127\\.0\\.0\\.1', ${a}\\), \\('127\\.0\\.0\\.1', ${b}\\)\\]$`, 'm'));
  assert.match(out, /^acked 2$/m);
  assert.match(out, /^read from-python$/m);
  assert.match(out, /^role slave$/m);
});

test('no sentinel wrote anything to stderr', () => {
  for (const s of t.sentinels) assert.equal(s.stderr(), '', `stderr of the ${s.impl} sentinel on ${s.port}`);
});
