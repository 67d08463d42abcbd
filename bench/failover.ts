/**
 * Failover benchmark: real redis-servers (a master and 2 replicas) and 3 sentinels; the master
 * is killed with SIGKILL, R times, and we measure from the kill:
 *   sdown, odown, elected, promoted: first time any sentinel published the event;
 *   all-sentinels: every sentinel answers GET-MASTER-ADDR-BY-NAME with the new address;
 *   write gap: the longest pause between two acknowledged writes of an ioredis client
 *   writing every 10 ms through the sentinels.
 * With /usr/bin/redis-sentinel present, the same runs against it, and the ratios.
 *
 * Usage: node dist/bench/failover.js [--rounds R] [--down-after MS] [--impl ts|redis|both]
 */
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Redis } from 'ioredis';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const TS_BIN = path.join(ROOT, 'bin/sentinel-ts');
const REDIS_SENTINEL = '/usr/bin/redis-sentinel';

interface Args {
  rounds: number;
  downAfter: number;
  impl: 'ts' | 'redis' | 'both';
}

function parseArgs(): Args {
  const a: Args = { rounds: 5, downAfter: 1000, impl: 'both' };
  const argv = process.argv.slice(2);
  for (let i = 0; i < argv.length; i += 2) {
    const v = argv[i + 1] ?? '';
    if (argv[i] === '--rounds') a.rounds = Number(v);
    else if (argv[i] === '--down-after') a.downAfter = Number(v);
    else if (argv[i] === '--impl') a.impl = v as Args['impl'];
    else throw new Error(`unknown argument ${argv[i]}`);
  }
  return a;
}

const children = new Set<ChildProcess>();
function killAll(): void {
  for (const c of children) {
    try {
      c.kill('SIGKILL');
    } catch {
      // already gone
    }
  }
  children.clear();
}
process.on('exit', killAll);
process.on('SIGINT', () => process.exit(130));

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.listen(0, '127.0.0.1', () => {
      const a = s.address();
      s.close(() => (a && typeof a === 'object' ? resolve(a.port) : reject(new Error('no port'))));
    });
  });
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

async function waitFor(f: () => Promise<boolean>, ms: number, what: string): Promise<void> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    try {
      if (await f()) return;
    } catch {
      // not ready yet
    }
    await sleep(20);
  }
  throw new Error(`timed out waiting for ${what}`);
}

function start(cmd: string, args: string[], cwd: string): ChildProcess {
  const c = spawn(cmd, args, { cwd, stdio: 'ignore' });
  children.add(c);
  c.on('exit', () => children.delete(c));
  return c;
}

async function ping(port: number): Promise<boolean> {
  const r = new Redis({ port, lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
  try {
    await r.connect();
    return (await r.ping()) === 'PONG';
  } finally {
    r.disconnect();
  }
}

interface Round {
  sdown: number;
  odown: number;
  elected: number;
  promoted: number;
  allSentinels: number;
  writeGap: number;
}

async function round(impl: 'ts' | 'redis', downAfter: number): Promise<Round> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'failover-bench-'));
  try {
    const ports = { master: await freePort(), r1: await freePort(), r2: await freePort() };
    const redisArgs = (port: number): string[] => ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir];
    const master = start('redis-server', redisArgs(ports.master), dir);
    start('redis-server', [...redisArgs(ports.r1), '--replicaof', '127.0.0.1', String(ports.master)], dir);
    start('redis-server', [...redisArgs(ports.r2), '--replicaof', '127.0.0.1', String(ports.master)], dir);
    for (const p of Object.values(ports)) await waitFor(() => ping(p), 5000, `redis ${p}`);
    const sentinelPorts: number[] = [];
    for (let i = 0; i < 3; i++) {
      const port = await freePort();
      sentinelPorts.push(port);
      const sdir = path.join(dir, `s${i}`);
      fs.mkdirSync(sdir);
      const conf = path.join(sdir, 'sentinel.conf');
      fs.writeFileSync(
        conf,
        [
          `port ${port}`,
          'bind 127.0.0.1',
          `dir ${sdir}`,
          'logfile log.txt',
          `sentinel monitor mymaster 127.0.0.1 ${ports.master} 2`,
          `sentinel down-after-milliseconds mymaster ${downAfter}`,
          'sentinel failover-timeout mymaster 10000',
          '',
        ].join('\n'),
      );
      start(impl === 'ts' ? TS_BIN : REDIS_SENTINEL, [conf], sdir);
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
    );
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
    await sleep(1500);
    maxGap = 0;
    const t0 = performance.now();
    master.kill('SIGKILL');
    const original = `127.0.0.1:${ports.master}`;
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
    );
    // Let the client reach the new master and keep writing for a while.
    await waitFor(async () => performance.now() - lastAck < 50 && performance.now() - t0 > allSentinels + 500, 30000, 'writes to resume');
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
    killAll();
    await sleep(200);
    fs.rmSync(dir, { recursive: true, force: true });
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
    for (let i = 0; i < args.rounds; i++) {
      const r = await round(impl, args.downAfter);
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
