/**
 * One sentinel monitoring M masters (default 500), sentinel-ts beside redis-sentinel in the same
 * run (ts, redis, ts, redis ... for R rounds). The masters are ports of ONE model Redis process
 * (bench/model-redis.ts, run as its own process so its CPU is not the sentinel's; see there for
 * what it speaks), started afresh for every run on the same free loopback ports. The sentinel's
 * config has, for each master i, `sentinel monitor m<i> 127.0.0.1 <port> 1` and
 * `sentinel down-after-milliseconds m<i> <down-after>` (5000 by default). Measured:
 *   listen ms:  from just before the sentinel is spawned until it answers PING;
 *   ready ms:   from just before the spawn until SENTINEL MASTERS lists all M masters, each with
 *               flags exactly `master` (connected, not down), a runid (an INFO reply was read:
 *               before that sentinel-ts shows info-refresh 0) and info-refresh below 10000 ms.
 *               Polled on one connection, every --poll ms (50) after the previous reply: the
 *               polls load the sentinel too (the reply lists every master), the same way for
 *               both. `masters reply ms` is the median time of those SENTINEL MASTERS calls;
 *   cpu %:      after a --settle s (5) pause, the sentinel's utime+stime (from /proc/<pid>/stat)
 *               over a --window s (20) window, in % of one core; the model's own CPU over the
 *               same window is printed beside it (if the model is saturated, the sentinel's
 *               figures are the model's);
 *   rss MB:     the sentinel's VmRSS at the end of the window; `rss max MB`, the highest of the
 *               samples taken every second during the window (V8 lets garbage pile up in the
 *               old generation between full collections: the end value alone can miss a peak).
 * With --failover, after the window: master m0 has a replica (one more model port; with
 * --replicas K every master has K instead), the model is told to kill m0 (its control port:
 * `DEBUG-MODEL KILL <port>` closes the listener and every connection, the replica sees its link
 * down), and the times from the kill to the sentinel's events for m0 are taken from a
 * subscription to the sentinel: +sdown, +odown, +elected-leader, +promoted-slave, +switch-master
 * (the end: the sentinel's answer changed). Quorum 1 and one sentinel: the failover runs alone.
 * The model's counts of commands it does not know are printed after each run (a sentinel sending
 * something the model lacks would show there).
 *
 * The model needs one port per master and per replica and M + 2 * links sockets; the sentinel
 * (which inherits this process's open-files limit) about 2 per master and replica; the limit is
 * checked. Ports come from test/helpers/ports.ts in blocks of 100 (see allocPorts).
 *
 * TILT: a sentinel whose timer stalls for over 2 s enters TILT mode for 30 s and acts on nothing
 * (no +sdown, no failover) meanwhile. +tilt / -tilt are watched from the start of every run and
 * reported (when, relative to the spawn); with --failover, a sentinel still in TILT after the
 * window is waited for (up to 60 s, reported) before the kill, so that the failover times measure
 * the failover and not the rest of a TILT period.
 *
 * Usage: node dist/bench/scale.js [--masters M] [--settle S] [--window S] [--rounds R] [--impl ts|redis|both]
 *          [--failover] [--replicas K] [--down-after MS] [--poll MS] [--ready-timeout S]
 *   defaults: --masters 500 --settle 5 --window 20 --rounds 3 --impl both --replicas 0 --down-after 5000
 *             --poll 50 --ready-timeout 300
 *   e.g. node dist/bench/scale.js --masters 5000 --impl ts --rounds 1 --failover
 */
import type { ChildProcess } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { terminate } from '../test/helpers/managed.js';
import fs from 'node:fs';
import { removeTempDir, rssMb, spawnTracked } from '../test/helpers/pids.js';
import { freePort, freePortBlock } from '../test/helpers/ports.js';
import { startSentinel } from '../test/helpers/sentinels.js';
import type { SentinelImpl, SentinelProcess } from '../test/helpers/sentinels.js';
import { sleep } from '../test/helpers/wait.js';
import { pairs } from './resp-lite.js';
import type { RespValue } from './resp-lite.js';
import { RespConn, cpuSeconds, fmt, implLabel, implList, median, openFilesLimit, parseOptions, printTable, ratio, request } from './util.js';

delete process.env['SENTINEL_IMPL'];

const USAGE =
  'Usage: node dist/bench/scale.js [--masters M] [--settle S] [--window S] [--rounds R] [--impl ts|redis|both] ' +
  '[--failover] [--replicas K] [--down-after MS] [--poll MS] [--ready-timeout S]';
const MODEL_JS = path.join(path.dirname(fileURLToPath(import.meta.url)), 'model-redis.js');
const EVENTS = ['+sdown', '+odown', '+try-failover', '+elected-leader', '+selected-slave', '+promoted-slave', '+failover-end', '+switch-master'];
const ABORTS = ['-failover-abort-no-good-slave', '-failover-abort-not-elected', '+failover-end-for-timeout', '-failover-abort-slave-timeout'];

interface Options {
  masters: number;
  settle: number;
  window: number;
  rounds: number;
  impl: string;
  failover: boolean;
  replicas: number;
  downAfter: number;
  poll: number;
  readyTimeout: number;
}

interface Run {
  listenMs: number;
  readyMs: number;
  mastersReplyMs: number;
  cpu: number;
  modelCpu: number;
  rss: number;
  rssMax: number;
  /** +tilt / -tilt events, with ms from the spawn. */
  tilts: string[];
  /** ms waited after the window for TILT to end before the kill. */
  tiltWait: number;
  /** Event -> ms from the kill (failover runs only). */
  failover: Map<string, number>;
  unknown: string;
}

/**
 * `count` free loopback ports, in blocks of at most 100. freePortBlock draws from [22000, the
 * ephemeral range) minus 30000-31023: about 9,700 ports, so 5,000 fit, but not in one block:
 * other test runs on the machine hold ports scattered over that range (a couple of dozen are
 * enough to leave no free run of 500), and a failed search walks 500 candidate blocks port by
 * port, which takes minutes. Blocks of 100 are found at once; should one fail, smaller ones.
 */
async function allocPorts(count: number): Promise<number[]> {
  const out: number[] = [];
  let size = 100;
  while (out.length < count) {
    const n = Math.min(size, count - out.length);
    let base: number;
    try {
      base = await freePortBlock(n);
    } catch (e) {
      if (n === 1) throw e;
      size = Math.max(1, Math.floor(n / 5));
      continue;
    }
    for (let i = 0; i < n; i++) out.push(base + i);
  }
  return out.sort((a, b) => a - b);
}

/** Ports as the model's `--ports` spec: first-last ranges, comma-separated. */
function portSpec(ports: number[]): string {
  const parts: string[] = [];
  for (let i = 0; i < ports.length; ) {
    let j = i;
    while (j + 1 < ports.length && ports[j + 1] === ports[j]! + 1) j++;
    parts.push(i === j ? String(ports[i]) : `${ports[i]}-${ports[j]}`);
    i = j + 1;
  }
  return parts.join(',');
}

interface Model {
  child: ChildProcess;
  control: number;
  stderr(): string;
}

async function startModel(masters: number[], replicaPorts: number[], replicasPer: number): Promise<Model> {
  const control = await freePort();
  const args = [MODEL_JS, '--ports', portSpec(masters), '--control', String(control)];
  if (replicaPorts.length > 0) args.push('--replicas', String(replicasPer), '--replica-ports', portSpec(replicaPorts));
  const child = spawnTracked(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`the model did not start in 60 s: ${err}`)), 60000);
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      if (out.includes('ready')) {
        clearTimeout(timer);
        resolve();
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`the model exited (code ${code}): ${err}`));
    });
  });
  return { child, control, stderr: () => err };
}

/** SENTINEL MASTERS until every master is connected, known up, and has an INFO reply read. */
async function waitReady(s: SentinelProcess, names: Set<string>, o: Options, t0: number): Promise<{ readyMs: number; replyMs: number }> {
  const conn = await RespConn.open(s.port);
  const replyTimes: number[] = [];
  let lastOk = 0;
  try {
    for (;;) {
      const tq = performance.now();
      const r: RespValue = await conn.call('SENTINEL', 'MASTERS');
      replyTimes.push(performance.now() - tq);
      let ok = 0;
      if (Array.isArray(r)) {
        for (const e of r) {
          const m = pairs(e);
          const refresh = Number(m.get('info-refresh'));
          if (names.has(m.get('name') ?? '') && m.get('flags') === 'master' && (m.get('runid') ?? '') !== '' && refresh < 10000) ok++;
        }
      }
      lastOk = ok;
      if (ok === names.size) return { readyMs: performance.now() - t0, replyMs: median(replyTimes) };
      if (performance.now() - t0 > o.readyTimeout * 1000) throw new Error(`not ready after ${o.readyTimeout} s: ${lastOk}/${names.size} masters up with an INFO read`);
      if (s.exited) throw new Error(`the sentinel exited (code ${s.exitCode}) before it was ready\n${s.stderr()}`);
      await sleep(o.poll);
    }
  } finally {
    conn.close();
  }
}

async function failover(s: SentinelProcess, model: Model, victim: number, replica: number, o: Options): Promise<Map<string, number>> {
  const sub = await RespConn.open(s.port);
  const seen = new Map<string, number>();
  let t0 = NaN;
  let switched = '';
  let aborted = '';
  const concerns = (channel: string, msg: string): boolean =>
    channel === '+switch-master' ? msg.startsWith('m0 ') : msg.startsWith('master m0 ') || msg.includes(' @ m0 ');
  sub.onPush = (v) => {
    if (!Array.isArray(v) || v[0] !== 'message') return;
    const channel = String(v[1]);
    const msg = String(v[2]);
    if (!concerns(channel, msg) || Number.isNaN(t0)) return;
    if (!seen.has(channel)) seen.set(channel, performance.now() - t0);
    if (channel === '+switch-master') switched = msg;
    if (ABORTS.includes(channel)) aborted = `${channel} ${msg}`;
  };
  try {
    const channels = [...EVENTS, ...ABORTS];
    sub.send('SUBSCRIBE', ...channels);
    await sleep(200);
    const ctl = await RespConn.open(model.control);
    t0 = performance.now();
    const r = await ctl.call('DEBUG-MODEL', 'KILL', String(victim));
    ctl.close();
    if (r !== 'OK') throw new Error(`the model refused to kill ${victim}: ${JSON.stringify(r)}`);
    const deadline = o.downAfter + 120000;
    while (!seen.has('+switch-master') && !aborted && performance.now() - t0 < deadline && !s.exited) await sleep(20);
    if (aborted) process.stdout.write(`  failover of m0 ABORTED: ${aborted}\n`);
    else if (s.exited) process.stdout.write(`  the sentinel EXITED during the failover (code ${s.exitCode})\n${s.stderr()}\n`);
    else if (!seen.has('+switch-master')) process.stdout.write(`  no +switch-master for m0 within ${deadline} ms of the kill\n`);
    else if (!switched.endsWith(` ${replica}`)) process.stdout.write(`  +switch-master ${switched}: not to the replica on ${replica}\n`);
    return seen;
  } finally {
    sub.close();
  }
}

async function run(impl: SentinelImpl, masters: number[], replicaPorts: number[], o: Options): Promise<Run> {
  const model = await startModel(masters, replicaPorts, Math.max(1, o.replicas));
  let s: SentinelProcess | null = null;
  let watch: RespConn | null = null;
  try {
    const lines: string[] = [];
    masters.forEach((p, i) => lines.push(`sentinel monitor m${i} 127.0.0.1 ${p} 1`, `sentinel down-after-milliseconds m${i} ${o.downAfter}`));
    const names = new Set(masters.map((_, i) => `m${i}`));
    const t0 = performance.now();
    s = await startSentinel({ impl, lines, readyTimeoutMs: o.readyTimeout * 1000 });
    const listenMs = performance.now() - t0;
    const tilts: string[] = [];
    watch = await RespConn.open(s.port);
    watch.onPush = (v) => {
      if (Array.isArray(v) && v[0] === 'message') tilts.push(`${String(v[1])} ${((performance.now() - t0) / 1000).toFixed(1)} s`);
    };
    watch.send('SUBSCRIBE', '+tilt', '-tilt');
    const { readyMs, replyMs } = await waitReady(s, names, o, t0);
    await sleep(o.settle * 1000);
    const c0 = cpuSeconds(s.pid);
    const m0 = cpuSeconds(model.child.pid!);
    const w0 = performance.now();
    let rssMax = 0;
    while (performance.now() - w0 < o.window * 1000) {
      await sleep(Math.min(1000, o.window * 1000 - (performance.now() - w0)));
      rssMax = Math.max(rssMax, rssMb(s.pid));
    }
    const elapsed = (performance.now() - w0) / 1000;
    const cpu = ((cpuSeconds(s.pid) - c0) / elapsed) * 100;
    const modelCpu = ((cpuSeconds(model.child.pid!) - m0) / elapsed) * 100;
    const rss = rssMb(s.pid);
    let tiltWait = 0;
    if (o.failover) {
      const tw = performance.now();
      const inTilt = async (): Promise<boolean> => /sentinel_tilt:1/.test(String(await request(s!.port, 'INFO', 'sentinel')));
      while ((await inTilt()) && performance.now() - tw < 60000) await sleep(100);
      tiltWait = performance.now() - tw;
    }
    const fo = o.failover ? await failover(s, model, masters[0]!, replicaPorts[0]!, o) : new Map<string, number>();
    const stats = JSON.parse(String(await request(model.control, 'DEBUG-MODEL', 'STATS'))) as { unknown: Record<string, number> };
    const unknown = Object.entries(stats.unknown)
      .map(([k, v]) => `${k} ${v}`)
      .join(', ');
    if (s.exited) throw new Error(`the sentinel exited (code ${s.exitCode})\n${s.stderr()}`);
    return { listenMs, readyMs, mastersReplyMs: replyMs, cpu, modelCpu, rss, rssMax: Math.max(rssMax, rss), tilts, tiltWait, failover: fo, unknown };
  } finally {
    watch?.close();
    if (s) {
      await s.kill9();
      // SCALE_SENTINEL_LOG=<file>: keep the sentinel's log of the last round there (TILT causes, timings).
      const keep = process.env['SCALE_SENTINEL_LOG'];
      if (keep) fs.copyFileSync(path.join(s.dir, 'log.txt'), keep);
      removeTempDir(s.dir);
    }
    await terminate(model.child, 'SIGKILL', 0);
  }
}

async function main(): Promise<void> {
  const o: Options = parseOptions(
    { masters: 500, settle: 5, window: 20, rounds: 3, impl: 'both', failover: false, replicas: 0, downAfter: 5000, poll: 50, readyTimeout: 300 },
    USAGE,
  );
  const impls = implList(o.impl);
  const replicaCount = o.replicas > 0 ? o.masters * o.replicas : o.failover ? 1 : 0;
  const instances = o.masters + replicaCount;
  const limit = openFilesLimit();
  // The model: a listener per port and the sentinel's 2 links to each; the sentinel: its 2 links per instance.
  const need = 3 * instances + 200;
  process.stdout.write(`open files limit (ulimit -n): ${limit}; the model needs about ${need}, the sentinel about ${2 * instances + 100}\n`);
  if (!(limit >= need)) {
    process.stdout.write(`the open files limit ${limit} is TOO LOW for ${instances} instances: raise it (ulimit -n ${need} or more) or lower --masters\n`);
    process.exit(1);
  }
  const masters = await allocPorts(o.masters);
  const replicaPorts = await allocPorts(replicaCount);
  process.stdout.write(
    `scale: one sentinel monitoring ${o.masters} masters (${replicaCount} replicas) of one model process on ports ${portSpec(masters)}` +
      `${replicaCount ? ` (replicas ${portSpec(replicaPorts)})` : ''}; down-after ${o.downAfter} ms, settle ${o.settle} s, window ${o.window} s, ` +
      `${o.rounds} rounds, ${impls.map(implLabel).join(' / ')} alternating (shared machine)\n\n`,
  );
  const results = new Map<SentinelImpl, Run[]>(impls.map((i) => [i, []]));
  for (let r = 0; r < o.rounds; r++) {
    for (const impl of impls) {
      const x = await run(impl, masters, replicaPorts, o);
      results.get(impl)!.push(x);
      const fo = o.failover ? `; failover of m0: ${[...x.failover].map(([k, v]) => `${k} ${v.toFixed(0)}`).join(', ')} ms` : '';
      process.stdout.write(
        `round ${r + 1} ${implLabel(impl).padEnd(15)} listen ${fmt(x.listenMs)} ms, ready ${fmt(x.readyMs)} ms (SENTINEL MASTERS ${fmt(x.mastersReplyMs, 1)} ms), ` +
          `cpu ${fmt(x.cpu, 1)}% (model ${fmt(x.modelCpu, 1)}%), rss ${fmt(x.rss, 1)} MB (max ${fmt(x.rssMax, 1)})` +
          `${x.tilts.length ? `; TILT: ${x.tilts.join(', ')}` : ''}` +
          `${x.tiltWait > 200 ? `; waited ${(x.tiltWait / 1000).toFixed(1)} s for TILT to end before the kill` : ''}${fo}` +
          `${x.unknown ? `; model saw unknown commands: ${x.unknown}` : ''}\n`,
      );
    }
  }
  process.stdout.write(`\nmedians of ${o.rounds} rounds, ${o.masters} masters (ratio = sentinel-ts / redis-sentinel; below 1 is better)\n`);
  const med = (impl: SentinelImpl, f: (x: Run) => number): number => median(results.get(impl)?.map(f) ?? []);
  const rows: [string, (x: Run) => number, number][] = [
    ['listen ms', (x) => x.listenMs, 0],
    ['ready ms', (x) => x.readyMs, 0],
    ['SENTINEL MASTERS ms', (x) => x.mastersReplyMs, 1],
    [`cpu % (${o.window} s)`, (x) => x.cpu, 1],
    ['model cpu %', (x) => x.modelCpu, 1],
    ['rss MB', (x) => x.rss, 1],
    ['rss max MB', (x) => x.rssMax, 1],
  ];
  if (o.failover) {
    for (const e of ['+sdown', '+odown', '+elected-leader', '+promoted-slave', '+switch-master']) rows.push([`failover ${e} ms`, (x) => x.failover.get(e) ?? NaN, 0]);
  }
  printTable(
    ['figure', 'sentinel-ts', 'redis-sentinel', 'ratio'],
    rows.map(([name, f, d]) => [name, fmt(med('ts', f), d), fmt(med('redis', f), d), ratio(med('ts', f), med('redis', f))]),
  );
}

main().then(
  () => process.exit(0),
  (e: unknown) => {
    process.stdout.write(`benchmark failed: ${(e as Error).stack ?? String(e)}\n`);
    process.exit(1);
  },
);
