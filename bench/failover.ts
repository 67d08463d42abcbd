/**
 * Failover benchmark: real redis-servers (a master and 2 replicas) and 3 sentinels; the master
 * is killed with SIGKILL, R times, and we measure from the kill:
 *   sdown, odown, elected, promoted: first time any sentinel published the event;
 *   all-sentinels: every sentinel answers GET-MASTER-ADDR-BY-NAME with the new address;
 *   write gap: the longest pause between two acknowledged writes of an ioredis client
 *   writing every 10 ms through the sentinels.
 * With /usr/bin/redis-sentinel present, the same runs against it, and the ratios. The servers
 * are started, and killed afterwards, by the integration tests' helpers (test/helpers/).
 *
 * Usage: node dist/bench/failover.js [--rounds R] [--down-after MS] [--impl ts|redis|both] [--seed S] [--http]
 * --http: every sentinel-ts also serves its HTTP side (http-port), and /metrics, /v1/masters and
 * /healthz/ready of each are fetched every second throughout (a fast Prometheus and health checks), with an event-stream client on each
 * (to measure what the HTTP side costs a failover).
 */
import fs from 'node:fs';
import { Redis } from 'ioredis';
import { REDIS_SENTINEL } from '../test/helpers/paths.js';
import { removeTempDir } from '../test/helpers/pids.js';
import { freePort } from '../test/helpers/ports.js';
import { startRedis } from '../test/helpers/redis-server.js';
import type { RedisServer } from '../test/helpers/redis-server.js';
import { startSentinel } from '../test/helpers/sentinels.js';
import type { SentinelProcess } from '../test/helpers/sentinels.js';
import { sleep, waitFor } from '../test/helpers/wait.js';
import { mulberry32 } from '../test/sim/world.js';

/** How often the waits below poll, in ms: what the figures of earlier runs were measured with. */
const POLL_MS = 20;

// Each column must measure the implementation it names: SENTINEL_IMPL=redis, which makes the
// test helpers start redis-sentinel for every sentinel, must not relabel sentinel-ts runs.
delete process.env['SENTINEL_IMPL'];

interface Args {
  rounds: number;
  downAfter: number;
  impl: 'ts' | 'redis' | 'both';
  /** Seeds the kill offsets within the PING cycle (the same sequence for both implementations). */
  seed: number;
  http: boolean;
}

function parseArgs(): Args {
  const a: Args = { rounds: 5, downAfter: 1000, impl: 'both', seed: 1, http: false };
  const argv = process.argv.slice(2);
  for (let i = 0; i < argv.length; i += 2) {
    if (argv[i] === '--http') {
      a.http = true;
      i--;
      continue;
    }
    const v = argv[i + 1] ?? '';
    if (argv[i] === '--rounds') a.rounds = Number(v);
    else if (argv[i] === '--seed') a.seed = Number(v);
    else if (argv[i] === '--down-after') a.downAfter = Number(v);
    else if (argv[i] === '--impl') a.impl = v as Args['impl'];
    else throw new Error(`unknown argument ${argv[i]}`);
  }
  return a;
}

interface Round {
  sdown: number;
  odown: number;
  elected: number;
  promoted: number;
  allSentinels: number;
  writeGap: number;
}

async function round(impl: 'ts' | 'redis', downAfter: number, killOffsetMs: number, withHttp: boolean): Promise<Round> {
  const started: (RedisServer | SentinelProcess)[] = [];
  const httpPorts: number[] = [];
  let scraper: NodeJS.Timeout | null = null;
  const streams: AbortController[] = [];
  try {
    // redis-server with the settings of earlier runs: repl-diskless-sync-delay back to redis's
    // default (the test helpers set 0), as a replica that needs a full sync after the failover
    // delays the end of it.
    const redisArgs = ['--repl-diskless-sync-delay', '5'];
    const master = await startRedis({ args: redisArgs });
    started.push(master);
    for (let i = 0; i < 2; i++) started.push(await startRedis({ replicaOf: master.port, args: redisArgs }));
    const sentinelPorts: number[] = [];
    for (let i = 0; i < 3; i++) {
      const http = withHttp && impl === 'ts' ? await freePort() : 0;
      if (http) httpPorts.push(http);
      const s = await startSentinel({
        impl,
        lines: [
          ...(http ? [`http-port ${http}`] : []),
          `sentinel monitor mymaster 127.0.0.1 ${master.port} 2`,
          `sentinel down-after-milliseconds mymaster ${downAfter}`,
          'sentinel failover-timeout mymaster 10000',
        ],
      });
      started.push(s);
      sentinelPorts.push(s.port);
    }
    const admin = sentinelPorts.map((port) => new Redis({ port, maxRetriesPerRequest: 1 }).on('error', () => {}));
    await waitFor(
      async () => {
        for (const a of admin) {
          const info = await a.info('sentinel');
          if (!info.includes('slaves=2,sentinels=3')) return false;
        }
        return true;
      },
      20000,
      'sentinels to discover the topology',
      POLL_MS,
    );
    if (httpPorts.length > 0) {
      const get = (port: number, path: string): Promise<unknown> => fetch(`http://127.0.0.1:${port}${path}`).then((r) => r.text()).catch(() => null);
      scraper = setInterval(() => {
        for (const p of httpPorts) for (const path of ['/metrics', '/v1/masters', '/healthz/ready']) void get(p, path);
      }, 1000);
      for (const p of httpPorts) {
        const ac = new AbortController();
        streams.push(ac);
        void fetch(`http://127.0.0.1:${p}/v1/events/stream`, { signal: ac.signal })
          .then(async (r) => {
            for await (const _chunk of r.body ?? []) void _chunk;
          })
          .catch(() => {});
      }
    }
    // Events, timestamped as they arrive.
    const first = new Map<string, number>();
    const subs = sentinelPorts.map((port) => new Redis({ port }).on('error', () => {}));
    for (const s of subs) {
      s.on('pmessage', (_p: string, channel: string, message: string) => {
        const key = channel === '+sdown' || channel === '+odown' ? (message.startsWith('master ') ? channel : '') : channel;
        if (key && !first.has(key)) first.set(key, performance.now());
      });
      await s.psubscribe('*');
    }
    // A client writing every 10 ms through the sentinels.
    // Same client settings for both implementations: retry quickly, so that the gap measures
    // the sentinels and not the client's back-off.
    const client = new Redis({
      sentinels: sentinelPorts.map((port) => ({ host: '127.0.0.1', port })),
      name: 'mymaster',
      enableOfflineQueue: true,
      retryStrategy: () => 20,
      sentinelRetryStrategy: () => 20,
    }).on('error', () => {});
    await client.set('warm', '1');
    let lastAck = performance.now();
    let maxGap = 0;
    let writing = true;
    let seq = 0;
    const writer = (async () => {
      while (writing) {
        const n = seq++;
        client
          .set(`k${n % 100}`, String(n))
          .then(() => {
            const now = performance.now();
            if (now - lastAck > maxGap) maxGap = now - lastAck;
            lastAck = now;
          })
          .catch(() => {});
        await sleep(10);
      }
    })();
    // The kill lands at a seeded random point of the sentinels' PING cycle: without it the
    // harness's own fixed delays decide where in that cycle the master dies, and every figure
    // down to the failover end moves with that phase (by up to down-after for SDOWN).
    await sleep(1500 + killOffsetMs);
    maxGap = 0;
    const t0 = performance.now();
    master.signal('SIGKILL');
    const original = `127.0.0.1:${master.port}`;
    let allSentinels = NaN;
    await waitFor(
      async () => {
        const addrs = await Promise.all(admin.map((a) => a.call('SENTINEL', 'GET-MASTER-ADDR-BY-NAME', 'mymaster') as Promise<string[]>));
        if (addrs.every((x) => x && `${x[0]}:${x[1]}` !== original)) {
          allSentinels = performance.now() - t0;
          return true;
        }
        return false;
      },
      30000,
      'all sentinels to report the new master',
      POLL_MS,
    );
    // Let the client reach the new master and keep writing for a while.
    await waitFor(async () => performance.now() - lastAck < 50 && performance.now() - t0 > allSentinels + 500, 30000, 'writes to resume', POLL_MS);
    await sleep(1000);
    writing = false;
    await writer;
    const rel = (k: string): number => (first.has(k) ? first.get(k)! - t0 : NaN);
    const result: Round = {
      sdown: rel('+sdown'),
      odown: rel('+odown'),
      elected: rel('+elected-leader'),
      promoted: rel('+promoted-slave'),
      allSentinels,
      writeGap: maxGap,
    };
    client.disconnect();
    for (const x of [...admin, ...subs]) x.disconnect();
    return result;
  } finally {
    if (scraper) clearInterval(scraper);
    for (const ac of streams) ac.abort();
    await Promise.all(started.map((p) => p.kill9()));
    for (const p of started) removeTempDir(p.dir);
  }
}

function stats(xs: number[]): { min: number; median: number; max: number } {
  const s = xs.filter((x) => !Number.isNaN(x)).sort((a, b) => a - b);
  if (s.length === 0) return { min: NaN, median: NaN, max: NaN };
  const mid = Math.floor(s.length / 2);
  const median = s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
  return { min: s[0]!, median, max: s[s.length - 1]! };
}

async function main(): Promise<void> {
  const args = parseArgs();
  const impls: ('ts' | 'redis')[] = args.impl === 'both' ? ['ts', 'redis'] : [args.impl];
  if (impls.includes('redis') && !fs.existsSync(REDIS_SENTINEL)) {
    process.stdout.write(`${REDIS_SENTINEL} not found: measuring sentinel-ts only\n`);
    impls.splice(impls.indexOf('redis'), 1);
  }
  const metrics: (keyof Round)[] = ['sdown', 'odown', 'elected', 'promoted', 'allSentinels', 'writeGap'];
  const results = new Map<string, Round[]>();
  for (const impl of impls) {
    const rs: Round[] = [];
    // The same kill offsets for both implementations.
    const rng = mulberry32(args.seed);
    for (let i = 0; i < args.rounds; i++) {
      const r = await round(impl, args.downAfter, Math.floor(rng() * args.downAfter), args.http);
      rs.push(r);
      process.stdout.write(
        `${impl === 'ts' ? 'sentinel-ts   ' : 'redis-sentinel'} round ${i + 1}: ` + metrics.map((m) => `${m} ${r[m].toFixed(0)}`).join(', ') + ' ms\n',
      );
    }
    results.set(impl, rs);
  }
  process.stdout.write(`\nms from kill -9 of the master (down-after-milliseconds ${args.downAfter}, ${args.rounds} rounds): min / median / max\n`);
  process.stdout.write(`${'metric'.padEnd(14)}${impls.map((i) => (i === 'ts' ? 'sentinel-ts' : 'redis-sentinel').padEnd(22)).join('')}${impls.length === 2 ? 'median ratio' : ''}\n`);
  for (const m of metrics) {
    const cols = impls.map((i) => stats(results.get(i)!.map((r) => r[m])));
    const line = cols.map((c) => `${c.min.toFixed(0)} / ${c.median.toFixed(0)} / ${c.max.toFixed(0)}`.padEnd(22)).join('');
    const ratio = cols.length === 2 ? (cols[0]!.median / cols[1]!.median).toFixed(2) : '';
    process.stdout.write(`${m.padEnd(14)}${line}${ratio}\n`);
  }
}

main().then(
  () => process.exit(0),
  (e: unknown) => {
    process.stdout.write(`benchmark failed: ${(e as Error).stack ?? String(e)}\n`);
    process.exit(1);
  },
);
