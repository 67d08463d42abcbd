/**
 * Query throughput, sentinel-ts beside redis-sentinel in the same run. One real redis-server
 * master with 2 real replicas; one sentinel of each implementation monitors it (quorum 1, both
 * running throughout: they see each other, as two sentinels of one deployment would), and each
 * is queried once it reports `slaves=2` in INFO sentinel. For every query below and every
 * pipeline depth P (1 and 16 by default), Debian's redis-benchmark is run as
 *
 *   redis-benchmark -h 127.0.0.1 -p <sentinel port> -c <clients> -n <n> -P <P> -q --csv <query>
 *
 * alternately against sentinel-ts and redis-sentinel (ts, redis, ts, redis ... for R rounds),
 * and its requests per second (and p50 / p99 latency) are read from the CSV line. Queries:
 *   SENTINEL get-master-addr-by-name mymaster   (what every client library asks)
 *   PING
 *   SENTINEL replicas mymaster                  (a 2-entry list of ~40-field maps)
 *   INFO sentinel
 * Each query is first sent once by hand to both sentinels: an error reply stops the benchmark
 * (redis-benchmark would happily count errors as requests). Before the first measured run of a
 * query and P, each implementation gets one unmeasured warm-up run of --warmup requests (so
 * that sentinel-ts's JIT has compiled the path: the figures are for a warm server).
 * Prints every run, then per query and P the median rps of each implementation and the ratio
 * ours/redis (above 1: sentinel-ts serves more).
 *
 * redis-benchmark, the sentinel and the redis-servers share the machine's cores: the figures are
 * for comparing the two implementations under the same conditions, not absolute capacities.
 *
 * Usage: node dist/bench/query.js [--rounds R] [--n N] [--clients C] [--pipelines 1,16] [--warmup W] [--impl ts|redis|both]
 *   defaults: --rounds 3 --n 200000 --clients 50 --pipelines 1,16 --warmup 20000 --impl both
 */
import { execFile } from 'node:child_process';
import { removeTempDir } from '../test/helpers/pids.js';
import { startRedis } from '../test/helpers/redis-server.js';
import type { RedisServer } from '../test/helpers/redis-server.js';
import { startSentinel } from '../test/helpers/sentinels.js';
import type { SentinelImpl, SentinelProcess } from '../test/helpers/sentinels.js';
import { waitFor } from '../test/helpers/wait.js';
import { RespError } from './resp-lite.js';
import { fmt, implLabel, implList, median, parseOptions, printTable, ratio, request } from './util.js';

// Each column must measure the implementation it names: SENTINEL_IMPL=redis, which makes the
// test helpers start redis-sentinel for every sentinel, must not relabel sentinel-ts runs.
delete process.env['SENTINEL_IMPL'];

const USAGE = 'Usage: node dist/bench/query.js [--rounds R] [--n N] [--clients C] [--pipelines 1,16] [--warmup W] [--impl ts|redis|both]';
const REDIS_BENCHMARK = '/usr/bin/redis-benchmark';

const QUERIES: string[][] = [
  ['SENTINEL', 'get-master-addr-by-name', 'mymaster'],
  ['PING'],
  ['SENTINEL', 'replicas', 'mymaster'],
  ['INFO', 'sentinel'],
];

interface Run {
  rps: number;
  p50: number;
  p99: number;
}

/** Runs redis-benchmark once; its CSV data line is `"<test>","<rps>","<avg>","<min>","<p50>","<p95>","<p99>","<max>"`. */
function benchmark(port: number, clients: number, n: number, pipeline: number, query: string[]): Promise<Run> {
  const args = ['-h', '127.0.0.1', '-p', String(port), '-c', String(clients), '-n', String(n), '-P', String(pipeline), '-q', '--csv', ...query];
  return new Promise((resolve, reject) => {
    execFile(REDIS_BENCHMARK, args, { timeout: 600000, maxBuffer: 1 << 20 }, (err, stdout, stderr) => {
      if (err) return reject(new Error(`redis-benchmark ${args.join(' ')}: ${err.message}\n${stderr}`));
      const line = stdout
        .split('\n')
        .map((l) => l.trim())
        .find((l) => l.startsWith('"') && !l.startsWith('"test"'));
      const f = line?.split(',').map((x) => x.replace(/^"|"$/g, ''));
      if (!f || f.length < 8 || !(Number(f[1]) > 0)) return reject(new Error(`no figures in redis-benchmark output:\n${stdout}\n${stderr}`));
      if (/error/i.test(stderr)) process.stdout.write(`  redis-benchmark stderr: ${stderr.trim().split('\n').slice(0, 3).join(' | ')}\n`);
      resolve({ rps: Number(f[1]), p50: Number(f[4]), p99: Number(f[6]) });
    });
  });
}

async function main(): Promise<void> {
  const o = parseOptions({ rounds: 3, n: 200000, clients: 50, pipelines: '1,16', warmup: 20000, impl: 'both' }, USAGE);
  const impls = implList(o.impl);
  const pipelines = o.pipelines.split(',').map(Number);
  const servers: RedisServer[] = [];
  const sentinels = new Map<SentinelImpl, SentinelProcess>();
  try {
    const master = await startRedis();
    servers.push(master);
    for (let i = 0; i < 2; i++) servers.push(await startRedis({ replicaOf: master.port }));
    for (const impl of impls) {
      sentinels.set(impl, await startSentinel({ impl, lines: [`sentinel monitor mymaster 127.0.0.1 ${master.port} 1`] }));
    }
    for (const [impl, s] of sentinels) {
      await waitFor(async () => String(await request(s.port, 'INFO', 'sentinel')).includes('slaves=2'), 30000, `${implLabel(impl)} to report slaves=2`, 100);
      for (const q of QUERIES) {
        const r = await request(s.port, ...q);
        if (r instanceof RespError) throw new Error(`${implLabel(impl)} answers ${q.join(' ')} with an error: ${r.message}`);
      }
    }
    process.stdout.write(
      `query throughput: redis-benchmark -c ${o.clients} -n ${o.n}, P in {${pipelines.join(', ')}}, ${o.rounds} rounds, ` +
        `${impls.map(implLabel).join(' / ')} alternating (shared machine: compare, do not quote as capacity)\n\n`,
    );
    const results = new Map<string, Map<SentinelImpl, Run[]>>();
    for (const q of QUERIES) {
      for (const p of pipelines) {
        const key = `${q.join(' ')}\u0000${p}`;
        const byImpl = new Map<SentinelImpl, Run[]>(impls.map((i) => [i, []]));
        results.set(key, byImpl);
        if (o.warmup > 0) for (const impl of impls) await benchmark(sentinels.get(impl)!.port, o.clients, o.warmup, p, q);
        for (let r = 0; r < o.rounds; r++) {
          for (const impl of impls) {
            const run = await benchmark(sentinels.get(impl)!.port, o.clients, o.n, p, q);
            byImpl.get(impl)!.push(run);
            process.stdout.write(
              `${q.join(' ').padEnd(41)} P=${String(p).padEnd(3)} round ${r + 1} ${implLabel(impl).padEnd(15)} ` +
                `${fmt(run.rps).padStart(8)} rps  p50 ${run.p50.toFixed(3)} ms  p99 ${run.p99.toFixed(3)} ms\n`,
            );
          }
        }
        for (const [impl, s] of sentinels) if (s.exited) throw new Error(`${implLabel(impl)} exited during the benchmark (code ${s.exitCode})\n${s.stderr()}`);
      }
    }
    process.stdout.write(`\nmedians of ${o.rounds} rounds (requests per second; ratio = sentinel-ts / redis-sentinel)\n`);
    const rows: string[][] = [];
    for (const [key, byImpl] of results) {
      const [q, p] = key.split('\u0000') as [string, string];
      const med = (impl: SentinelImpl, f: keyof Run): number => median(byImpl.get(impl)?.map((r) => r[f]) ?? []);
      rows.push([q, p, fmt(med('ts', 'rps')), fmt(med('redis', 'rps')), ratio(med('ts', 'rps'), med('redis', 'rps')), `${fmt(med('ts', 'p99'), 3)} / ${fmt(med('redis', 'p99'), 3)}`]);
    }
    printTable(['query', 'P', 'ours rps', 'redis rps', 'ratio', 'p99 ms ours / redis'], rows);
  } finally {
    for (const s of sentinels.values()) await s.kill9();
    for (const s of servers) await s.kill9();
    for (const p of [...sentinels.values(), ...servers]) removeTempDir(p.dir);
  }
}

main().then(
  () => process.exit(0),
  (e: unknown) => {
    process.stdout.write(`benchmark failed: ${(e as Error).stack ?? String(e)}\n`);
    process.exit(1);
  },
);
