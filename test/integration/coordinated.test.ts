/**
 * SENTINEL FAILOVER <name> COORDINATED against real processes: a mixed quorum (2 sentinel-ts,
 * 1 redis-sentinel, quorum 2) over a master and 2 replicas, with redis-py (Sentinel.master_for),
 * ioredis and node-redis writing through five switchovers (the second TO the replica selection
 * would not pick): every acknowledged write is on the final master. Then: a target that cannot
 * catch up (SIGSTOP) makes the master give up and the sentinel unpause it at once; and a leader
 * killed in the middle of the hand-over leaves no server paused past the lease. sentinel-ts
 * extension: skipped against redis-sentinel.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import { Redis } from 'ioredis';
import { createSentinel } from 'redis';
import { PYTHON3 } from '../helpers/paths.js';
import { startTopology, tsOnly } from '../helpers/sentinels.js';
import type { Topology } from '../helpers/sentinels.js';
import { sleep, waitFor } from '../helpers/wait.js';
import { setLatency, watchEvents } from '../helpers/events.js';
import { pairsToMap, redisCli } from '../helpers/wire.js';

const skip = tsOnly('COORDINATED is a sentinel-ts extension (redis-sentinel has none)');
let t: Topology | undefined;
const open: { disconnect(): void }[] = [];

before(async () => {
  if (skip) return;
  // down-after well above any pause: a hand-over must never look like a crash.
  t = await startTopology({ replicas: 2, sentinels: 3, impls: ['ts', 'ts', 'redis'], downAfterMs: 5000, failoverTimeoutMs: 10000 });
  for (const s of t.sentinels) {
    await waitFor(async () => (await redisCli(s.port, 'info', 'sentinel')).includes('slaves=2,sentinels=3'), 20000, `topology on ${s.port}`);
  }
});

after(async () => {
  for (const c of open) c.disconnect();
  await t?.stopAll();
});

function topo(): Topology {
  assert.ok(t, 'the topology started');
  return t;
}

async function masterPort(port: number): Promise<number> {
  return Number((await redisCli(port, 'sentinel', 'get-master-addr-by-name', 'mymaster')).trim().split('\n')[1]);
}

const asMap = (v: unknown): Map<string, unknown> => pairsToMap(v);

function admin(port: number): Redis {
  const c = new Redis({ port, maxRetriesPerRequest: 1 }).on('error', () => {});
  open.push(c);
  return c;
}

/** Waits until every sentinel names a master other than `old`, and returns it. */
async function switched(old: number): Promise<number> {
  let now = 0;
  for (const s of topo().sentinels) {
    now = await waitFor(async () => {
      const p = await masterPort(s.port);
      return p !== old ? p : null;
    }, 20000, `sentinel ${s.port} (${s.impl}) to leave ${old}`);
  }
  return now;
}

test('five coordinated switchovers under writes from redis-py, ioredis and node-redis: 0 acknowledged writes lost', { skip }, async (ctx) => {
  const tp = topo();
  const [ts0, ts1] = [tp.sentinels[0]!, tp.sentinels[1]!];
  const all = [tp.master, ...tp.replicas];

  // The dry run first: it names a replica and changes nothing.
  const epochOf = async (): Promise<string> => String(asMap(await admin(ts0.port).call('SENTINEL', 'MASTER', 'mymaster')).get('config-epoch'));
  const epoch0 = await epochOf();
  const file0 = fs.readFileSync(ts0.confPath);
  const master0 = await masterPort(ts0.port);
  const plan = asMap(await admin(ts0.port).call('SENTINEL', 'FAILOVER', 'mymaster', 'COORDINATED', 'DRYRUN'));
  assert.equal(plan.get('would-start'), 1, `blocked by ${String(plan.get('blocked-by'))}`);
  assert.equal(plan.get('mode'), 'coordinated');
  assert.ok(tp.replicas.some((r) => plan.get('selected') === `127.0.0.1:${r.port}`), `selected ${String(plan.get('selected'))}`);
  assert.equal(await epochOf(), epoch0);
  assert.ok(fs.readFileSync(ts0.confPath).equals(file0), 'config file unchanged by the dry run');
  assert.equal(await masterPort(ts0.port), master0);

  // Writers: redis-py RPUSHes a new id every 5 ms and prints each acknowledged one with its time.
  const hosts = tp.sentinels.map((s) => `('127.0.0.1', ${s.port})`).join(', ');
  const py = spawn(PYTHON3, [
    '-u',
    '-c',
    [
      'import sys, time',
      'from redis.sentinel import Sentinel',
      `s = Sentinel([${hosts}], socket_timeout=2)`,
      "m = s.master_for('mymaster', socket_timeout=2)",
      'i = 0',
      'while True:',
      '    i += 1',
      '    try:',
      "        m.rpush('py', i)",
      "        print('ack %d %.3f' % (i, time.time()), flush=True)",
      '    except Exception:',
      '        pass',
      '    time.sleep(0.005)',
    ].join('\n'),
  ]);
  let pyOut = '';
  py.stdout.on('data', (d: Buffer) => (pyOut += d.toString()));
  const pyExit = new Promise<void>((r) => py.on('exit', () => r()));

  const io = new Redis({ sentinels: tp.sentinels.map((s) => ({ host: '127.0.0.1', port: s.port })), name: 'mymaster', retryStrategy: () => 20, sentinelRetryStrategy: () => 20 });
  io.on('error', () => {});
  open.push(io);
  const nr = createSentinel({ name: 'mymaster', sentinelRootNodes: tp.sentinels.map((s) => ({ host: '127.0.0.1', port: s.port })) });
  nr.on('error', () => {});
  await nr.connect();
  const ioAcked: number[] = [];
  const nrAcked: number[] = [];
  let writing = true;
  const loop = async (push: (n: number) => Promise<unknown>, acked: number[]): Promise<void> => {
    for (let n = 1; writing; n++) {
      try {
        await push(n);
        acked.push(n);
      } catch {
        // not acknowledged: may be lost
      }
      await sleep(5);
    }
  };
  const writers = [loop((n) => io.rpush('io', String(n)), ioAcked), loop((n) => nr.rPush('nr', String(n)), nrAcked)];

  await sleep(1500);
  const durations: number[] = [];
  for (let i = 0; i < 5; i++) {
    const old = await masterPort(ts0.port);
    const leaderSide = i % 2 === 0 ? ts0 : ts1;
    const args = ['SENTINEL', 'FAILOVER', 'mymaster', 'COORDINATED'];
    let target: number | undefined;
    if (i === 1) {
      // TO the replica selection would not pick.
      const picked = String(asMap(await admin(leaderSide.port).call('SENTINEL', 'FAILOVER', 'mymaster', 'COORDINATED', 'DRYRUN')).get('selected'));
      target = all.map((s) => s.port).find((p) => p !== old && picked !== `127.0.0.1:${p}`);
      assert.ok(target, 'another replica');
      args.push('TO', '127.0.0.1', String(target));
    }
    const t0 = performance.now();
    assert.equal(await admin(leaderSide.port).call(...(args as [string, ...string[]])), 'OK');
    const now = await switched(old);
    durations.push(performance.now() - t0);
    if (target !== undefined) assert.equal(now, target, 'TO: the failover ended on the target');
    await waitFor(async () => (await redisCli(old, 'info', 'replication')).includes('role:slave'), 10000, `old master ${old} to report role:slave`);
    await sleep(1500);
  }
  writing = false;
  await Promise.all(writers);
  py.kill('SIGTERM');
  await pyExit;
  await nr.close().catch(() => {});

  const final = await masterPort(ts0.port);
  const check = admin(final);
  const onMaster = async (key: string): Promise<Set<string>> => new Set(await check.lrange(key, 0, -1));
  const pyLines = pyOut.split('\n').filter((l) => l.startsWith('ack '));
  const pyAcked = pyLines.map((l) => l.split(' ')[1]!);
  const times = pyLines.map((l) => Number(l.split(' ')[2]) * 1000);
  let maxGap = 0;
  for (let i = 1; i < times.length; i++) maxGap = Math.max(maxGap, times[i]! - times[i - 1]!);
  const onMasterPy = await onMaster('py');
  const onMasterIo = await onMaster('io');
  const onMasterNr = await onMaster('nr');
  const lostNow = {
    py: pyAcked.filter((n) => !onMasterPy.has(n)).length,
    io: ioAcked.filter((n) => !onMasterIo.has(String(n))).length,
    nr: nrAcked.filter((n) => !onMasterNr.has(String(n))).length,
  };
  const sorted = [...durations].sort((a, b) => a - b);
  ctx.diagnostic(`switchovers (ms to the new address on all 3 sentinels): ${durations.map((d) => d.toFixed(0)).join(', ')}; median ${sorted[2]!.toFixed(0)}`);
  ctx.diagnostic(`acknowledged: redis-py ${pyAcked.length}, ioredis ${ioAcked.length}, node-redis ${nrAcked.length}; lost ${JSON.stringify(lostNow)}; longest redis-py write gap ${maxGap.toFixed(0)} ms`);
  assert.ok(pyAcked.length > 500 && ioAcked.length > 500 && nrAcked.length > 500, `writers acknowledged ${pyAcked.length} / ${ioAcked.length} / ${nrAcked.length}`);
  assert.deepEqual(lostNow, { py: 0, io: 0, nr: 0 });
  // What this guards is the shape of the pause, not a speed: Valkey's sequence can hold writes for
  // the whole failover-timeout (10 s here); ours is a short lease. The gap a client sees is that
  // pause plus its own rediscovery (redis-py asks the sentinels again after the CLIENT KILL), so
  // the bound is half the failover-timeout, far from both (CI saw 2.2 s on a loaded machine).
  assert.ok(maxGap < 5000, `longest redis-py write gap ${maxGap.toFixed(0)} ms (failover-timeout 10000 ms)`);
});

test('COORDINATED TO an unknown or priority-0 replica, or with a bad option, is refused and changes nothing', { skip }, async () => {
  const tp = topo();
  const ts0 = tp.sentinels[0]!;
  const c = admin(ts0.port);
  const m = await masterPort(ts0.port);
  const replica = [tp.master, ...tp.replicas].find((s) => s.port !== m)!;
  const epoch = String(asMap(await c.call('SENTINEL', 'MASTER', 'mymaster')).get('config-epoch'));
  await assert.rejects(c.call('SENTINEL', 'FAILOVER', 'mymaster', 'COORDINATED', 'TO', '127.0.0.1', '1'), /^ReplyError: ERR 127\.0\.0\.1:1 is not a known replica of this master$/);
  await assert.rejects(c.call('SENTINEL', 'FAILOVER', 'mymaster', 'COORDINATED', 'COORDINATED'), /ERR Unknown failover option specified/);
  await redisCli(replica.port, 'config', 'set', 'replica-priority', '0');
  try {
    await waitFor(async () => {
      try {
        const plan = asMap(await c.call('SENTINEL', 'FAILOVER', 'mymaster', 'COORDINATED', 'TO', '127.0.0.1', String(replica.port), 'DRYRUN'));
        return String(plan.get('blocked-by')).includes('replica-priority is 0');
      } catch {
        return false;
      }
    }, 20000, 'the sentinel to see replica-priority 0');
    await assert.rejects(c.call('SENTINEL', 'FAILOVER', 'mymaster', 'COORDINATED', 'TO', '127.0.0.1', String(replica.port)), /NOGOODSLAVE 127\.0\.0\.1:\d+ cannot be promoted: its replica-priority is 0/);
  } finally {
    await redisCli(replica.port, 'config', 'set', 'replica-priority', '100');
  }
  // The next tests need it eligible again, as this sentinel sees it.
  await waitFor(async () => {
    const plan = asMap(await c.call('SENTINEL', 'FAILOVER', 'mymaster', 'COORDINATED', 'TO', '127.0.0.1', String(replica.port), 'DRYRUN'));
    return plan.get('would-start') === 1;
  }, 20000, 'the sentinel to see replica-priority 100 again');
  assert.equal(String(asMap(await c.call('SENTINEL', 'MASTER', 'mymaster')).get('config-epoch')), epoch);
  assert.equal(await masterPort(ts0.port), m);
});

test('a target that cannot catch up: the master gives up the hand-over and is unpaused at once, still master', { skip }, async (ctx) => {
  const tp = topo();
  const ts0 = tp.sentinels[0]!;
  const servers = [tp.master, ...tp.replicas];
  const m = await masterPort(ts0.port);
  const target = servers.find((s) => s.port !== m)!;
  const w = await watchEvents(ts0.port);
  try {
    target.sigstop();
    // A write the frozen target can never acknowledge.
    await admin(m).rpush('frozen', '1');
    const t0 = performance.now();
    assert.equal(await admin(ts0.port).call('SENTINEL', 'FAILOVER', 'mymaster', 'COORDINATED', 'TO', '127.0.0.1', String(target.port)), 'OK');
    await waitFor(() => w.events.find((e) => e.startsWith('-failover-abort-coordinated')), 15000, '-failover-abort-coordinated');
    const abortedAfter = performance.now() - t0;
    const info = await redisCli(m, 'info', 'replication');
    assert.ok(info.includes('role:master') && info.includes('master_failover_state:no-failover'), info);
    const latency = await setLatency(m);
    assert.ok(latency < 500, `a write after the abort took ${latency.toFixed(0)} ms (still paused?)`);
    assert.equal(await masterPort(ts0.port), m);
    assert.ok(abortedAfter < 8000, `aborted after ${abortedAfter.toFixed(0)} ms`);
    ctx.diagnostic(`aborted ${abortedAfter.toFixed(0)} ms after the request; a write then took ${latency.toFixed(0)} ms`);
  } finally {
    target.sigcont();
    w.stop();
  }
  await waitFor(async () => (await redisCli(target.port, 'info', 'replication')).includes('master_link_status:up'), 20000, 'the target to resync');
});

test('the leader killed in the middle of the hand-over: no server stays paused past the lease and the sync budget', { skip }, async (ctx) => {
  const tp = topo();
  const ts1 = tp.sentinels[1]!;
  const servers = [tp.master, ...tp.replicas];
  // Let the previous test's abort settle: this sentinel must see the master's FAILOVER over.
  await waitFor(async () => asMap(await admin(ts1.port).call('SENTINEL', 'FAILOVER', 'mymaster', 'COORDINATED', 'DRYRUN')).get('would-start') === 1, 20000, 'a coordinated failover to be possible again');
  const w = await watchEvents(ts1.port);
  try {
    assert.equal(await admin(ts1.port).call('SENTINEL', 'FAILOVER', 'mymaster', 'COORDINATED'), 'OK');
    await waitFor(() => w.events.find((e) => e.startsWith('+failover-state-wait-promotion')), 15000, 'the hand-over to be sent');
  } finally {
    w.stop();
  }
  await ts1.kill9();
  const t0 = performance.now();
  // Whoever is master now must take writes within the lease (1 s) plus the sync budget (3 s).
  const writable = await waitFor(async () => {
    for (const s of servers) {
      const info = await redisCli(s.port, 'info', 'replication').catch(() => '');
      if (!info.includes('role:master')) continue;
      if ((await setLatency(s.port)) < 1000) return s.port;
    }
    return null;
  }, 10000, 'a master that takes writes');
  const after = performance.now() - t0;
  ctx.diagnostic(`writes resumed ${after.toFixed(0)} ms after the leader died, on ${writable}`);
  assert.ok(after < 6000, `writes resumed ${after.toFixed(0)} ms after the leader died (on ${writable})`);
});
