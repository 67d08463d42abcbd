/**
 * Minority fencing (sentinel-ts's opt-in `fence-minority`) against real processes on loopback:
 * a master with two replicas and three sentinels (two sentinel-ts, one redis-sentinel). Freezing
 * both peers (SIGSTOP) leaves the first sentinel with the master and no majority: the peers stop
 * answering it and stop talking to the master, which is what a partition looks like from the
 * master's side. The partition tests in network namespaces (test/partition/) cover real network
 * cuts; these cover the configuration surface, the real CLIENT PAUSE and its lease.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { setLatency, watchEvents } from '../helpers/events.js';
import { useSettledTopology } from '../helpers/fixture.js';
import { tsOnly } from '../helpers/sentinels.js';
import { waitFor } from '../helpers/wait.js';
import { pairsToMap, redisCli } from '../helpers/wire.js';

const skip = tsOnly('fence-minority is a sentinel-ts extension');
// down-after well above the freezes below: the peers must not fail the master over meanwhile.
const { topo, client: admin } = useSettledTopology({ skip, impls: ['ts', 'ts', 'redis'], downAfterMs: 8000 });

const masterFields = async (port: number): Promise<Map<string, unknown>> => pairsToMap(await admin(port).call('SENTINEL', 'MASTER', 'mymaster'));

test('fence-minority and fence-after-milliseconds: SENTINEL SET, SENTINEL MASTER, INFO, the config file; bad values refused', { skip }, async () => {
  const ts0 = topo().sentinels[0]!;
  const c = admin(ts0.port);
  // Off by default: SENTINEL MASTER and INFO are redis-sentinel's.
  assert.equal((await masterFields(ts0.port)).has('fence-minority'), false);
  assert.ok(!(await redisCli(ts0.port, 'info', 'sentinel')).includes('sentinel_fences'));
  await assert.rejects(c.call('SENTINEL', 'SET', 'mymaster', 'fence-minority', 'maybe'), /ERR Invalid argument 'maybe' for SENTINEL SET 'fence-minority'/);
  await assert.rejects(c.call('SENTINEL', 'SET', 'mymaster', 'fence-after-milliseconds', '0'), /ERR Invalid argument '0' for SENTINEL SET 'fence-after-milliseconds'/);
  assert.equal((await masterFields(ts0.port)).has('fence-minority'), false, 'a refused SET changes nothing');
  assert.ok(!ts0.conf().includes('fence-'));

  assert.equal(await c.call('SENTINEL', 'SET', 'mymaster', 'fence-minority', 'yes'), 'OK');
  let f = await masterFields(ts0.port);
  assert.equal(f.get('fence-minority'), 'yes');
  assert.equal(f.get('fence-after-milliseconds'), '8000', 'defaults to down-after-milliseconds');
  assert.equal(f.get('fence-state'), 'off');
  assert.equal(await c.call('SENTINEL', 'SET', 'mymaster', 'fence-after-milliseconds', '1000'), 'OK');
  f = await masterFields(ts0.port);
  assert.equal(f.get('fence-after-milliseconds'), '1000');
  const conf = ts0.conf();
  assert.match(conf, /^sentinel fence-minority mymaster yes$/m);
  assert.match(conf, /^sentinel fence-after-milliseconds mymaster 1000$/m);
  const info = await redisCli(ts0.port, 'info', 'sentinel');
  assert.match(info, /sentinel_fenced_masters:0/);
  assert.match(info, /sentinel_fences_total:0/);
});

test('both peers frozen: +fence, writes on the master wait; thawed: the peers confirm the master, -fence, writes flow', { skip }, async (ctx) => {
  const tp = topo();
  const [ts0, ts1, rs2] = tp.sentinels as [typeof tp.sentinels[0], typeof tp.sentinels[0], typeof tp.sentinels[0]];
  const w = await watchEvents(ts0.port);
  try {
    assert.ok((await setLatency(tp.master.port)) < 500, 'writes flow before');
    const t0 = performance.now();
    ts1.sigstop();
    rs2.sigstop();
    const fenced = await waitFor(() => w.events.find((e) => e.startsWith('+fence ')), 15000, '+fence');
    const fencedAfter = performance.now() - t0;
    assert.equal(fenced, `+fence master mymaster 127.0.0.1 ${tp.master.port} #1/3 sentinels reachable, 0 peers reach the master`);
    // A write now waits for the pause (CLIENT PAUSE WRITE): it does not come back within 1 s.
    await assert.rejects(setLatency(tp.master.port, 1000), /timed out/i);
    const f = await masterFields(ts0.port);
    assert.equal(f.get('fence-state'), 'fenced');
    assert.match(String(f.get('flags')), /fenced/);
    assert.match(await redisCli(ts0.port, 'info', 'sentinel'), /sentinel_fenced_masters:1/);
    // Reads are not paused.
    assert.match(await redisCli(tp.master.port, 'get', 'probe'), /.*/);

    const t1 = performance.now();
    ts1.sigcont();
    rs2.sigcont();
    const lifted = await waitFor(() => w.events.find((e) => e.startsWith('-fence ')), 15000, '-fence');
    const liftedAfter = performance.now() - t1;
    assert.match(lifted, new RegExp(`^-fence master mymaster 127\\.0\\.0\\.1 ${tp.master.port} #confirmed by a majority at config epoch \\d+$`));
    assert.ok((await setLatency(tp.master.port)) < 500, 'writes flow after');
    assert.equal((await masterFields(ts0.port)).get('fence-state'), 'off');
    assert.match(await redisCli(ts0.port, 'info', 'sentinel'), /sentinel_fences_total:1/);
    // Fencing never starts a failover: nobody switched.
    assert.ok(!w.events.some((e) => e.startsWith('+switch-master') || e.startsWith('+try-failover')), w.events.join('\n'));
    ctx.diagnostic(`fenced ${fencedAfter.toFixed(0)} ms after the freeze; lifted ${liftedAfter.toFixed(0)} ms after the thaw`);
  } finally {
    ts1.sigcont();
    rs2.sigcont();
    w.stop();
  }
});

test('the fencing sentinel killed (SIGKILL) while it holds the fence: the lease lapses and writes resume within it', { skip }, async (ctx) => {
  const tp = topo();
  const [ts0, ts1, rs2] = tp.sentinels as [typeof tp.sentinels[0], typeof tp.sentinels[0], typeof tp.sentinels[0]];
  // The previous test's fence must be over, as this sentinel sees it.
  await waitFor(async () => (await masterFields(ts0.port)).get('fence-state') === 'off', 15000, 'no fence');
  const w = await watchEvents(ts0.port);
  try {
    ts1.sigstop();
    rs2.sigstop();
    await waitFor(() => w.events.find((e) => e.startsWith('+fence ')), 15000, '+fence');
    w.stop();
    await ts0.kill9();
    const t0 = performance.now();
    // The last renewal was at most ~600 ms before the kill, for 2000 ms: a write sent now is
    // answered once that lease ends.
    const latency = await setLatency(tp.master.port, 10000);
    const resumed = performance.now() - t0;
    ctx.diagnostic(`a write sent right after the kill was answered after ${latency.toFixed(0)} ms`);
    assert.ok(resumed < 2000 + 1000, `writes resumed ${resumed.toFixed(0)} ms after the kill (lease 2000 ms)`);
    assert.match(await redisCli(tp.master.port, 'info', 'replication'), /role:master/);
  } finally {
    ts1.sigcont();
    rs2.sigcont();
    w.stop();
  }
});
