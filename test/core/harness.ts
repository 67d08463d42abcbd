/**
 * A tiny driver for the core in tests: virtual time, a seeded PRNG, and helpers that answer
 * the commands the core sends, as a simulated network would.
 */
import type { Action, ReplyTag, Wire } from '../../src/core/actions.js';
import type { MasterConfig, SentinelGlobals } from '../../src/config/model.js';
import { newMasterConfig } from '../../src/config/model.js';
import { SentinelCore } from '../../src/core/sentinel.js';
import type { MasterSnapshot } from '../../src/core/snapshot.js';
import { mulberry32 } from '../sim/world.js';

/** The same seeded PRNG the simulator uses. */
export const seededRandom = mulberry32;

export interface Sent {
  conn: number;
  argv: string[];
  tag: ReplyTag;
}

export class CoreHarness {
  now = 1_000_000;
  readonly core: SentinelCore;
  readonly log: Action[] = [];
  /** Open connections: id -> where to. */
  readonly conns = new Map<number, { host: string; port: number; purpose: 'cmd' | 'pubsub' }>();
  /** Commands sent and not yet answered, in order. */
  pending: Sent[] = [];

  constructor(opts: { masters?: MasterConfig[]; globals?: Partial<SentinelGlobals>; port?: number; seed?: number } = {}) {
    const globals: SentinelGlobals = {
      myid: 'a'.repeat(40),
      currentEpoch: 0,
      announcePort: 0,
      denyScriptsReconfig: true,
      resolveHostnames: false,
      announceHostnames: false,
      ...opts.globals,
    };
    this.core = new SentinelCore({
      globals,
      masters: opts.masters ?? [],
      port: opts.port ?? 26379,
      now: this.now,
      random: seededRandom(opts.seed ?? 1),
    });
    this.drain();
  }

  static master(name = 'mymaster', port = 6379, quorum = 2, downAfterMs = 5000): MasterConfig {
    const m = newMasterConfig(name, '127.0.0.1', port, quorum);
    m.downAfterMs = downAfterMs;
    return m;
  }

  drain(): Action[] {
    const a = this.core.takeActions();
    for (const x of a) {
      this.log.push(x);
      if (x.type === 'connect') this.conns.set(x.conn, { host: x.host, port: x.port, purpose: x.purpose });
      if (x.type === 'close') {
        this.conns.delete(x.conn);
        this.pending = this.pending.filter((p) => p.conn !== x.conn);
      }
      if (x.type === 'send') this.pending.push({ conn: x.conn, argv: x.argv, tag: x.tag });
    }
    return a;
  }

  /** Advances virtual time in timer steps of `step` ms, running the core's timer each step. */
  advance(ms: number, step = 100): void {
    const end = this.now + ms;
    while (this.now < end) {
      this.now = Math.min(end, this.now + step);
      this.core.tick(this.now);
      this.drain();
    }
  }

  /** Reports every newly opened connection as connected (local address 127.0.0.1). */
  connectAll(): void {
    for (const id of this.conns.keys()) this.core.connected(id, '127.0.0.1', '127.0.0.1', this.now);
    this.drain();
  }

  /** Answers pending commands with `answer` (undefined = leave pending). */
  answer(f: (s: Sent, to: { host: string; port: number; purpose: string }) => Wire | undefined): void {
    const still: Sent[] = [];
    const todo = this.pending;
    this.pending = [];
    for (const s of todo) {
      const to = this.conns.get(s.conn);
      if (!to) continue;
      const v = f(s, to);
      if (v === undefined) still.push(s);
      else this.core.reply(s.conn, s.tag, v, this.now);
    }
    this.pending.push(...still);
    this.drain();
  }

  events(channel?: string): { channel: string; message: string }[] {
    return this.log
      .filter((a): a is Extract<Action, { type: 'event' }> => a.type === 'event')
      .filter((a) => channel === undefined || a.channel === channel)
      .map((a) => ({ channel: a.channel, message: a.message }));
  }

  /** SENTINEL MASTER / REPLICAS / SENTINELS of a master, each field map as a Map. */
  fields(what: 'master' | 'replicas' | 'all-replicas' | 'sentinels', master = 'mymaster'): Map<string, string>[] {
    return this.core.fields(master, what, this.now).map((f) => new Map(f));
  }

  /** The plain snapshot of a master (throws when it is not monitored). */
  master(name = 'mymaster'): MasterSnapshot {
    const m = this.core.masterSnapshot(name);
    if (!m) throw new Error(`no master ${name}`);
    return m;
  }

  persists(): number {
    return this.log.filter((a) => a.type === 'persist').length;
  }
}

export function masterInfo(runId: string, replicas: { ip: string; port: number }[]): string {
  const lines = ['# Server', `run_id:${runId}`, '', '# Replication', 'role:master', `connected_slaves:${replicas.length}`];
  replicas.forEach((r, i) => lines.push(`slave${i}:ip=${r.ip},port=${r.port},state=online,offset=100,lag=0`));
  return lines.join('\r\n') + '\r\n';
}

export function replicaInfo(runId: string, masterPort: number, extra: string[] = []): string {
  return (
    [
      '# Server',
      `run_id:${runId}`,
      '# Replication',
      'role:slave',
      'master_host:127.0.0.1',
      `master_port:${masterPort}`,
      'master_link_status:up',
      'slave_repl_offset:100',
      'slave_priority:100',
      'replica_announced:1',
      ...extra,
    ].join('\r\n') + '\r\n'
  );
}
