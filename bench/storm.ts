/**
 * The reconnect storm, sentinel-ts beside redis-sentinel in the same run: N clients (default
 * 5000) connect to one sentinel at once (as when every application instance of a fleet
 * reconnects after a network blip), each sends `SENTINEL get-master-addr-by-name mymaster` (raw
 * RESP over node:net, no client library) as soon as it is connected and waits for the reply.
 * Both implementations monitor the same single master, one real redis-server; each round starts
 * a fresh sentinel of each implementation (ts, redis, ts, redis ... for R rounds) with
 * `maxclients N+100`, lets it settle for a second, and then:
 *   storm ms:     from the first connect() call until every client got a correct reply (exactly
 *                 the master's ip and port): the last reply of any worker minus the first
 *                 connect() of any worker (workers start on the same absolute time);
 *   slowest:      the longest of the workers' own durations (first connect() to last reply);
 *   p50 / p99:    per-client time from the start to its correct reply;
 *   errors:       connections that did not get a correct reply: socket errors by code
 *                 (ECONNRESET, ECONNREFUSED, ...), error replies (e.g. max clients), wrong
 *                 replies, connections closed before the reply, timeouts (--timeout ms);
 *   overflows:    SYNs the kernel dropped because the sentinel's accept queue was full
 *                 (TcpExt ListenOverflows of /proc/net/netstat during the storm;
 *                 the counter is machine-wide, so other work could add to it); each costs its
 *                 client a SYN retransmission (1 s, then 2 s, ...): the usual cause of a long tail;
 *   rss:          the sentinel's resident memory before the storm and after it with all N
 *                 connections still open, and the difference per connection in KB.
 * A Node client is itself a bottleneck at these numbers, so the clients are split over K worker
 * processes (bench/storm-worker.ts, default 4) started beforehand and released together at one
 * absolute time. Workers, sentinel and redis-server share the machine's cores.
 *
 * The open-files limit (ulimit -n, read from /proc/self/limits) must cover the sentinel's N+100
 * clients plus its own files (the sentinel inherits it) and each worker's N/K sockets; the
 * benchmark refuses to start, saying so, when it is too low.
 *
 * Usage: node dist/bench/storm.js [--clients N] [--workers K] [--rounds R] [--impl ts|redis|both] [--timeout MS]
 *   defaults: --clients 5000 --workers 4 --rounds 3 --impl both --timeout 60000
 */
import type { ChildProcess } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { removeTempDir, rssMb, spawnTracked } from '../test/helpers/pids.js';
import { terminate } from '../test/helpers/managed.js';
import { startRedis } from '../test/helpers/redis-server.js';
import { startSentinel } from '../test/helpers/sentinels.js';
import type { SentinelImpl } from '../test/helpers/sentinels.js';
import { sleep, waitFor } from '../test/helpers/wait.js';
import { RespError } from './resp-lite.js';
import type { WorkerDone } from './storm-worker.js';
import { fmt, implLabel, implList, listenOverflows, median, openFilesLimit, parseOptions, percentile, printTable, ratio, request } from './util.js';

delete process.env['SENTINEL_IMPL'];

const USAGE = 'Usage: node dist/bench/storm.js [--clients N] [--workers K] [--rounds R] [--impl ts|redis|both] [--timeout MS]';
const WORKER_JS = path.join(path.dirname(fileURLToPath(import.meta.url)), 'storm-worker.js');
const now = (): number => performance.timeOrigin + performance.now();

interface Round {
  stormMs: number;
  slowestWorkerMs: number;
  p50: number;
  p99: number;
  connectP99: number;
  overflows: number;
  ok: number;
  errors: Record<string, number>;
  rssBefore: number;
  rssAfter: number;
  kbPerConn: number;
  /** The sentinel still answered PING after the storm. */
  alive: boolean;
}

interface Worker {
  child: ChildProcess;
  next(type: string): Promise<Record<string, unknown>>;
}

function startWorker(): Worker {
  const child = spawnTracked(process.execPath, [WORKER_JS], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const queue: Record<string, unknown>[] = [];
  const waiters: ((m: Record<string, unknown>) => void)[] = [];
  child.on('message', (m: Record<string, unknown>) => {
    const w = waiters.shift();
    if (w) w(m);
    else queue.push(m);
  });
  return {
    child,
    next: (type) =>
      new Promise((resolve, reject) => {
        const q = queue.shift();
        if (q) return q['type'] === type ? resolve(q) : reject(new Error(`worker sent ${String(q['type'])}, expected ${type}`));
        const onExit = (): void => reject(new Error(`worker exited (code ${child.exitCode}) while ${type} was awaited`));
        child.once('exit', onExit);
        waiters.push((m) => {
          child.removeListener('exit', onExit);
          if (m['type'] === type) resolve(m);
          else reject(new Error(`worker sent ${String(m['type'])}, expected ${type}`));
        });
      }),
  };
}

async function round(impl: SentinelImpl, masterPort: number, o: { clients: number; workers: number; timeout: number }): Promise<Round> {
  const s = await startSentinel({ impl, lines: [`sentinel monitor mymaster 127.0.0.1 ${masterPort} 2`, `maxclients ${o.clients + 100}`] });
  const workers: Worker[] = [];
  try {
    const expect = `*2\r\n$9\r\n127.0.0.1\r\n$${String(masterPort).length}\r\n${masterPort}\r\n`;
    await waitFor(async () => {
      const r = await request(s.port, 'SENTINEL', 'get-master-addr-by-name', 'mymaster');
      return Array.isArray(r) && r[1] === String(masterPort);
    }, 10000, `${implLabel(impl)} to answer get-master-addr-by-name`);
    await sleep(1000);
    const rssBefore = rssMb(s.pid);
    const per = Math.floor(o.clients / o.workers);
    for (let k = 0; k < o.workers; k++) workers.push(startWorker());
    workers.forEach((w, k) => {
      const count = per + (k < o.clients % o.workers ? 1 : 0);
      w.child.send({ type: 'prepare', port: s.port, count, expect, timeoutMs: o.timeout });
    });
    await Promise.all(workers.map((w) => w.next('ready')));
    const doneP = Promise.all(workers.map((w) => w.next('done') as unknown as Promise<WorkerDone>));
    const overflows0 = listenOverflows();
    const at = now() + 300;
    for (const w of workers) w.child.send({ type: 'go', at });
    const done = await doneP;
    const overflows = listenOverflows() - overflows0;
    await sleep(300);
    const alive = !s.exited && String(await request(s.port, 'PING').catch((e: Error) => new RespError(e.message))) === 'PONG';
    const rssAfter = s.exited ? NaN : rssMb(s.pid);
    const start = Math.min(...done.map((d) => d.start));
    const errors: Record<string, number> = {};
    for (const d of done) for (const [k, v] of Object.entries(d.errors)) errors[k] = (errors[k] ?? 0) + v;
    const okTimes = done.flatMap((d) => d.okTimes.map((t) => t + d.start - start)).sort((a, b) => a - b);
    const connectTimes = done.flatMap((d) => d.connectTimes.map((t) => t + d.start - start)).sort((a, b) => a - b);
    const ok = okTimes.length;
    return {
      stormMs: ok > 0 ? Math.max(...done.map((d) => d.lastOk).filter((x) => !Number.isNaN(x))) - start : NaN,
      slowestWorkerMs: Math.max(...done.map((d) => d.lastOk - d.start)),
      p50: percentile(okTimes, 0.5),
      p99: percentile(okTimes, 0.99),
      connectP99: percentile(connectTimes, 0.99),
      overflows,
      ok,
      errors,
      rssBefore,
      rssAfter,
      kbPerConn: ((rssAfter - rssBefore) * 1024) / o.clients,
      alive,
    };
  } finally {
    for (const w of workers) {
      if (w.child.connected) w.child.send({ type: 'close' });
    }
    await Promise.all(workers.map((w) => terminate(w.child, 'SIGTERM', 5000)));
    await s.kill9();
    removeTempDir(s.dir);
  }
}

async function main(): Promise<void> {
  const o = parseOptions({ clients: 5000, workers: 4, rounds: 3, impl: 'both', timeout: 60000 }, USAGE);
  const impls = implList(o.impl);
  const limit = openFilesLimit();
  // The sentinel inherits our limit: N+100 clients, plus its own files (redis reserves 32 more, and
  // lowers maxclients when the limit does not allow them); each worker needs N/K sockets.
  const need = o.clients + 100 + 64;
  process.stdout.write(`open files limit (ulimit -n): ${limit}; the sentinel needs about ${need}, each worker ${Math.ceil(o.clients / o.workers) + 32}\n`);
  if (!(limit >= need)) {
    process.stdout.write(`the open files limit ${limit} is TOO LOW for ${o.clients} clients: raise it (ulimit -n ${need} or more) or lower --clients\n`);
    process.exit(1);
  }
  const master = await startRedis();
  const results = new Map<SentinelImpl, Round[]>(impls.map((i) => [i, []]));
  try {
    process.stdout.write(
      `reconnect storm: ${o.clients} clients over ${o.workers} workers, each sends SENTINEL get-master-addr-by-name once connected; ` +
        `${o.rounds} rounds, ${impls.map(implLabel).join(' / ')} alternating (shared machine)\n\n`,
    );
    for (let r = 0; r < o.rounds; r++) {
      for (const impl of impls) {
        const x = await round(impl, master.port, o);
        results.get(impl)!.push(x);
        const errs = Object.entries(x.errors).map(([k, v]) => `${k} ${v}`).join(', ') || 'none';
        process.stdout.write(
          `round ${r + 1} ${implLabel(impl).padEnd(15)} storm ${fmt(x.stormMs)} ms (slowest worker ${fmt(x.slowestWorkerMs)} ms), ` +
            `reply p50 ${fmt(x.p50)} ms p99 ${fmt(x.p99)} ms, connect p99 ${fmt(x.connectP99)} ms, ${fmt(x.overflows)} listen overflows; ok ${x.ok}/${o.clients}, errors: ${errs}; ` +
            `rss ${fmt(x.rssBefore, 1)} -> ${fmt(x.rssAfter, 1)} MB (${fmt(x.kbPerConn, 1)} KB/conn)${x.alive ? '' : '; SENTINEL NOT ANSWERING AFTER THE STORM'}\n`,
        );
      }
    }
  } finally {
    await master.kill9();
    removeTempDir(master.dir);
  }
  process.stdout.write(`\nmedians of ${o.rounds} rounds (ratio = sentinel-ts / redis-sentinel; below 1 is better for times and memory)\n`);
  const med = (impl: SentinelImpl, f: (x: Round) => number): number => median(results.get(impl)?.map(f) ?? []);
  const errCount = (x: Round): number => Object.values(x.errors).reduce((a, b) => a + b, 0);
  const rows: [string, (x: Round) => number, number][] = [
    ['storm ms (all replies)', (x) => x.stormMs, 0],
    ['slowest worker ms', (x) => x.slowestWorkerMs, 0],
    ['reply p50 ms', (x) => x.p50, 0],
    ['reply p99 ms', (x) => x.p99, 0],
    ['connect p99 ms', (x) => x.connectP99, 0],
    ['listen overflows', (x) => x.overflows, 0],
    ['errors', errCount, 0],
    ['rss before MB', (x) => x.rssBefore, 1],
    ['rss with conns MB', (x) => x.rssAfter, 1],
    ['KB per connection', (x) => x.kbPerConn, 1],
  ];
  printTable(
    ['figure', 'sentinel-ts', 'redis-sentinel', 'ratio'],
    rows.map(([name, f, d]) => [name, fmt(med('ts', f), d), fmt(med('redis', f), d), ratio(med('ts', f), med('redis', f))]),
  );
  const dead = [...results].flatMap(([impl, rs]) => rs.filter((x) => !x.alive).map(() => implLabel(impl)));
  if (dead.length > 0) process.stdout.write(`\nNOT ANSWERING after a storm: ${dead.join(', ')}\n`);
}

main().then(
  () => process.exit(0),
  (e: unknown) => {
    process.stdout.write(`benchmark failed: ${(e as Error).stack ?? String(e)}\n`);
    process.exit(1);
  },
);
