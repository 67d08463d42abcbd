/**
 * The operator's failover (SENTINEL FAILOVER): its plan, which a dry run reports without changing
 * anything, and its start, which refuses exactly what the plan says blocks it. One function
 * builds the plan for both, so a dry run and the failover that follows it judge alike.
 */
import { SentinelError } from '../util/errors.js';
import { addrIs } from './addr.js';
import { rankCandidates, startFailover } from './failover.js';
import type { MasterInstance, ReplicaInstance } from './instance.js';
import { quorumCheck } from './rules/election.js';
import type { Blocker } from './rules/manual.js';
import type { Exclusion } from './rules/selection.js';
import { coordinatedBlocker } from './rules/coordinated.js';
import { EXCLUSION_TEXT, chosenReplica, failoverBlocker } from './rules/manual.js';
import { askPeersAboutMaster } from './voting.js';
import type { CoreContext } from './state.js';

export interface FailoverOptions {
  /** TO <ip> <port>: promote this replica and no other. */
  target?: { host: string; port: number };
  /** COORDINATED: elected, and the master hands over with FAILOVER TO under a write pause. */
  coordinated?: boolean;
}

/** One replica in a plan: eligible with its rank, or the rule that excludes it. */
export interface PlannedReplica {
  name: string;
  host: string;
  port: number;
  eligible: boolean;
  /** The exclusion rule's name (rules/selection.ts) and its explanation; empty when eligible. */
  excludedBy: string;
  reason: string;
  priority: number;
  offset: number;
  /** 1 = the one selection would pick; 0 when excluded. */
  rank: number;
}

/** What SENTINEL FAILOVER would do now. Plain data. */
export interface FailoverPlan {
  master: string;
  /** forced: redis-sentinel's SENTINEL FAILOVER (no election); coordinated: elected, the master hands over. */
  mode: 'forced' | 'coordinated';
  wouldStart: boolean;
  blocker: Blocker | null;
  /** The epoch the failover would take. */
  epoch: number;
  /** In TILT the failover starts but its steps wait until TILT ends (as in redis). */
  tilt: boolean;
  /** The election an automatic failover would need (a forced one skips it; reported for the operator). */
  election: { required: boolean; voters: number; quorum: number; votesNeeded: number; peersReachable: number; quorumReachable: boolean };
  replicas: PlannedReplica[];
  /** The replica that would be promoted (null when blocked). */
  selected: string | null;
  target: string | null;
}

export function planFailover(ctx: CoreContext, m: MasterInstance, now: number, opts: FailoverOptions): { plan: FailoverPlan; target: ReplicaInstance | null } {
  const { s, fx } = ctx;
  const ranking = rankCandidates(ctx, m, now);
  let target: ReplicaInstance | null = null;
  let targetFacts = null;
  if (opts.target) {
    const { host, port } = opts.target;
    target = [...m.slaves.values()].find((r) => addrIs(r.addr, host, port)) ?? null;
    const excluded = target ? ranking.excluded.find((e) => e.replica === target) : undefined;
    targetFacts = { asked: `${host}:${port}`, known: target !== null, exclusion: excluded ? excluded.reason : null };
  }
  let reachable = 0;
  for (const p of m.sentinels.values()) if (!p.link.disconnected && !p.sDown) reachable++;
  const voters = m.sentinels.size + 1;
  const coordinated = opts.coordinated === true;
  const blocker =
    failoverBlocker(m.failoverInProgress, ranking.ranked.length, targetFacts) ??
    (coordinated
      ? coordinatedBlocker({
          serverFailoverState: m.serverFailoverState,
          serverVersion: m.serverVersion,
          masterReachable: !m.link.disconnected && !m.sDown,
          voters: reachable + 1,
          votesNeeded: ctx.rules.votesToWin(voters, m.quorum),
        })
      : null);
  const replicas: PlannedReplica[] = [];
  ranking.ranked.forEach((r, i) => replicas.push(planned(fx.announceAddr(r.addr), r, null, i + 1)));
  for (const { replica, reason } of ranking.excluded) replicas.push(planned(fx.announceAddr(replica.addr), replica, reason, 0));
  const chosen = blocker ? null : chosenReplica(ranking.ranked, target);
  const reach = quorumCheck(reachable + 1, voters, m.quorum);
  return {
    plan: {
      master: m.name,
      mode: coordinated ? 'coordinated' : 'forced',
      wouldStart: blocker === null,
      blocker,
      epoch: s.currentEpoch + 1,
      tilt: s.tilt,
      election: {
        required: coordinated,
        voters,
        quorum: m.quorum,
        votesNeeded: ctx.rules.votesToWin(voters, m.quorum),
        peersReachable: reachable,
        quorumReachable: reach.quorumOk && reach.majorityOk,
      },
      replicas,
      selected: chosen ? chosen.name : null,
      target: target ? target.name : opts.target ? `${opts.target.host}:${opts.target.port}` : null,
    },
    target,
  };
}

function planned(host: string, r: ReplicaInstance, excludedBy: Exclusion | null, rank: number): PlannedReplica {
  return {
    name: r.name,
    host,
    port: r.addr.port,
    eligible: excludedBy === null,
    excludedBy: excludedBy ?? '',
    reason: excludedBy === null ? '' : EXCLUSION_TEXT[excludedBy],
    priority: r.slavePriority,
    offset: r.slaveReplOffset,
    rank,
  };
}

/** SENTINEL FAILOVER: refuses what the plan says blocks it; otherwise a forced failover in a new epoch. */
export function startManualFailover(ctx: CoreContext, m: MasterInstance, now: number, opts: FailoverOptions): void {
  const { plan, target } = planFailover(ctx, m, now, opts);
  if (plan.blocker) throw new SentinelError(plan.blocker.code, plan.blocker.message);
  ctx.fx.log('notice', `Executing user requested ${opts.coordinated ? 'COORDINATED ' : ''}FAILOVER of '${m.name}'${target ? ` to ${target.name}` : ''}`);
  startFailover(ctx, m, now);
  m.failoverTarget = target;
  if (!opts.coordinated) {
    m.forceFailover = true;
    return;
  }
  // Elected like an automatic failover: ask every peer for its vote now.
  m.coordinated = true;
  askPeersAboutMaster(ctx, m, now, true);
}
