/**
 * Planned switchover benchmark: real redis-servers (a master and 2 replicas) and 3 sentinels, an
 * ioredis client RPUSHing a new id every 5 ms through the sentinels, and R switchovers:
 *   sentinel-ts:    SENTINEL FAILOVER mymaster COORDINATED (issued to each sentinel in turn);
 *   redis-sentinel: SENTINEL FAILOVER mymaster (its only kind), in the same run.
 * For each switchover: the pause (the longest gap between two acknowledged writes from the
 * command until 2 s after every sentinel names the new master), the time until every sentinel
 * names it; at the end, the acknowledged ids missing from the final master (lost writes).
 * A plain failover leaves the old master taking writes until it is converted, so each redis
 * round also waits for that conversion (about 10 s) before the next one.
 *
 * Usage: node dist/bench/switchover.js [--rounds R] [--redis-rounds R2] [--impl ts|redis|both]
 */
import { Redis } from 'ioredis';
import { removeTempDir } from '../test/helpers/pids.js';
import { startRedis } from '../test/helpers/redis-server.js';
import type { RedisServer } from '../test/helpers/redis-server.js';
import { startSentinel } from '../test/helpers/sentinels.js';
import type { SentinelProcess } from '../test/helpers/sentinels.js';
import { sleep, waitFor } from '../test/helpers/wait.js';
import { redisCli } from '../test/helpers/wire.js';

delete process.env['SENTINEL_IMPL'];

interface Args {
  rounds: number;
  redisRounds: number;
  impl: 'ts' | 'redis' | 'both';
}

function parseArgs(): Args {
  const a: Args = { rounds: 100, redisRounds: 10, impl: 'both' };
  const argv = process.argv.slice(2);
  for (let i = 0; i < argv.length; i += 2) {
    const v = argv[i + 1] ?? '';
    if (argv[i] === '--rounds') a.rounds = Number(v);
    else if (argv[i] === '--redis-rounds') a.redisRounds = Number(v);
    else if (argv[i] === '--impl') a.impl = v as Args['impl'];
    else throw new Error(`unknown argument ${argv[i]}`);
  }
  return a;
}

interface Result {
  pauses: number[];
  switches: number[];
  acked: number;
  lost: number;
}

async function masterOf(port: number): Promise<number> {
  return Number((await redisCli(port, 'sentinel', 'get-master-addr-by-name', 'mymaster')).trim().split('\n')[1]);
}

async function run(impl: 'ts' | 'redis', rounds: number): Promise<Result> {
  const started: (RedisServer | SentinelProcess)[] = [];
  try {
    const master = await startRedis();
    started.push(master);
    for (let i = 0; i < 2; i++) started.push(await startRedis({ replicaOf: master.port }));
    const sentinels: SentinelProcess[] = [];
    for (let i = 0; i < 3; i++) {
      const s = await startSentinel({
        impl,
        lines: [`sentinel monitor mymaster 127.0.0.1 ${master.port} 2`, 'sentinel down-after-milliseconds mymaster 5000', 'sentinel failover-timeout mymaster 10000'],
      });
      started.push(s);
      sentinels.push(s);
    }
    for (const s of sentinels) await waitFor(async () => (await redisCli(s.port, 'info', 'sentinel')).includes('slaves=2,sentinels=3'), 30000, 'topology');
    const client = new Redis({ sentinels: sentinels.map((s) => ({ host: '127.0.0.1', port: s.port })), name: 'mymaster', retryStrategy: () => 20, sentinelRetryStrategy: () => 20 });
    client.on('error', () => {});
    const acks: { id: number; at: number }[] = [];
    let writing = true;
    const writer = (async () => {
      for (let id = 1; writing; id++) {
        client
          .rpush('ids', String(id))
          .then(() => acks.push({ id, at: performance.now() }))
          .catch(() => {});
        await sleep(5);
      }
    })();
    await sleep(1500);
    const pauses: number[] = [];
    const switches: number[] = [];
    for (let r = 0; r < rounds; r++) {
      const old = await masterOf(sentinels[0]!.port);
      const via = sentinels[impl === 'ts' ? r % 3 : 0]!;
      const t0 = performance.now();
      const reply = await redisCli(via.port, 'sentinel', 'failover', 'mymaster', ...(impl === 'ts' ? ['coordinated'] : []));
      if (!reply.startsWith('OK')) throw new Error(`round ${r + 1}: ${reply.trim()}`);
      for (const s of sentinels) await waitFor(async () => (await masterOf(s.port)) !== old, 30000, 'the switch');
      switches.push(performance.now() - t0);
      // The old master must be a replica before the next round (a plain failover converts it ~10 s later).
      await waitFor(async () => (await redisCli(old, 'info', 'replication')).includes('role:slave'), 60000, 'the old master to follow');
      await sleep(impl === 'ts' ? 2000 : 3000);
      const window = acks.filter((a) => a.at >= t0 - 50);
      const before = acks.filter((a) => a.at < t0).pop();
      let last = before ? before.at : t0;
      let gap = 0;
      for (const a of window) {
        gap = Math.max(gap, a.at - last);
        last = a.at;
      }
      pauses.push(gap);
      process.stdout.write(`${impl === 'ts' ? 'sentinel-ts coordinated' : 'redis-sentinel plain   '} round ${r + 1}: switch ${switches[r]!.toFixed(0)} ms, pause ${gap.toFixed(0)} ms\n`);
    }
    writing = false;
    await writer;
    await sleep(1000);
    client.disconnect();
    const final = new Redis({ port: await masterOf(sentinels[0]!.port) });
    const on = new Set(await final.lrange('ids', 0, -1));
    final.disconnect();
    const lost = acks.filter((a) => !on.has(String(a.id))).length;
    return { pauses, switches, acked: acks.length, lost };
  } finally {
    await Promise.all(started.map((p) => p.stop()));
    for (const p of started) removeTempDir(p.dir);
  }
}

function stats(xs: number[]): string {
  const s = [...xs].sort((a, b) => a - b);
  const q = (p: number): number => s[Math.min(s.length - 1, Math.floor(p * s.length))]!;
  return `${s[0]!.toFixed(0)} / ${q(0.5).toFixed(0)} / ${s[s.length - 1]!.toFixed(0)}`;
}

async function main(): Promise<void> {
  const args = parseArgs();
  const rows: [string, Result][] = [];
  if (args.impl !== 'redis') rows.push(['sentinel-ts COORDINATED', await run('ts', args.rounds)]);
  if (args.impl !== 'ts') rows.push(['redis-sentinel FAILOVER', await run('redis', args.redisRounds)]);
  process.stdout.write('\nplanned switchovers under an ioredis writer (RPUSH every 5 ms); ms min / median / max\n');
  for (const [name, r] of rows) {
    process.stdout.write(
      `${name.padEnd(25)} rounds ${r.pauses.length}  pause ${stats(r.pauses).padEnd(18)} switch ${stats(r.switches).padEnd(18)} acknowledged ${r.acked}, lost ${r.lost}\n`,
    );
  }
}

main().then(
  () => process.exit(0),
  (e: unknown) => {
    process.stdout.write(`benchmark failed: ${(e as Error).stack ?? String(e)}\n`);
    process.exit(1);
  },
);
