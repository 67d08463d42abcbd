/**
 * One simulated sentinel process: the real core and the real SENTINEL command handler, with
 * sockets, timer, clock and config file replaced by their simulated versions. Crashes lose the
 * in-memory state; restarts rebuild the core from what was persisted (or from a lost or stale
 * copy, as the fault asks).
 */
import type { Action, ReplyTag, Wire } from '../../src/core/actions.js';
import { SentinelCore } from '../../src/core/sentinel.js';
import type { Mutant } from './mutants.js';
import { mutantRules } from './mutants.js';
import type { MasterConfig, SentinelGlobals } from '../../src/config/model.js';
import { sentinelCommand } from '../../src/commands/sentinel.js';
import type { SentinelCommandEnv } from '../../src/commands/sentinel.js';
import type { Reply } from '../../src/protocol/reply.js';
import { fieldMapPairs } from '../../src/protocol/reply.js';
import type { Clock, Endpoint, Listener, Network, Rng, SimConn } from './world.js';
import type { Request } from './redis-model.js';

export interface Persisted {
  globals: SentinelGlobals;
  masters: MasterConfig[];
}

export interface HostObserver {
  /** Every action the core asked for, with the host that asked and the state at that moment. */
  action(host: SentinelHost, a: Action): void;
  /** A reply to is-master-down-by-addr is about to leave this host. */
  voteReply(host: SentinelHost, masterName: string, leader: string, leaderEpoch: number): void;
}

interface OutConn {
  conn: SimConn;
  pending: ReplyTag[];
  pubsub: boolean;
}

export class SentinelHost implements Listener {
  readonly addr: string;
  core: SentinelCore | null = null;
  persisted: Persisted;
  /** A copy of the persisted state taken earlier, for "restart with a stale config". */
  stale: Persisted | null = null;
  alive = true;
  /** The core's clock = virtual time + this offset (clock jumps). */
  clockOffset = 0;
  /** Events reaching a stalled host wait until this time (event-loop stall). */
  stalledUntil = 0;
  /** Extra latency of a config write: the whole process is blocked meanwhile. */
  slowWriteMs = 0;
  private out = new Map<number, OutConn>();
  private generation = 0;
  crashes = 0;

  constructor(
    readonly port: number,
    private readonly world: { clock: Clock; net: Network; rng: Rng },
    initial: Persisted,
    private readonly observer: HostObserver,
    private readonly mutants: ReadonlySet<Mutant>,
  ) {
    this.addr = `127.0.0.1:${port}`;
    this.persisted = clone(initial);
    world.net.listeners.set(this.addr, this);
    this.boot();
  }

  private now(): number {
    return this.world.clock.now + this.clockOffset;
  }

  /** The time as this host's core sees it (virtual time plus its clock offset). */
  coreNow(): number {
    return this.now();
  }

  private boot(): void {
    this.generation++;
    this.out = new Map();
    this.core = new SentinelCore({
      globals: clone(this.persisted.globals),
      masters: clone(this.persisted.masters),
      port: this.port,
      now: this.now(),
      random: this.world.rng,
      rules: mutantRules(this.mutants),
    });
    // The simulated sentinel starts with fast timers, like the official suite configures.
    this.core.setTiming('infoPeriod', 1000);
    this.flush();
    this.scheduleTick(this.generation);
  }

  /** Runs `f` now, or when the host's stall ends (events keep their order). */
  private whenRunning(f: () => void): void {
    const gen = this.generation;
    const run = (): void => {
      if (!this.alive || gen !== this.generation) return;
      if (this.world.clock.now < this.stalledUntil) {
        this.world.clock.at(this.stalledUntil, run);
        return;
      }
      f();
    };
    run();
  }

  private scheduleTick(gen: number): void {
    const hz = 10 + Math.floor(this.world.rng() * 10);
    this.world.clock.after(1000 / hz, () => {
      if (!this.alive || gen !== this.generation) return;
      this.whenRunning(() => {
        this.core!.tick(this.now());
        this.flush();
        this.scheduleTick(gen);
      });
    });
  }

  /** Carries out the core's actions; returns false if a persist failed (never, here). */
  flush(): boolean {
    const core = this.core!;
    for (;;) {
      const actions = core.takeActions();
      if (actions.length === 0) return true;
      for (const a of actions) {
        this.observer.action(this, a);
        this.execute(a);
        if (!this.alive) return true;
      }
    }
  }

  private execute(a: Action): void {
    const core = this.core!;
    switch (a.type) {
      case 'persist':
        this.persisted = { globals: core.exportGlobals(), masters: core.exportMasters() };
        if (this.slowWriteMs > 0) this.stalledUntil = Math.max(this.stalledUntil, this.world.clock.now + this.slowWriteMs);
        break;
      case 'connect':
        this.connect(a.conn, `${a.host}:${a.port}`, a.purpose === 'pubsub');
        break;
      case 'send': {
        const o = this.out.get(a.conn);
        if (!o || !o.conn.open) return;
        o.pending.push(a.tag);
        o.conn.send(this.addr, { argv: a.argv } satisfies Request);
        break;
      }
      case 'close': {
        const o = this.out.get(a.conn);
        if (o) {
          o.conn.closeFrom(this.addr);
          this.out.delete(a.conn);
        }
        break;
      }
      case 'exit':
        this.crash();
        break;
      case 'event':
      case 'log':
      case 'script':
        break;
    }
  }

  private connect(id: number, to: string, pubsub: boolean): void {
    const gen = this.generation;
    const entry: OutConn = { conn: null as unknown as SimConn, pending: [], pubsub };
    const endpoint: Endpoint = {
      deliver: (data) =>
        this.whenRunningGen(gen, () => {
          if (!this.out.has(id)) return;
          const msg = data as { message?: [string, string] } | Wire;
          if (pubsub && typeof msg === 'object' && msg !== null && !Array.isArray(msg) && 'message' in msg && msg.message) {
            this.core!.message(id, msg.message[0], msg.message[1], this.now());
          } else {
            const tag = entry.pending.shift();
            if (tag) this.core!.reply(id, tag, msg as Wire, this.now());
          }
          this.flush();
        }),
      closed: (reason) =>
        this.whenRunningGen(gen, () => {
          if (!this.out.has(id)) return;
          this.out.delete(id);
          this.core!.closed(id, reason, this.now());
          this.flush();
        }),
    };
    entry.conn = this.world.net.connect(this.addr, to, endpoint, () =>
      this.whenRunningGen(gen, () => {
        if (!this.out.has(id)) return;
        this.core!.connected(id, '127.0.0.1', '127.0.0.1', this.now());
        this.flush();
      }),
    );
    this.out.set(id, entry);
  }

  private whenRunningGen(gen: number, f: () => void): void {
    if (gen !== this.generation) return;
    this.whenRunning(f);
  }

  /** Peers talk to us: PING, PUBLISH hello, SENTINEL is-master-down-by-addr. */
  accept(conn: SimConn): Endpoint | null {
    if (!this.alive) return null;
    const gen = this.generation;
    return {
      deliver: (data) =>
        this.whenRunningGen(gen, () => {
          const argv = (data as Request).argv;
          const reply = this.serve(argv);
          if (conn.open) conn.send(this.addr, reply);
        }),
      closed: () => {},
    };
  }

  private serve(argv: string[]): Wire {
    const core = this.core!;
    const cmd = (argv[0] ?? '').toUpperCase();
    if (cmd === 'PING') return 'PONG';
    if (cmd === 'AUTH' || cmd === 'CLIENT') return 'OK';
    if (cmd === 'PUBLISH') {
      core.helloFromPeer(argv[2] ?? '', this.now());
      this.flush();
      return 1;
    }
    if (cmd === 'SENTINEL') {
      const sub = (argv[1] ?? '').toLowerCase();
      const reply = sentinelCommand(this.env(), sub, argv.slice(2), { id: 0, proto: 2, user: 'default', closeAfterReply: () => {}, answerKept: () => {} });
      this.flush();
      const wire = toWire(reply);
      if (sub === 'is-master-down-by-addr' && Array.isArray(wire) && wire.length === 3) {
        const name = core.snapshot().masters.find((x) => x.monitoredPort === Number(argv[3]))?.name;
        if (name) this.observer.voteReply(this, name, String(wire[1]), Number(wire[2]));
      }
      return wire;
    }
    return { error: `ERR unknown command '${argv[0]}'` };
  }

  /** Hands the core a hello as if a peer had published it to us, and carries out the result. */
  injectHello(payload: string): void {
    if (!this.alive || !this.core) return;
    this.core.helloFromPeer(payload, this.now());
    this.flush();
  }

  env(): SentinelCommandEnv {
    return {
      core: this.core!,
      now: () => this.now(),
      flush: () => this.flush(),
      isExecutable: () => false,
      getLogLevel: () => 'notice',
      setLogLevel: () => {},
      pendingScripts: () => ({ t: 'array', v: [] }),
    };
  }

  crash(): void {
    if (!this.alive) return;
    this.alive = false;
    this.crashes++;
    this.generation++;
    for (const o of this.out.values()) o.conn.reset('sentinel crashed');
    this.out.clear();
    this.core = null;
  }

  /** Restarts from the persisted config, or from nothing / a stale copy. */
  restart(mode: 'persisted' | 'lost' | 'stale', fresh: Persisted): void {
    if (this.alive) return;
    if (mode === 'lost') this.persisted = clone(fresh);
    else if (mode === 'stale' && this.stale) this.persisted = clone(this.stale);
    this.alive = true;
    this.stalledUntil = 0;
    this.boot();
  }

  snapshotStale(): void {
    this.stale = clone(this.persisted);
  }
}

function clone<T>(x: T): T {
  return structuredClone(x);
}

function toWire(r: Reply): Wire {
  switch (r.t) {
    case 'simple':
    case 'bulk':
      return String(r.v);
    case 'error':
      return { error: r.v };
    case 'int':
      return typeof r.v === 'bigint' ? Number(r.v) : r.v;
    case 'nullbulk':
    case 'nullarray':
      return null;
    case 'array':
    case 'push':
      return r.v.map(toWire);
    case 'map':
      return r.v.flatMap(([k, v]) => [toWire(k), toWire(v)]);
    case 'strmap':
      return r.v.flat();
    case 'fieldmaps':
      return fieldMapPairs(r.v).map((pairs) => pairs.flat());
    case 'raw':
      return r.v.toString();
  }
}
