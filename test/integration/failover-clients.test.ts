import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { Redis } from 'ioredis';
import { startTopology } from '../helpers/sentinels.js';
import type { Topology } from '../helpers/sentinels.js';
import { sleep, waitFor } from '../helpers/wait.js';
import { redisCli } from '../helpers/wire.js';

let t: Topology;

before(async () => {
  t = await startTopology({ replicas: 2, sentinels: 3, downAfterMs: 1000, failoverTimeoutMs: 10000 });
  for (const s of t.sentinels) {
    await waitFor(async () => (await redisCli(s.port, 'info', 'sentinel')).includes('slaves=2,sentinels=3'), 20000, `topology on ${s.port}`);
  }
  for (const r of t.replicas) {
    await waitFor(async () => (await redisCli(r.port, 'info', 'replication')).includes('master_link_status:up'), 20000, `replica ${r.port} in sync`);
  }
});

after(async () => {
  await t.stopAll();
});

test('ioredis and redis-py keep writing through a failover; no write acknowledged by WAIT 1 is lost', async () => {
  const sentinels = t.sentinels.map((s) => ({ host: '127.0.0.1', port: s.port }));
  const client = new Redis({ sentinels, name: 'mymaster', retryStrategy: () => 50, sentinelRetryStrategy: () => 50 });
  client.on('error', () => {});
  const acked: string[] = [];
  let writing = true;
  let afterFailover = 0;
  let failedOver = false;
  const writer = (async () => {
    for (let i = 0; writing; i++) {
      const key = `io:${i}`;
      try {
        await client.set(key, String(i));
        // Acknowledged only once a replica has it: such a write must survive the failover.
        const replicas = (await client.call('WAIT', '1', '0')) as number;
        if (replicas >= 1) {
          acked.push(key);
          if (failedOver) afterFailover++;
        }
      } catch {
        // refused while the master is down: not acknowledged, may be lost
      }
      await sleep(10);
    }
  })();

  const hosts = sentinels.map((s) => `('127.0.0.1', ${s.port})`).join(', ');
  const py = spawn('/usr/bin/python3', [
    '-u',
    '-c',
    [
      'import sys, time',
      'from redis.sentinel import Sentinel',
      `s = Sentinel([${hosts}], socket_timeout=1)`,
      "m = s.master_for('mymaster', socket_timeout=1)",
      'ok = []',
      'end = time.time() + float(sys.argv[1])',
      'i = 0',
      'while time.time() < end:',
      '    i += 1',
      '    try:',
      "        m.set('py:%d' % i, i)",
      "        if m.execute_command('WAIT', 1, 0) >= 1:",
      "            print('ack py:%d' % i, flush=True)",
      '    except Exception:',
      '        time.sleep(0.05)',
      '    time.sleep(0.01)',
    ].join('\n'),
    '9',
  ]);
  let pyOut = '';
  py.stdout.on('data', (d) => (pyOut += d));
  const pyDone = new Promise<void>((r) => py.on('exit', () => r()));

  await sleep(1500);
  const old = t.master.port;
  await t.master.kill9();
  const addr = await waitFor(async () => {
    const a = (await redisCli(t.sentinels[0]!.port, 'sentinel', 'get-master-addr-by-name', 'mymaster')).trim();
    return a.endsWith(`\n${old}`) ? null : a;
  }, 20000, 'a new master');
  failedOver = true;
  await waitFor(() => afterFailover > 20, 20000, 'ioredis writes to resume on the new master');
  await pyDone;
  writing = false;
  await writer;
  client.disconnect();

  const newPort = Number(addr.split('\n')[1]);
  const pyAcked = pyOut.split('\n').filter((l) => l.startsWith('ack ')).map((l) => l.slice(4));
  assert.ok(acked.length > 50, `ioredis acknowledged ${acked.length} writes`);
  assert.ok(pyAcked.length > 20, `redis-py acknowledged ${pyAcked.length} writes`);
  const check = new Redis({ port: newPort });
  try {
    const all = [...acked, ...pyAcked];
    const values = await check.mget(...all);
    const lost = all.filter((_, i) => values[i] === null);
    assert.deepEqual(lost, [], `acknowledged writes lost: ${lost.length}`);
  } finally {
    check.disconnect();
  }
});
