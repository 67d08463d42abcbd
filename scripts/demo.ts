/**
 * The live playground: a real redis-server master with 2 replicas and 3 sentinel-ts nodes on
 * free loopback ports. Shows the topology as the sentinels see it (redrawn when it changes)
 * and every event they publish, as it happens. Ctrl-C stops every process it started.
 *
 *   npm run demo [-- --duration <seconds>]
 */
import { Redis } from 'ioredis';
import { startTopology } from '../test/helpers/processes.js';
import type { Topology } from '../test/helpers/processes.js';

const durationArg = process.argv.indexOf('--duration');
const durationS = durationArg > 0 ? Number(process.argv[durationArg + 1]) : 0;

const ts = (): string => new Date().toISOString().slice(11, 23);
const out = (s: string): void => void process.stdout.write(s + '\n');

function fieldMap(list: string[]): Map<string, string> {
  const m = new Map<string, string>();
  for (let i = 0; i + 1 < list.length; i += 2) m.set(list[i]!, list[i + 1]!);
  return m;
}

async function main(): Promise<void> {
  out('Starting redis-server x3 (1 master, 2 replicas) and sentinel-ts x3 on free loopback ports...');
  const t: Topology = await startTopology({ replicas: 2, sentinels: 3, downAfterMs: 3000, failoverTimeoutMs: 15000 });
  const conns: Redis[] = [];
  let stopping = false;
  const stop = async (why: string): Promise<void> => {
    if (stopping) return;
    stopping = true;
    out(`\n${why}: stopping every process started by the playground...`);
    for (const c of conns) c.disconnect();
    await t.stopAll();
    out('All stopped.');
    process.exit(0);
  };
  process.on('SIGINT', () => void stop('Ctrl-C'));
  process.on('SIGTERM', () => void stop('SIGTERM'));

  out('');
  out(`master   redis-server  127.0.0.1:${t.master.port}  pid ${t.master.pid}`);
  t.replicas.forEach((r, i) => out(`replica${i + 1} redis-server  127.0.0.1:${r.port}  pid ${r.pid}`));
  t.sentinels.forEach((s, i) => out(`sentinel${i + 1} sentinel-ts   127.0.0.1:${s.port}  pid ${s.pid}  (config ${s.confPath})`));
  out('');
  out('Try, in another terminal:');
  out(`  redis-cli -p ${t.sentinels[0]!.port} sentinel masters`);
  out(`  redis-cli -p ${t.sentinels[0]!.port} sentinel get-master-addr-by-name mymaster`);
  out(`  kill -STOP ${t.replicas[0]!.pid}     # a replica stops answering: +sdown, then kill -CONT for -sdown`);
  out(`  kill -9 ${t.master.pid}         # the master dies: watch the failover`);
  out(`  redis-cli -p ${t.sentinels[1]!.port} sentinel failover mymaster   # a manual failover`);
  out('Press Ctrl-C to stop everything.\n');

  // Every event from every sentinel, as it happens.
  for (const s of t.sentinels) {
    const sub = new Redis({ port: s.port, retryStrategy: () => 500 });
    sub.on('error', () => {});
    sub.on('pmessage', (_p: string, channel: string, message: string) => out(`${ts()} [sentinel :${s.port}] ${channel} ${message}`));
    await sub.psubscribe('*');
    conns.push(sub);
  }

  // The topology as the first live sentinel sees it, redrawn when it changes.
  const admin = t.sentinels.map((s) => {
    const c = new Redis({ port: s.port, retryStrategy: () => 500, maxRetriesPerRequest: 0 });
    c.on('error', () => {});
    conns.push(c);
    return c;
  });
  let last = '';
  const draw = async (): Promise<void> => {
    const views: string[] = [];
    for (const [i, c] of admin.entries()) {
      try {
        const m = fieldMap((await c.call('SENTINEL', 'MASTER', 'mymaster')) as string[]);
        const reps = ((await c.call('SENTINEL', 'REPLICAS', 'mymaster')) as string[][]).map(fieldMap);
        const peers = ((await c.call('SENTINEL', 'SENTINELS', 'mymaster')) as string[][]).map(fieldMap);
        const addr = (await c.call('SENTINEL', 'GET-MASTER-ADDR-BY-NAME', 'mymaster')) as string[];
        views.push(
          `  sentinel :${t.sentinels[i]!.port} sees master ${addr[0]}:${addr[1]} [${m.get('flags')}] epoch ${m.get('config-epoch')}` +
            (m.has('failover-state') ? ` failover ${m.get('failover-state')}` : '') +
            `\n      replicas: ${reps.map((r) => `${r.get('ip')}:${r.get('port')} [${r.get('flags')}]`).join(', ') || '-'}` +
            `\n      peers: ${peers.map((p) => `:${p.get('port')} [${p.get('flags')}]`).join(', ') || '-'}`,
        );
      } catch {
        views.push(`  sentinel :${t.sentinels[i]!.port} is not answering`);
      }
    }
    const text = views.join('\n');
    if (text !== last) {
      last = text;
      out(`${ts()} topology as the sentinels see it:\n${text}`);
    }
  };
  const timer = setInterval(() => void draw(), 1000);
  await draw();
  if (durationS > 0) {
    setTimeout(() => {
      clearInterval(timer);
      void stop(`--duration ${durationS} s elapsed`);
    }, durationS * 1000);
  }
}

main().catch((e: unknown) => {
  out(`playground failed: ${(e as Error).stack ?? String(e)}`);
  process.exit(1);
});
