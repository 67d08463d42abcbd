/**
 * The observer a partition test runs in each host's namespace (`node dist/test/partition/agent.js`),
 * since the test process itself cannot reach any address in there. It only ever talks to the
 * servers of its own host, over the host's own address: that traffic never crosses the bridge,
 * so partitions never blind it.
 *
 * Requests arrive as JSON lines on stdin; answers and streams leave as JSON lines on stdout, all
 * timestamped with Date.now() (one clock for every process of the machine):
 *   {"id":1,"op":"call","port":6379,"args":["INFO","replication"],"timeoutMs":1000}
 *      -> {"id":1,"ok":true,"value":...} | {"id":1,"ok":false,"error":"..."}
 *   {"id":2,"op":"subscribe","port":26379}   every event of that sentinel's pub/sub, as
 *      -> {"id":2,"ok":true}, then {"ev":"+switch-master","msg":"...","port":26379,"t":...}
 *   {"id":3,"op":"watch","port":6379,"intervalMs":50,"probeTimeoutMs":200,"probeKey":"k"}
 *      -> {"id":3,"ok":true}, then every intervalMs
 *         {"sample":6379,"t":...,"role":"master"|"slave"|"down","writable":true|false|null}
 * The agent exits when stdin ends.
 *
 * "writable" is only probed on a server reporting role:master, with a SET of a throwaway key: a
 * master whose writes are paused (CLIENT PAUSE WRITE; INFO in redis 7.0 does not show a pause)
 * holds the SET, so no reply within probeTimeoutMs means not writable; so do READONLY and
 * NOREPLICAS errors. A held probe connection is dropped (the server forgets the held SET).
 */
import readline from 'node:readline';
import { Redis } from 'ioredis';

interface CallReq {
  id: number;
  op: 'call';
  port: number;
  args: string[];
  timeoutMs?: number;
}
interface SubscribeReq {
  id: number;
  op: 'subscribe';
  port: number;
}
interface WatchReq {
  id: number;
  op: 'watch';
  port: number;
  intervalMs: number;
  probeTimeoutMs: number;
  probeKey: string;
}
type Req = CallReq | SubscribeReq | WatchReq;

const host = process.argv[2];
if (!host) {
  process.stderr.write('usage: agent.js <address of this host>\n');
  process.exit(2);
}
const out = (o: object): boolean => process.stdout.write(JSON.stringify(o) + '\n');
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/**
 * One connection for plain commands, replaced after a timeout: a reply that never came would
 * otherwise hold up every later command on it (the server answers in order).
 */
class Link {
  private client: Redis | null = null;
  constructor(private readonly port: number) {}

  private get(): Redis {
    if (!this.client) {
      this.client = new Redis({
        host,
        port: this.port,
        connectTimeout: 500,
        enableReadyCheck: false,
        disableClientInfo: true,
        maxRetriesPerRequest: 0,
        retryStrategy: () => 100,
      });
      this.client.on('error', () => {});
    }
    return this.client;
  }

  async call(args: string[], timeoutMs: number): Promise<unknown> {
    const c = this.get();
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        if (this.client === c) this.client = null;
        c.disconnect();
        reject(new Error(`timeout after ${timeoutMs} ms`));
      }, timeoutMs);
    });
    try {
      return await Promise.race([c.call(args[0]!, ...args.slice(1)), timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  close(): void {
    this.client?.disconnect();
    this.client = null;
  }
}

const links = new Map<string, Link>();
function link(port: number, purpose: string): Link {
  const key = `${purpose}:${port}`;
  let l = links.get(key);
  if (!l) links.set(key, (l = new Link(port)));
  return l;
}

const subscribers: Redis[] = [];
async function subscribe(port: number): Promise<void> {
  // Reconnects and resubscribes by itself, e.g. to a sentinel that is killed and restarted.
  const sub = new Redis({ host, port, connectTimeout: 500, enableReadyCheck: false, disableClientInfo: true, retryStrategy: () => 200 });
  sub.on('error', () => {});
  sub.on('pmessage', (_pattern: string, channel: string, msg: string) => out({ ev: channel, msg, port, t: Date.now() }));
  subscribers.push(sub);
  await sub.psubscribe('*');
}

let running = true;
async function watch(w: WatchReq): Promise<void> {
  const info = link(w.port, 'watch');
  const probe = link(w.port, 'probe');
  while (running) {
    const t = Date.now();
    let role = 'down';
    let writable: boolean | null = null;
    try {
      const text = String(await info.call(['INFO', 'replication'], 500));
      role = /^role:(\w+)/m.exec(text)?.[1] ?? 'unknown';
      if (role === 'master') {
        try {
          writable = (await probe.call(['SET', w.probeKey, String(t)], w.probeTimeoutMs)) === 'OK';
        } catch {
          writable = false;
        }
      }
    } catch {
      role = 'down';
    }
    out({ sample: w.port, t, role, writable });
    await sleep(Math.max(0, t + w.intervalMs - Date.now()));
  }
}

async function handle(req: Req): Promise<void> {
  try {
    if (req.op === 'call') {
      const value = await link(req.port, 'call').call(req.args, req.timeoutMs ?? 2000);
      out({ id: req.id, ok: true, value });
    } else if (req.op === 'subscribe') {
      await subscribe(req.port);
      out({ id: req.id, ok: true });
    } else if (req.op === 'watch') {
      void watch(req);
      out({ id: req.id, ok: true });
    } else {
      out({ id: (req as { id?: number }).id ?? 0, ok: false, error: 'unknown op' });
    }
  } catch (e) {
    out({ id: req.id, ok: false, error: (e as Error).message });
  }
}

const rl = readline.createInterface({ input: process.stdin });
rl.on('line', (line) => {
  if (line.trim()) void handle(JSON.parse(line) as Req);
});
rl.on('close', () => {
  running = false;
  for (const l of links.values()) l.close();
  for (const s of subscribers) s.disconnect();
  // Nothing may keep the agent alive once its parent is done with it.
  setTimeout(() => process.exit(0), 100).unref();
});
