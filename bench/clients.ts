/**
 * Many clients and slow subscribers: memory must stay bounded and other clients served.
 *   1. N idle connections: resident memory before and after (KB per connection).
 *   2. N busy connections: each sends R PINGs, one at a time; total time and the slowest
 *      client's wait (does one client starve?).
 *   3. S subscribers to every event (PSUBSCRIBE *) that never read, while a client makes
 *      events of ~1 KB as fast as it can (SENTINEL RESET * over M masters with 1 KB names:
 *      no config rewrite, M events per command). The server must drop them at the pub/sub
 *      output limit (client-output-buffer-limit pubsub, 32 MB hard by default) instead of
 *      buffering without bound; a normal client's PING latency is sampled meanwhile.
 *   4. Fairness under config rewrites: one client pipelines SENTINEL SETs (each rewrites and
 *      fsyncs the config file) while another PINGs.
 * Runs against sentinel-ts and, when installed, redis-sentinel, in the same run.
 *
 *   node dist/bench/clients.js [--clients N] [--pings R] [--subscribers S] [--events E] [--masters M]
 */
import fs from 'node:fs';
import type net from 'node:net';
import { REDIS_SENTINEL } from '../test/helpers/paths.js';
import { rssMb } from '../test/helpers/pids.js';
import { startSentinel } from '../test/helpers/sentinels.js';
import type { SentinelImpl } from '../test/helpers/sentinels.js';
import { sleep } from '../test/helpers/wait.js';
import { connectRaw as connect } from '../test/helpers/wire.js';

const argv = process.argv.slice(2);
const arg = (k: string, d: number): number => (argv.includes(k) ? Number(argv[argv.indexOf(k) + 1]) : d);
const N = arg('--clients', 2000);
const R = arg('--pings', 50);
const S = arg('--subscribers', 20);
const E = arg('--events', 100000);
const M = arg('--masters', 50);

/** Sends `count` inline PINGs one after the other, each after the previous reply. */
async function pings(sock: net.Socket, count: number): Promise<number[]> {
  const times: number[] = [];
  for (let i = 0; i < count; i++) {
    const t = performance.now();
    await new Promise<void>((resolve) => {
      sock.once('data', () => resolve());
      sock.write('PING\r\n');
    });
    times.push(performance.now() - t);
  }
  return times;
}

const pct = (sorted: number[], p: number): number => sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))]!;
const fmt = (ms: number): string => `${ms.toFixed(2)} ms`;

async function run(impl: SentinelImpl): Promise<void> {
  const label = impl === 'ts' ? 'sentinel-ts   ' : 'redis-sentinel';
  const longName = (i: number): string => `m${i}-${'x'.repeat(1000)}`;
  const masters = Array.from({ length: M }, (_, i) => `sentinel monitor ${longName(i)} 127.0.0.1 1 2`);
  const s = await startSentinel({ impl, lines: ['sentinel monitor mymaster 127.0.0.1 1 2', 'maxclients 10000', ...masters] });
  try {
    await sleep(300);
    const base = rssMb(s.pid);

    // 1. Idle connections.
    const idle: net.Socket[] = [];
    for (let i = 0; i < N; i++) idle.push(await connect(s.port));
    await sleep(500);
    const withClients = rssMb(s.pid);

    // 2. The same connections, busy.
    const t0 = performance.now();
    const perClient = await Promise.all(idle.map((c) => pings(c, R)));
    const busyMs = performance.now() - t0;
    const all = perClient.flat().sort((a, b) => a - b);
    for (const c of idle) c.destroy();

    // 3. Stalled subscribers and a flood of events.
    const subs: net.Socket[] = [];
    let dropped = 0;
    for (let i = 0; i < S; i++) {
      const c = await connect(s.port);
      c.on('close', () => dropped++);
      c.write('PSUBSCRIBE *\r\n');
      c.pause(); // never read: the server's output buffer for it grows
      subs.push(c);
    }
    const probe = await connect(s.port);
    const driver = await connect(s.port);
    let resets = 0;
    driver.on('data', (d) => (resets += (d.toString().match(/:/g) ?? []).length));
    const commands = Math.ceil(E / (M + 1));
    let peakRss = 0;
    const latencies: number[] = [];
    const floodStart = performance.now();
    for (let sent = 0; sent < commands; sent += 20) {
      driver.write('SENTINEL RESET *\r\n'.repeat(20));
      latencies.push(...(await pings(probe, 1)));
      peakRss = Math.max(peakRss, rssMb(s.pid));
    }
    while (resets < commands && performance.now() - floodStart < 60000) await sleep(20);
    const floodMs = performance.now() - floodStart;
    await sleep(300);
    peakRss = Math.max(peakRss, rssMb(s.pid));
    const afterFlood = rssMb(s.pid);
    latencies.sort((a, b) => a - b);
    for (const c of [...subs, driver]) c.destroy();

    // 4. Config rewrites pipelined by one client, PINGs by another.
    const writer = await connect(s.port);
    let setsDone = 0;
    writer.on('data', (d) => (setsDone += (d.toString().match(/\+OK/g) ?? []).length));
    const SETS = 500;
    writer.write(Array.from({ length: SETS }, (_, i) => `SENTINEL SET mymaster down-after-milliseconds ${30000 + i}\r\n`).join(''));
    const setStart = performance.now();
    const during: number[] = [];
    while (setsDone < SETS && performance.now() - setStart < 60000) during.push(...(await pings(probe, 1)));
    const setMs = performance.now() - setStart;
    during.sort((a, b) => a - b);
    for (const c of [writer, probe]) c.destroy();

    process.stdout.write(
      `${label}  rss ${base.toFixed(1)} MB at start, ${withClients.toFixed(1)} MB with ${N} idle clients ` +
        `(${(((withClients - base) * 1024) / N).toFixed(1)} KB each)\n` +
        `${label}  ${N} clients x ${R} PINGs: ${busyMs.toFixed(0)} ms (${((N * R) / (busyMs / 1000) / 1000).toFixed(1)}k PING/s), ` +
        `wait p50 ${fmt(pct(all, 0.5))} p99 ${fmt(pct(all, 0.99))} max ${fmt(all[all.length - 1]!)}\n` +
        `${label}  ${commands * (M + 1)} events of ~1 KB in ${floodMs.toFixed(0)} ms to ${S} stalled subscribers: ${dropped}/${S} dropped at the ` +
        `output limit, peak rss ${peakRss.toFixed(1)} MB, ${afterFlood.toFixed(1)} MB after; PING p50 ${fmt(pct(latencies, 0.5))} max ${fmt(latencies[latencies.length - 1]!)}\n` +
        `${label}  ${SETS} pipelined config-rewriting SENTINEL SETs in ${setMs.toFixed(0)} ms; another client's PING meanwhile ` +
        `p50 ${fmt(pct(during, 0.5))} max ${fmt(during[during.length - 1] ?? 0)} (${during.length} samples)\n`,
    );
  } finally {
    await s.stop();
  }
}

const impls: SentinelImpl[] = fs.existsSync(REDIS_SENTINEL) ? ['ts', 'redis'] : ['ts'];
for (const impl of impls) await run(impl);
process.exit(0);
