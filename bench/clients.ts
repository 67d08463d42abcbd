/**
 * Many clients and slow subscribers: memory must stay bounded and other clients served.
 *   1. N idle connections: resident memory before and after.
 *   2. S subscribers to every event that never read, while a client generates large events
 *      (SENTINEL SET rename-command with a 1 KB name): the server must drop them at the
 *      pub/sub output limit (32 MB by default) instead of buffering without bound; meanwhile
 *      a normal client's PING latency is measured.
 * Runs against sentinel-ts and, when installed, redis-sentinel, in the same run.
 *
 *   node dist/bench/clients.js [--clients N] [--subscribers S] [--events E]
 */
import fs from 'node:fs';
import net from 'node:net';
import { REDIS_SENTINEL, sleep, startSentinel } from '../test/helpers/processes.js';
import type { SentinelImpl } from '../test/helpers/processes.js';

const argv = process.argv.slice(2);
const arg = (k: string, d: number): number => (argv.includes(k) ? Number(argv[argv.indexOf(k) + 1]) : d);
const N = arg('--clients', 2000);
const S = arg('--subscribers', 20);
const E = arg('--events', 60000);

function rssMb(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) / 1024 : NaN;
}

function connect(port: number): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const s = net.connect(port, '127.0.0.1', () => resolve(s));
    s.on('error', reject);
  });
}

async function pingMs(sock: net.Socket): Promise<number> {
  const t = performance.now();
  await new Promise<void>((resolve) => {
    sock.once('data', () => resolve());
    sock.write('PING\r\n');
  });
  return performance.now() - t;
}

async function run(impl: SentinelImpl): Promise<void> {
  const s = await startSentinel({ impl, lines: ['sentinel monitor mymaster 127.0.0.1 1 2', 'maxclients 10000'] });
  try {
    await sleep(300);
    const base = rssMb(s.pid);
    const idle: net.Socket[] = [];
    for (let i = 0; i < N; i++) idle.push(await connect(s.port));
    await sleep(500);
    const withClients = rssMb(s.pid);
    for (const c of idle) c.destroy();

    const subs: net.Socket[] = [];
    let closedByServer = 0;
    for (let i = 0; i < S; i++) {
      const c = await connect(s.port);
      c.on('close', () => closedByServer++);
      c.write('PSUBSCRIBE *\r\n');
      c.pause(); // never read: the server's output buffer for it grows
      subs.push(c);
    }
    const probe = await connect(s.port);
    const driver = await connect(s.port);
    driver.on('data', () => {});
    const name = 'X'.repeat(1000);
    let peakRss = 0;
    const latencies: number[] = [];
    for (let sent = 0; sent < E; sent += 500) {
      let batch = '';
      for (let k = 0; k < 500; k++) batch += `SENTINEL SET mymaster rename-command PING ${name}${(sent + k) % 10}\r\n`;
      driver.write(batch);
      await sleep(5);
      if (sent % 5000 === 0) {
        latencies.push(await pingMs(probe));
        peakRss = Math.max(peakRss, rssMb(s.pid));
      }
    }
    await sleep(500);
    peakRss = Math.max(peakRss, rssMb(s.pid));
    latencies.sort((a, b) => a - b);
    process.stdout.write(
      `${impl === 'ts' ? 'sentinel-ts   ' : 'redis-sentinel'}  rss ${base.toFixed(1)} MB idle, ${withClients.toFixed(1)} MB with ${N} clients ` +
        `(${(((withClients - base) * 1024) / N).toFixed(1)} KB each); ${E} events of ~1 KB to ${S} stalled subscribers: ` +
        `peak rss ${peakRss.toFixed(1)} MB, ${closedByServer}/${S} subscribers dropped at the output limit, ` +
        `PING p50 ${latencies[Math.floor(latencies.length / 2)]!.toFixed(2)} ms max ${latencies[latencies.length - 1]!.toFixed(2)} ms\n`,
    );
    for (const c of [...subs, probe, driver]) c.destroy();
  } finally {
    await s.stop();
  }
}

const impls: SentinelImpl[] = fs.existsSync(REDIS_SENTINEL) ? ['ts', 'redis'] : ['ts'];
for (const impl of impls) await run(impl);
process.exit(0);
