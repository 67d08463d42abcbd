/**
 * Safety and liveness checkers. They live outside the code under test and only watch: the
 * actions each core emits, the replies that leave each host, and the model servers.
 */
import type { Action } from '../../src/core/actions.js';
import type { SentinelHost } from './sentinel-host.js';
import type { RedisModel } from './redis-model.js';

export interface Violation {
  time: number;
  rule: string;
  detail: string;
}

export class Checkers {
  readonly violations: Violation[] = [];
  /** myid -> epoch -> whom it voted for (survives restarts of the process). */
  private readonly votes = new Map<string, Map<number, string>>();
  /** epoch -> the sentinel elected in it. */
  private readonly leaders = new Map<number, string>();
  /** failover epochs whose promotion was observed. */
  private readonly promotions = new Set<number>();
  /** host generation key -> master -> config epoch last seen. */
  private readonly configEpochs = new Map<SentinelHost, Map<string, number>>();
  /**
   * Sentinels restarted with their config lost: new identities that know no peers and no
   * epochs. With quorum 1 such a sentinel is a majority of one and may elect itself in an old
   * epoch, exactly like a freshly installed redis-sentinel; that is the deployment's problem,
   * not the protocol's, so the election rules are not checked for them.
   */
  private readonly amnesiac = new Set<string>();
  elections = 0;
  failovers = 0;
  fences = 0;
  /** Elections won by a sentinel that knew no peer (not checked; see +elected-leader). */
  lone = 0;

  constructor(
    private readonly now: () => number,
    private readonly servers: Map<string, RedisModel>,
  ) {}

  private fail(rule: string, detail: string): void {
    this.violations.push({ time: this.now(), rule, detail });
  }

  observe(host: SentinelHost, a: Action): void {
    const core = host.core;
    if (!core || a.type !== 'event') return;
    const myid = core.myid;
    switch (a.channel) {
      case '+vote-for-leader': {
        const [runid, epochText] = a.message.split(' ');
        const epoch = Number(epochText);
        let mine = this.votes.get(myid);
        if (!mine) this.votes.set(myid, (mine = new Map()));
        const before = mine.get(epoch);
        if (before !== undefined && before !== runid) {
          this.fail('one-vote-per-epoch', `${myid.slice(0, 8)} voted for ${before.slice(0, 8)} and ${runid?.slice(0, 8)} in epoch ${epoch}`);
        }
        mine.set(epoch, runid ?? '');
        break;
      }
      case '+elected-leader': {
        const m = core.masterSnapshot(a.masterName ?? '');
        if (!m || m.flags.split(',').includes('force_failover') || this.amnesiac.has(myid)) break;
        // A sentinel that has not heard of a single peer (cut off before the first hellos) is,
        // with quorum 1, a majority of one, exactly like a redis-sentinel installed without its
        // peers: the deployment's problem, as for the amnesiac ones above (seeds 869 and 5154,
        // partitions 2 s into the run, as the first hellos go out).
        if (m.sentinels.length === 0) {
          this.lone++;
          break;
        }
        const epoch = m.failoverEpoch;
        this.elections++;
        const other = this.leaders.get(epoch);
        if (other !== undefined && other !== myid) {
          this.fail('one-leader-per-epoch', `${other.slice(0, 8)} and ${myid.slice(0, 8)} both elected in epoch ${epoch}`);
        }
        this.leaders.set(epoch, myid);
        let got = 0;
        for (const perVoter of this.votes.values()) if (perVoter.get(epoch) === myid) got++;
        const voters = m.sentinels.length + 1;
        const needed = Math.max(m.quorum, Math.floor(voters / 2) + 1);
        if (got < needed) {
          this.fail('votes-before-promotion', `${myid.slice(0, 8)} elected in epoch ${epoch} with ${got} real votes, needs ${needed}`);
        }
        break;
      }
      case '+fence':
        this.fences++;
        break;
      case '+selected-slave': {
        const port = a.message.split(' ')[3];
        const server = this.servers.get(`127.0.0.1:${port}`);
        if (server && server.priority === 0) this.fail('never-promote-priority-0', `selected ${server.addr} with priority 0`);
        break;
      }
      case '+promoted-slave': {
        const m = core.masterSnapshot(a.masterName ?? '');
        if (!m) break;
        this.failovers++;
        if (this.amnesiac.has(myid)) break;
        if (this.promotions.has(m.failoverEpoch)) {
          this.fail('unique-failover-epochs', `two promotions in epoch ${m.failoverEpoch}`);
        }
        this.promotions.add(m.failoverEpoch);
        break;
      }
      default:
        break;
    }
    // Within one process lifetime a master's config epoch never goes back.
    let seen = this.configEpochs.get(host);
    if (!seen) this.configEpochs.set(host, (seen = new Map()));
    for (const m of core.snapshot().masters) {
      const prev = seen.get(m.name) ?? 0;
      if (m.configEpoch < prev) this.fail('config-epoch-monotonic', `${m.name} went from ${prev} to ${m.configEpoch} on ${host.addr}`);
      seen.set(m.name, m.configEpoch);
    }
  }

  lostConfig(myid: string): void {
    this.amnesiac.add(myid);
  }

  /** A host restarted: its in-memory epochs start again from what it loaded. */
  restarted(host: SentinelHost): void {
    this.configEpochs.delete(host);
  }

  /** Votes must be on disk before the peer hears of them. */
  voteReply(host: SentinelHost, masterName: string, leader: string, leaderEpoch: number): void {
    if (leader === '*') return;
    const persisted = host.persisted.masters.find((m) => m.name === masterName);
    if (!persisted || persisted.leaderEpoch < leaderEpoch) {
      this.fail('vote-persisted-before-reply', `${host.addr} replied vote for epoch ${leaderEpoch} with ${persisted?.leaderEpoch ?? 'nothing'} on disk`);
    }
  }

  /** Liveness: after the faults stop, everyone agrees on one master that every replica follows. */
  converged(hosts: SentinelHost[], masterName: string): { ok: boolean; why: string } {
    const servers = [...this.servers.values()].filter((s) => s.alive);
    const masters = servers.filter((s) => s.role === 'master');
    if (masters.length !== 1) return { ok: false, why: `${masters.length} servers are masters (${masters.map((m) => m.addr).join(' ')})` };
    const master = masters[0]!;
    // A fence is a lease: once the network is whole, nothing may stay paused.
    const paused = servers.filter((s) => s.paused());
    if (paused.length > 0) return { ok: false, why: `${paused.map((s) => s.addr).join(' ')} still paused` };
    for (const s of servers) {
      if (s === master) continue;
      if (s.masterAddr !== master.addr || !s.linkUp) return { ok: false, why: `${s.addr} follows ${s.masterAddr} (link ${s.linkUp ? 'up' : 'down'}), not ${master.addr}` };
    }
    let epoch: number | null = null;
    for (const h of hosts) {
      if (!h.alive || !h.core) continue;
      const m = h.core.masterSnapshot(masterName);
      if (!m) return { ok: false, why: `${h.addr} does not monitor ${masterName}` };
      if (`${m.host}:${m.port}` !== master.addr) return { ok: false, why: `${h.addr} thinks the master is ${m.host}:${m.port}, not ${master.addr}` };
      if (epoch === null) epoch = m.configEpoch;
      else if (epoch !== m.configEpoch) return { ok: false, why: `config epochs differ (${epoch} vs ${m.configEpoch} on ${h.addr})` };
    }
    return { ok: true, why: '' };
  }
}
