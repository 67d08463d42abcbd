/**
 * SENTINEL FAILOVER <name> [TO <ip> <port>] [DRYRUN] against real processes (1 master, 2
 * replicas, 3 sentinel-ts): the dry run names the replica and the reasons, changes nothing (epoch,
 * config file bytes, events); TO refuses a priority-0 or unknown replica naming why; TO an eligible
 * replica that selection would not pick ends the failover there. sentinel-ts extensions: skipped
 * against redis-sentinel.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { Redis } from 'ioredis';
import { useSettledTopology } from '../helpers/fixture.js';
import { tsOnly } from '../helpers/sentinels.js';
import { sleep, waitFor } from '../helpers/wait.js';
import { pairsToMap, rawCommand, redisCli } from '../helpers/wire.js';

const { topo, client } = useSettledTopology();
const skip = tsOnly('TO and DRYRUN are sentinel-ts extensions of SENTINEL FAILOVER');

type Flat = unknown[];
const asMap = (v: unknown): Map<string, unknown> => pairsToMap(v);

async function dryRun(port: number, ...extra: string[]): Promise<Map<string, unknown>> {
  return asMap(await client(port).call('SENTINEL', 'FAILOVER', 'mymaster', ...extra, 'DRYRUN'));
}

function replicaEntry(plan: Map<string, unknown>, port: number): Map<string, unknown> {
  const list = (plan.get('replicas') as Flat).map(asMap);
  const r = list.find((x) => Number(x.get('port')) === port);
  assert.ok(r, `replica ${port} in the plan`);
  return r;
}

async function configEpoch(port: number): Promise<string> {
  const f = asMap(await client(port).call('SENTINEL', 'MASTER', 'mymaster'));
  return String(f.get('config-epoch'));
}

test('DRYRUN names the replica and why the others are out, and changes nothing', { skip }, async () => {
  const t = topo();
  const s0 = t.sentinels[0]!;
  const [r0, r1] = [t.replicas[0]!, t.replicas[1]!];
  await redisCli(r0.port, 'config', 'set', 'replica-priority', '0');
  const plan = await waitFor(
    async () => {
      const p = await dryRun(s0.port);
      return replicaEntry(p, r0.port).get('excluded-by') === 'priority-zero' ? p : null;
    },
    20000,
    'the dry run to see replica-priority 0',
  );
  assert.equal(plan.get('would-start'), 1);
  assert.equal(plan.get('mode'), 'forced');
  assert.equal(plan.get('selected'), `127.0.0.1:${r1.port}`);
  assert.equal(replicaEntry(plan, r0.port).get('reason'), 'its replica-priority is 0');
  assert.equal(replicaEntry(plan, r0.port).get('rank'), 0);
  assert.equal(replicaEntry(plan, r1.port).get('rank'), 1);
  const election = asMap(plan.get('election'));
  assert.equal(election.get('voters'), 3);
  assert.equal(election.get('votes-needed'), 2);
  assert.equal(election.get('peers-reachable'), 2);

  // Nothing changes: epoch, config file bytes, no event published.
  const events: string[] = [];
  const sub = client(s0.port);
  sub.on('pmessage', (_p: string, ch: string, msg: string) => events.push(`${ch} ${msg}`));
  await sub.psubscribe('*');
  const epochBefore = await configEpoch(s0.port);
  const fileBefore = fs.readFileSync(s0.confPath);
  for (let i = 0; i < 5; i++) await dryRun(s0.port);
  await dryRun(s0.port, 'TO', '127.0.0.1', String(r1.port));
  await sleep(300);
  assert.equal(await configEpoch(s0.port), epochBefore);
  assert.ok(fs.readFileSync(s0.confPath).equals(fileBefore), 'the config file is byte for byte the same');
  assert.deepEqual(events.filter((e) => !e.startsWith('__sentinel__')), []);

  // RESP3: a map.
  const raw = await rawCommand(s0.port, '*2\r\n$5\r\nHELLO\r\n$1\r\n3\r\n*4\r\n$8\r\nSENTINEL\r\n$8\r\nFAILOVER\r\n$8\r\nmymaster\r\n$6\r\nDRYRUN\r\n', 1000);
  assert.match(raw, /\r\n%10\r\n\$6\r\nmaster\r\n\$8\r\nmymaster\r\n/);
});

test('TO a priority-0 replica, an unknown address, or with bad options is refused and changes nothing', { skip }, async () => {
  const t = topo();
  const s0 = t.sentinels[0]!;
  const r0 = t.replicas[0]!;
  const c = client(s0.port);
  const epochBefore = await configEpoch(s0.port);
  await assert.rejects(c.call('SENTINEL', 'FAILOVER', 'mymaster', 'TO', '127.0.0.1', String(r0.port)), /^ReplyError: NOGOODSLAVE 127\.0\.0\.1:\d+ cannot be promoted: its replica-priority is 0$/);
  await assert.rejects(c.call('SENTINEL', 'FAILOVER', 'mymaster', 'TO', '127.0.0.1', '1'), /^ReplyError: ERR 127\.0\.0\.1:1 is not a known replica of this master$/);
  await assert.rejects(c.call('SENTINEL', 'FAILOVER', 'mymaster', 'TO', '127.0.0.1', 'x'), /ERR Invalid port 'x' for TO/);
  await assert.rejects(c.call('SENTINEL', 'FAILOVER', 'mymaster', 'SOON'), /ERR Unknown failover option specified/);
  await assert.rejects(c.call('SENTINEL', 'FAILOVER', 'mymaster', 'TO', '127.0.0.1'), /ERR TO needs an address and a port/);
  assert.equal(await configEpoch(s0.port), epochBefore);
  const flags = String(asMap(await c.call('SENTINEL', 'MASTER', 'mymaster')).get('flags'));
  assert.doesNotMatch(flags, /failover_in_progress/);
});

test('TO an eligible replica that selection would not pick: the failover ends there, on every sentinel', { skip }, async () => {
  const t = topo();
  const s0 = t.sentinels[0]!;
  const [r0, r1] = [t.replicas[0]!, t.replicas[1]!];
  await redisCli(r0.port, 'config', 'set', 'replica-priority', '100');
  await redisCli(r1.port, 'config', 'set', 'replica-priority', '10');
  // Selection now prefers r1 (lower priority); TO asks for r0.
  await waitFor(async () => (await dryRun(s0.port)).get('selected') === `127.0.0.1:${r1.port}` && replicaEntry(await dryRun(s0.port), r0.port).get('eligible') === 1, 20000, 'r1 preferred and r0 eligible');
  const plan = await dryRun(s0.port, 'TO', '127.0.0.1', String(r0.port));
  assert.equal(plan.get('selected'), `127.0.0.1:${r0.port}`);
  assert.equal(await client(s0.port).call('SENTINEL', 'FAILOVER', 'mymaster', 'TO', '127.0.0.1', String(r0.port)), 'OK');
  for (const s of t.sentinels) {
    await waitFor(async () => (await redisCli(s.port, 'sentinel', 'get-master-addr-by-name', 'mymaster')).includes(String(r0.port)), 20000, `sentinel ${s.port} to name ${r0.port}`);
  }
  await waitFor(async () => (await redisCli(r0.port, 'info', 'replication')).includes('role:master'), 10000, 'the target to be master');
  const probe = new Redis({ port: r1.port, maxRetriesPerRequest: 1 }).on('error', () => {});
  try {
    await waitFor(async () => (await probe.info('replication')).includes(`master_port:${r0.port}`), 20000, 'the other replica to follow the target');
  } finally {
    probe.disconnect();
  }
});
