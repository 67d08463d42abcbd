/**
 * Failovers with real processes: 1 redis-server master, 2 replicas, 3 sentinels (sentinel-ts, or
 * redis-sentinel with SENTINEL_IMPL=redis), down-after 1000 ms, failover-timeout 10000 ms.
 *
 * - kill -9 of the master: every sentinel names the promoted replica within 15 s, that replica is
 *   a master, the other replica follows it, +switch-master carries the exact payload, and the old
 *   master, restarted on its port as a master, is turned into a replica of the new one;
 * - SENTINEL FAILOVER moves the master, and a second one while it runs answers INPROG.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { Redis } from 'ioredis';
import { redisCli, startTopology, waitFor } from '../helpers/processes.js';
import type { RedisServer, Topology } from '../helpers/processes.js';

let t: Topology | undefined;
const clients: Redis[] = [];

function topo(): Topology {
  assert.ok(t, 'the topology started');
  return t;
}

function client(port: number): Redis {
  const c = new Redis({ port, host: '127.0.0.1', maxRetriesPerRequest: 2 });
  c.on('error', () => {});
  clients.push(c);
  return c;
}

before(async () => {
  t = await startTopology({ replicas: 2, sentinels: 3, downAfterMs: 1000, failoverTimeoutMs: 10000 });
  for (const s of t.sentinels) {
    const want = `status=ok,address=127.0.0.1:${t.master.port},slaves=2,sentinels=3`;
    await waitFor(async () => (await redisCli(s.port, 'info', 'sentinel')).includes(want), 15000, `${want} on sentinel ${s.port}`);
  }
});

after(async () => {
  for (const c of clients) c.disconnect();
  await t?.stopAll();
});

/** `ip:port` of the master according to each sentinel, in sentinel order. */
async function masterAddrs(): Promise<string[]> {
  return Promise.all(topo().sentinels.map(async (s) => (await redisCli(s.port, 'sentinel', 'get-master-addr-by-name', 'mymaster')).trim().replace('\n', ':')));
}

/** Waits until every sentinel names the same master, other than `not`; returns its port. */
async function agreedMasterOtherThan(not: string, timeoutMs: number, what: string): Promise<number> {
  let last: string[] = [];
  try {
    const addrs = await waitFor(async () => {
      last = await masterAddrs();
      return last.every((x) => x === last[0] && x !== not) ? last : null;
    }, timeoutMs, what);
    return Number(addrs[0]!.split(':')[1]);
  } catch (e) {
    throw new Error(`${(e as Error).message}; the sentinels last named ${JSON.stringify(last)}`);
  }
}

const replicationOf = async (port: number): Promise<string> => redisCli(port, 'info', 'replication');

/** Runs `step`; when it fails, the error carries the end of every sentinel's log. */
async function withLogs<T>(step: () => Promise<T>): Promise<T> {
  try {
    return await step();
  } catch (e) {
    const logs = topo()
      .sentinels.map((s) => `--- ${s.impl} sentinel :${s.port} (${s.dir}/log.txt) ---\n${s.log().trimEnd().split('\n').slice(-40).join('\n')}`)
      .join('\n');
    (e as Error).message += `\n${logs}`;
    throw e;
  }
}

test('kill -9 of the master: a replica is promoted, the other follows, the old master rejoins as a replica', () => withLogs(async () => {
  const tp = topo();
  const switches: string[] = [];
  const sub = client(tp.sentinels[0]!.port);
  sub.on('message', (_channel: string, message: string) => switches.push(message));
  await sub.subscribe('+switch-master');

  const old = tp.master;
  const killedAt = Date.now();
  await old.kill9();
  const newPort = await agreedMasterOtherThan(`127.0.0.1:${old.port}`, 15000, 'every sentinel to name a new master within 15 s of kill -9');
  const promoted = tp.replicas.find((r) => r.port === newPort);
  assert.ok(promoted, `the new master ${newPort} is one of the replicas (${tp.replicas.map((r) => r.port).join(', ')})`);
  assert.match(await replicationOf(newPort), /^role:master\r?$/m, 'the promoted replica reports role:master');
  const other = tp.replicas.find((r) => r !== promoted)!;
  await waitFor(async () => {
    const info = await replicationOf(other.port);
    return /^role:slave\r?$/m.test(info) && info.includes(`master_port:${newPort}\r\n`);
  }, 15000, `the other replica ${other.port} to follow the new master ${newPort}`);

  // The exact payload: name, old address, new address; no type prefix, no "@" part.
  const payload = `mymaster 127.0.0.1 ${old.port} 127.0.0.1 ${newPort}`;
  await waitFor(() => switches.includes(payload), Math.max(1000, 15000 - (Date.now() - killedAt)), `+switch-master ${payload} (seen: ${JSON.stringify(switches)})`);

  // The old master comes back on its port believing it is a master, and is turned into a replica.
  await old.restart();
  assert.match(await replicationOf(old.port), /^role:master\r?$/m, 'the old master restarts as a master');
  await waitFor(async () => {
    const info = await replicationOf(old.port);
    return /^role:slave\r?$/m.test(info) && info.includes(`master_port:${newPort}\r\n`);
  }, 30000, `the restarted old master ${old.port} to be converted into a replica of ${newPort}`);

  tp.master = promoted;
  tp.replicas = [other, old];
}));

test('SENTINEL FAILOVER moves the master; a second one meanwhile answers INPROG', () => withLogs(async () => {
  const tp = topo();
  const s = client(tp.sentinels[1]!.port);
  const before = `127.0.0.1:${tp.master.port}`;
  assert.deepEqual(await masterAddrs(), tp.sentinels.map(() => before), 'the sentinels agree on the master before the manual failover');

  // Both commands in one write: the second is handled while the first failover has just started,
  // however fast it runs. The first may be refused while no replica qualifies yet (NOGOOD): retry.
  let second = '';
  await waitFor(async () => {
    const r = await s.pipeline().call('SENTINEL', 'FAILOVER', 'mymaster').call('SENTINEL', 'FAILOVER', 'mymaster').exec();
    const [first, again] = r ?? [];
    if (!first || first[0]) return false;
    assert.equal(first[1], 'OK');
    second = again?.[0] ? (again[0] as Error).message : String(again?.[1]);
    return true;
  }, 15000, 'SENTINEL FAILOVER mymaster to be accepted');
  assert.equal(second, 'INPROG Failover already in progress');

  const newPort = await agreedMasterOtherThan(before, 20000, 'every sentinel to name the manually promoted master');
  const promoted: RedisServer | undefined = tp.replicas.find((r) => r.port === newPort);
  assert.ok(promoted, `the new master ${newPort} was a replica`);
  await waitFor(async () => /^role:master\r?$/m.test(await replicationOf(newPort)), 10000, `${newPort} to report role:master`);
  await waitFor(async () => (await replicationOf(tp.master.port)).includes(`master_port:${newPort}\r\n`), 20000, `the demoted master ${tp.master.port} to replicate from ${newPort}`);
}));

test('nothing was written to stderr', () => {
  for (const s of topo().sentinels) assert.equal(s.stderr(), '', `stderr of the ${s.impl} sentinel on ${s.port}`);
});
