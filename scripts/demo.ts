/**
 * The live playground: a real redis-server master with 2 replicas, and 3 sentinel-ts nodes
 * monitoring it, all on free loopback ports. It shows the topology as each sentinel sees it
 * (polled every second, redrawn only when something changed) and every event the sentinels
 * publish, as it happens. Ctrl-C (or SIGTERM) stops every process it started and removes its
 * temp dirs. Each sentinel-ts serves its dashboard (http-port), whose address is printed, and
 * typing `d` + Enter runs a failover drill (`sentinel-ts drill`) against the playground.
 *
 *   npm run demo                        # runs until Ctrl-C
 *   npm run demo -- --duration 20       # stops by itself after 20 s
 *   SENTINEL_IMPL=redis npm run demo    # the same with the reference redis-sentinel
 */
import { spawn } from 'node:child_process';
import { Redis } from 'ioredis';
import { SENTINEL_TS } from '../test/helpers/paths.js';
import { killEverything, trackedPids } from '../test/helpers/pids.js';
import { freePort } from '../test/helpers/ports.js';
import { effectiveImpl, startTopology } from '../test/helpers/sentinels.js';
import type { SentinelProcess, Topology } from '../test/helpers/sentinels.js';

const MASTER = 'mymaster';

function parseArgs(argv: string[]): { durationS: number } {
  let durationS = 0;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--duration' || a.startsWith('--duration=')) {
      const v = a.includes('=') ? a.slice(a.indexOf('=') + 1) : argv[++i];
      durationS = Number(v);
      if (!Number.isFinite(durationS) || durationS <= 0) {
        process.stdout.write(`--duration needs a number of seconds > 0, got ${String(v)}\n`);
        process.exit(2);
      }
    } else if (a === '--help' || a === '-h') {
      process.stdout.write('usage: npm run demo [-- --duration <seconds>]\n');
      process.exit(0);
    } else {
      process.stdout.write(`unknown argument ${a} (usage: npm run demo [-- --duration <seconds>])\n`);
      process.exit(2);
    }
  }
  return { durationS };
}

const clock = (): string => new Date().toISOString().slice(11, 23);
const say = (s: string): void => void process.stdout.write(s + '\n');

/** A RESP2 field list (name, value, ...) as a map. */
function fields(list: unknown): Map<string, string> {
  const arr = Array.isArray(list) ? (list as unknown[]) : [];
  const m = new Map<string, string>();
  for (let i = 0; i + 1 < arr.length; i += 2) m.set(String(arr[i]), String(arr[i + 1]));
  return m;
}

/** Flags without the role word: "ok" for a healthy instance. */
function health(flags: string | undefined): string {
  const rest = (flags ?? '?').split(',').filter((f) => f !== 'master' && f !== 'slave' && f !== 'sentinel');
  return rest.length ? rest.join(',') : 'ok';
}

function table(rows: string[][]): string {
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => (r[c] ?? '').length)));
  return rows.map((r) => '  ' + r.map((cell, c) => (c === r.length - 1 ? cell : cell.padEnd(widths[c]!))).join('  ')).join('\n');
}

async function main(): Promise<void> {
  const { durationS } = parseArgs(process.argv.slice(2));
  const conns: Redis[] = [];
  let t: Topology | undefined;
  let timer: NodeJS.Timeout | undefined;
  let stopping = false;
  const stop = async (why: string, code = 0): Promise<void> => {
    if (stopping) return;
    stopping = true;
    if (timer) clearInterval(timer);
    say(`\n${clock()} ${why}: stopping every process the playground started...`);
    for (const c of conns) c.disconnect();
    if (t) {
      for (const p of t.all()) say(`  stopping pid ${p.pid} (port ${p.port})`);
      await t.stopAll();
    } else {
      // Still starting up: nothing is in a topology yet, kill whatever was started by its pid.
      for (const pid of trackedPids()) say(`  killing pid ${pid}`);
      killEverything();
    }
    say('All stopped, temp dirs removed.');
    process.exit(code);
  };
  process.on('SIGINT', () => void stop('Ctrl-C'));
  process.on('SIGTERM', () => void stop('SIGTERM'));

  // Every event from every sentinel, as it happens: each one is subscribed to as soon as it is
  // up, so the discovery of replicas and peers shows too.
  const subscribe = async (s: SentinelProcess, i: number): Promise<void> => {
    say(`${clock()} sentinel${i + 1} (${s.impl === 'ts' ? 'sentinel-ts' : 'redis-sentinel'}, pid ${s.pid}) is up on :${s.port}`);
    const sub = new Redis({ port: s.port, host: '127.0.0.1', retryStrategy: () => 1000 });
    sub.on('error', () => {});
    sub.on('pmessage', (_pattern: string, channel: string, message: string) => {
      if (!stopping) say(`${clock()} [sentinel :${s.port}] ${channel} ${message}`);
    });
    conns.push(sub);
    await sub.psubscribe('*');
  };

  say('Starting 3 redis-server (1 master, 2 replicas) and 3 sentinels on free loopback ports...');
  // redis-sentinel refuses http-port: the dashboards exist only with sentinel-ts.
  const isTs = effectiveImpl('ts') === 'ts';
  const httpPorts: number[] = [];
  const linesFor = async (i: number): Promise<string[]> => {
    if (!isTs) return [];
    httpPorts[i] = await freePort();
    return [`http-port ${httpPorts[i]}`, 'http-bind 127.0.0.1'];
  };
  t = await startTopology({ replicas: 2, sentinels: 3, downAfterMs: 3000, failoverTimeoutMs: 15000, masterName: MASTER, onSentinelStarted: subscribe, linesFor });

  const s0 = t.sentinels[0]!.port;
  const impl = t.sentinels[0]!.impl === 'ts' ? 'sentinel-ts' : 'redis-sentinel';
  say('');
  say(table([
    ['role', 'program', 'address', 'pid', 'files'],
    ['master', 'redis-server', `127.0.0.1:${t.master.port}`, String(t.master.pid), t.master.dir],
    ...t.replicas.map((r, i) => [`replica${i + 1}`, 'redis-server', `127.0.0.1:${r.port}`, String(r.pid), r.dir]),
    ...t.sentinels.map((s, i) => [`sentinel${i + 1}`, impl, `127.0.0.1:${s.port}`, String(s.pid), s.confPath]),
  ]));
  say('');
  if (isTs) {
    say('Dashboards (open in a browser; each sentinel serves its own view, /metrics and /v1/ too):');
    for (const [i, p] of httpPorts.entries()) say(`  sentinel${i + 1}  http://127.0.0.1:${p}/ui/`);
    say('');
  }
  const drillArgs = ['drill', '--sentinel', `127.0.0.1:${s0}`, '--master', MASTER, ...(isTs ? [] : ['--mode', 'plain'])];
  say('Things to try in another terminal:');
  const hints: Array<[string, string]> = [
    [`redis-cli -p ${s0} sentinel masters`, ''],
    [`redis-cli -p ${s0} sentinel get-master-addr-by-name ${MASTER}`, ''],
    [`redis-cli -p ${s0} info sentinel`, ''],
    [`kill -STOP ${t.replicas[0]!.pid}`, `freeze a replica: +sdown after 3 s; then kill -CONT ${t.replicas[0]!.pid} for -sdown`],
    [`kill -9 ${t.master.pid}`, 'kill the master: +sdown, +odown, election, +switch-master'],
    [`redis-cli -p ${t.sentinels[1]!.port} sentinel failover ${MASTER}`, 'a manual failover'],
    [`kill -9 ${t.sentinels[2]!.pid}`, 'kill a sentinel: the others flag it s_down'],
    [`bin/sentinel-ts ${drillArgs.join(' ')}`, `a switchover under write load, measured${isTs ? ' (no acknowledged write lost)' : ''}`],
  ];
  const width = Math.max(...hints.filter(([, why]) => why).map(([cmd]) => cmd.length));
  for (const [cmd, why] of hints) say(`  ${why ? `${cmd.padEnd(width)}   # ${why}` : cmd}`);
  say(durationS > 0 ? `Stopping by itself after ${durationS} s (or Ctrl-C).` : 'Ctrl-C stops everything.');
  if (process.stdin.isTTY) say('Type d and Enter here to run the failover drill now.');
  say('');
  offerDrill(drillArgs, () => stopping);

  // The topology as each sentinel sees it, redrawn when it changes.
  // A frozen sentinel (kill -STOP) must not stall the view: commands time out, and nothing is
  // queued while a sentinel is away.
  const admins = await Promise.all(
    t.sentinels.map(async (s) => {
      const c = new Redis({ port: s.port, host: '127.0.0.1', lazyConnect: true, retryStrategy: () => 1000, maxRetriesPerRequest: 0, enableOfflineQueue: false, commandTimeout: 800 });
      c.on('error', () => {});
      conns.push(c);
      await c.connect();
      return { port: s.port, c };
    }),
  );
  let last = '';
  let drawing = false;
  const draw = async (): Promise<void> => {
    if (drawing) return;
    drawing = true;
    try {
      await redraw();
    } finally {
      drawing = false;
    }
  };
  const redraw = async (): Promise<void> => {
    const rows: string[][] = [['sentinel', 'master', 'health', 'epoch', 'failover', 'replicas', 'peer sentinels']];
    for (const { port, c } of admins) {
      try {
        const [m, reps, peers] = await Promise.all([
          c.call('SENTINEL', 'MASTER', MASTER).then(fields),
          c.call('SENTINEL', 'REPLICAS', MASTER).then((l) => (l as unknown[]).map(fields)),
          c.call('SENTINEL', 'SENTINELS', MASTER).then((l) => (l as unknown[]).map(fields)),
        ]);
        rows.push([
          `:${port}`,
          `${m.get('ip')}:${m.get('port')}`,
          health(m.get('flags')),
          m.get('config-epoch') ?? '?',
          m.get('failover-state') ?? '-',
          reps.map((r) => `:${r.get('port')} ${health(r.get('flags'))}`).sort().join(', ') || '-',
          peers.map((p) => `:${p.get('port')} ${health(p.get('flags'))}`).sort().join(', ') || '-',
        ]);
      } catch {
        rows.push([`:${port}`, 'not answering', '', '', '', '', '']);
      }
    }
    const text = table(rows);
    if (text !== last && !stopping) {
      last = text;
      say(`${clock()} topology as the sentinels see it:\n${text}`);
    }
  };
  await draw();
  timer = setInterval(() => void draw(), 1000);
  if (durationS > 0) setTimeout(() => void stop(`--duration ${durationS} s elapsed`), durationS * 1000);
}

/** `d` + Enter on the terminal runs the drill (one at a time), its report shown with the events. */
function offerDrill(args: string[], stopping: () => boolean): void {
  if (!process.stdin.isTTY) return;
  let running = false;
  process.stdin.setEncoding('utf8');
  process.stdin.on('data', (line: string) => {
    if (line.trim().toLowerCase() !== 'd' || running || stopping()) return;
    running = true;
    say(`${clock()} running: sentinel-ts ${args.join(' ')}`);
    const child = spawn(SENTINEL_TS, args, { stdio: ['ignore', 'inherit', 'inherit'] });
    child.on('exit', (code) => {
      running = false;
      say(`${clock()} the drill exited with status ${code ?? 'signal'}; type d and Enter to run it again.`);
    });
  });
  // Reading stdin must not keep the playground alive once it stops.
  process.stdin.unref();
}

main().catch((e: unknown) => {
  say(`the playground failed: ${(e as Error)?.stack ?? String(e)}`);
  process.exit(1);
});
