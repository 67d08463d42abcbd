/**
 * A model of a redis-server as the sentinels see it: role, replication offset, run id,
 * INFO text, the hello channel, and the reconfiguration transaction. Only what the sentinel's
 * decisions depend on, nothing more.
 */
import type { Wire } from '../../src/core/actions.js';
import type { Clock, Endpoint, Listener, Network, Rng, SimConn } from './world.js';

export interface Request {
  argv: string[];
}

let runIdCounter = 0;

export class RedisModel implements Listener {
  readonly addr: string;
  alive = true;
  runid: string;
  role: 'master' | 'slave';
  /** "ip:port" of the master this server replicates from (replicas). */
  masterAddr: string | null;
  /** What survives a restart: the role written by CONFIG REWRITE (or the initial one). */
  persistedMasterAddr: string | null;
  priority: number;
  offset = 0;
  /** A master that takes no more writes (its offset stops growing): the dry-run probe's quiet world. */
  writesPaused = false;
  linkUp = false;
  linkDownSince = 0;
  /** CLIENT PAUSE ... WRITE until this time (virtual ms; 0 = none): writes stop, PUBLISH blocks its connection. */
  pausedUntil = 0;
  private readonly subscribers = new Set<SimConn>();
  private readonly conns = new Set<SimConn>();
  /** Per connection: CLIENT SETNAME, when it last sent a command, and requests held behind a paused PUBLISH. */
  private readonly clientInfo = new Map<SimConn, { name: string; lastCmdAt: number; held: string[][] }>();
  restarts = 0;

  constructor(
    readonly port: number,
    private readonly world: { clock: Clock; net: Network; rng: Rng; servers: Map<string, RedisModel> },
    masterAddr: string | null,
    priority = 100,
  ) {
    this.addr = `127.0.0.1:${port}`;
    this.runid = RedisModel.newRunId(world.rng);
    this.masterAddr = masterAddr;
    this.persistedMasterAddr = masterAddr;
    this.role = masterAddr === null ? 'master' : 'slave';
    this.priority = priority;
    world.net.listeners.set(this.addr, this);
  }

  static newRunId(rng: Rng): string {
    runIdCounter++;
    let s = '';
    for (let i = 0; i < 40; i++) s += '0123456789abcdef'[Math.floor(rng() * 16)];
    return s;
  }

  accept(conn: SimConn): Endpoint | null {
    if (!this.alive) return null;
    this.conns.add(conn);
    const ci = { name: '', lastCmdAt: this.world.clock.now, held: [] as string[][] };
    this.clientInfo.set(conn, ci);
    let multi: string[][] | null = null;
    const handle = (argv: string[]): void => {
      const cmd = (argv[0] ?? '').toUpperCase();
      // A PUBLISH to a paused server waits for the pause to end, and every later request on
      // its connection behind it (Redis blocks the client).
      if (ci.held.length > 0 || (cmd === 'PUBLISH' && this.paused())) {
        ci.held.push(argv);
        return;
      }
      if (multi !== null && cmd !== 'EXEC') {
        multi.push(argv);
        conn.send(this.addr, 'QUEUED');
        return;
      }
      if (cmd === 'MULTI') {
        multi = [];
        conn.send(this.addr, 'OK');
        return;
      }
      if (cmd === 'EXEC') {
        const queued = multi ?? [];
        multi = null;
        const results = queued.map((q) => this.execute(q, conn));
        conn.send(this.addr, results);
        // CLIENT KILL in the transaction drops the sentinel's own connection too (it is a normal client).
        if (queued.some((q) => (q[0] ?? '').toUpperCase() === 'CLIENT' && (q[1] ?? '').toUpperCase() === 'KILL')) {
          this.killClients(conn);
        }
        return;
      }
      if (cmd === 'SUBSCRIBE') {
        this.subscribers.add(conn);
        conn.send(this.addr, ['subscribe', argv[1] ?? '', 1]);
        return;
      }
      conn.send(this.addr, this.execute(argv, conn));
    };
    this.release.set(conn, () => {
      const held = ci.held;
      ci.held = [];
      for (const argv of held) handle(argv);
    });
    return {
      deliver: (data) => {
        if (!this.alive) return;
        ci.lastCmdAt = this.world.clock.now;
        handle((data as Request).argv);
      },
      closed: () => {
        this.conns.delete(conn);
        this.subscribers.delete(conn);
        this.clientInfo.delete(conn);
        this.release.delete(conn);
      },
    };
  }

  /** Per connection: runs the requests held behind a paused PUBLISH. */
  private readonly release = new Map<SimConn, () => void>();

  paused(): boolean {
    return this.world.clock.now < this.pausedUntil;
  }

  /** CLIENT LIST TYPE normal: name and idle (whole seconds of a wall clock) of every connection. */
  private clientList(): string {
    const sec = (t: number): number => Math.floor(t / 1000);
    const now = this.world.clock.now;
    let id = 0;
    return [...this.clientInfo.values()].map((c) => `id=${++id} name=${c.name} age=1 idle=${sec(now) - sec(c.lastCmdAt)} flags=N\n`).join('');
  }

  private execute(argv: string[], from: SimConn): Wire {
    const cmd = (argv[0] ?? '').toUpperCase();
    switch (cmd) {
      case 'PING':
        return 'PONG';
      case 'CLIENT': {
        const sub = (argv[1] ?? '').toUpperCase();
        const ci = this.clientInfo.get(from);
        if (sub === 'SETNAME' && ci) ci.name = argv[2] ?? '';
        if (sub === 'LIST') return this.clientList();
        if (sub === 'PAUSE') this.pausedUntil = Math.max(this.pausedUntil, this.world.clock.now + Number(argv[2]));
        if (sub === 'UNPAUSE') this.unpause();
        return 'OK';
      }
      case 'AUTH':
      case 'CONFIG':
        if (cmd === 'CONFIG' && (argv[1] ?? '').toUpperCase() === 'REWRITE') this.persistedMasterAddr = this.masterAddr;
        return 'OK';
      case 'INFO':
        return this.info();
      case 'PUBLISH': {
        let n = 0;
        for (const s of this.subscribers) {
          if (!s.open) continue;
          s.send(this.addr, { message: [argv[1] ?? '', argv[2] ?? ''] });
          if (this.world.rng() < this.world.net.faults.duplicateProbability) {
            this.world.net.faultCount++;
            s.send(this.addr, { message: [argv[1] ?? '', argv[2] ?? ''] });
          }
          n++;
        }
        void from;
        return n;
      }
      case 'SLAVEOF':
      case 'REPLICAOF':
        if ((argv[1] ?? '').toUpperCase() === 'NO') {
          this.role = 'master';
          this.masterAddr = null;
          this.linkUp = false;
        } else {
          this.role = 'slave';
          this.masterAddr = `${argv[1]}:${argv[2]}`;
          this.linkUp = false;
          this.linkDownSince = this.world.clock.now;
        }
        return 'OK';
      case 'SCRIPT':
        return 'OK';
      default:
        return { error: `ERR unknown command '${argv[0]}'` };
    }
  }

  /** CLIENT KILL TYPE normal/pubsub: every client connection closes (the caller after its reply). */
  private killClients(except: SimConn): void {
    for (const c of [...this.conns]) {
      if (c === except) continue;
      c.closeFrom(this.addr);
      this.conns.delete(c);
      this.subscribers.delete(c);
    }
    except.closeFrom(this.addr);
    this.conns.delete(except);
    this.subscribers.delete(except);
  }

  info(): string {
    const lines = ['# Server', `run_id:${this.runid}`, `tcp_port:${this.port}`, '', '# Replication', `role:${this.role}`];
    if (this.role === 'master') {
      let i = 0;
      for (const s of this.world.servers.values()) {
        if (s.alive && s.role === 'slave' && s.masterAddr === this.addr && s.linkUp) {
          lines.push(`slave${i++}:ip=127.0.0.1,port=${s.port},state=online,offset=${s.offset},lag=0`);
        }
      }
      lines.push(`master_repl_offset:${this.offset}`);
    } else {
      const [host, port] = (this.masterAddr ?? ':').split(':');
      lines.push(`master_host:${host}`, `master_port:${port}`, `master_link_status:${this.linkUp ? 'up' : 'down'}`);
      if (!this.linkUp) lines.push(`master_link_down_since_seconds:${Math.floor((this.world.clock.now - this.linkDownSince) / 1000)}`);
      lines.push(`slave_repl_offset:${this.offset}`, `slave_priority:${this.priority}`, 'replica_announced:1');
    }
    return lines.join('\r\n') + '\r\n';
  }

  private unpause(): void {
    this.pausedUntil = 0;
    for (const r of [...this.release.values()]) r();
  }

  /** Replication progress, run every 100 ms of virtual time. */
  replicate(): void {
    if (!this.alive) return;
    // A pause that ended lets the blocked connections go on.
    if (this.pausedUntil !== 0 && !this.paused()) this.unpause();
    // A paused server takes no writes; a paused replica does not apply the stream either.
    if (this.paused()) return;
    if (this.role === 'master') {
      if (!this.writesPaused) this.offset += Math.floor(this.world.rng() * 100);
      return;
    }
    const m = this.masterAddr ? this.world.servers.get(this.masterAddr) : undefined;
    const reachable =
      m !== undefined &&
      m.alive &&
      m.role === 'master' &&
      !this.world.net.faults.blocked.has(`${this.addr}>${m.addr}`) &&
      !this.world.net.faults.blocked.has(`${m.addr}>${this.addr}`);
    if (reachable) {
      if (!this.linkUp) this.linkUp = true;
      // Replicas lag a little behind, by a random amount; with no new writes they catch up.
      this.offset = m.writesPaused ? Math.max(this.offset, m.offset) : Math.max(this.offset, m.offset - Math.floor(this.world.rng() * 200));
    } else if (this.linkUp) {
      this.linkUp = false;
      this.linkDownSince = this.world.clock.now;
    }
  }

  crash(): void {
    if (!this.alive) return;
    this.alive = false;
    this.pausedUntil = 0;
    for (const c of this.conns) c.reset('server crashed');
    this.conns.clear();
    this.subscribers.clear();
  }

  /** Restarts with what was persisted; `loseData` restarts with an empty dataset. */
  restart(loseData: boolean): void {
    if (this.alive) return;
    this.alive = true;
    this.restarts++;
    this.runid = RedisModel.newRunId(this.world.rng);
    this.masterAddr = this.persistedMasterAddr;
    this.role = this.masterAddr === null ? 'master' : 'slave';
    this.linkUp = false;
    this.linkDownSince = this.world.clock.now;
    if (loseData) this.offset = 0;
  }
}
