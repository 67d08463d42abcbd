/**
 * Re-pointing replicas: during a failover (the other replicas follow the promoted one, at most
 * parallel-syncs at a time), and outside one (a returning old master is converted into a
 * replica, a replica following the wrong master is corrected).
 * Pure: replica facts, the master's state and the time in, decisions out.
 */
import type { Addr } from '../addr.js';
import { addrIs } from '../addr.js';

export type ReconfState = 'none' | 'sent' | 'inprog' | 'done';

/** What the correction rules read of the master entry. */
export interface MasterHealthFacts {
  readonly roleReported: 'master' | 'slave';
  readonly sDown: boolean;
  readonly oDown: boolean;
  readonly infoRefresh: number;
}

/** Corrections are only made while the master looks healthy: reports master, not down, fresh INFO. */
export function masterLooksSane(m: MasterHealthFacts, infoPeriod: number, now: number): boolean {
  return m.roleReported === 'master' && !m.sDown && !m.oDown && now - m.infoRefresh < infoPeriod * 2;
}

export interface DownHistory {
  readonly sDownSinceTime: number;
  readonly oDownSinceTime: number;
}

/** Not seen down (SDOWN or ODOWN) in the last `ms`. */
export function noDownFor(ri: DownHistory, ms: number, now: number): boolean {
  const mostRecent = Math.max(ri.sDownSinceTime, ri.oDownSinceTime);
  return mostRecent === 0 || now - mostRecent > ms;
}

/**
 * How long a replica claiming to be a master is observed before it is converted: redis waits
 * four hello periods for a newer configuration to show up; when a majority of the sentinels has
 * just confirmed ours, one ping period is enough.
 */
export function convertWait(confirmedByMajority: boolean, pingPeriod: number, publishPeriod: number): number {
  return confirmedByMajority ? pingPeriod : publishPeriod * 4;
}

export interface ClaimingMasterFacts extends DownHistory {
  readonly promoted: boolean;
  readonly roleReportedTime: number;
}

/** A replica that reports role:master (typically the old master back) is converted after `wait`. */
export function shouldConvertToSlave(ri: ClaimingMasterFacts, masterSane: boolean, wait: number, now: number): boolean {
  return !ri.promoted && masterSane && noDownFor(ri, wait, now) && now - ri.roleReportedTime > wait;
}

export interface FollowerFacts extends DownHistory {
  readonly slaveMasterHost: string | null;
  readonly slaveMasterPort: number;
  readonly slaveConfChangeTime: number;
}

/** Whether a replica follows another address than the master's. */
export function followsOtherMaster(ri: FollowerFacts, master: Addr): boolean {
  return ri.slaveMasterHost === null || !addrIs(master, ri.slaveMasterHost, ri.slaveMasterPort);
}

/** A replica following the wrong master is re-pointed once its setting is older than failover-timeout. */
export function shouldFixSlaveConfig(ri: FollowerFacts, masterSane: boolean, failoverTimeout: number, now: number): boolean {
  return masterSane && noDownFor(ri, failoverTimeout, now) && now - ri.slaveConfChangeTime > failoverTimeout;
}

export interface ReconfFacts {
  readonly reconf: ReconfState;
  readonly slaveMasterHost: string | null;
  readonly slaveMasterPort: number;
  readonly slaveMasterLinkUp: boolean;
}

/**
 * The progress a replica's INFO shows during a failover: `sent` becomes `inprog` once it follows
 * the promoted replica, `inprog` becomes `done` once its link to it is up (both may happen on one
 * INFO). Returns the states passed through, in order.
 */
export function reconfProgress(ri: ReconfFacts, target: Addr): ('inprog' | 'done')[] {
  const steps: ('inprog' | 'done')[] = [];
  let state = ri.reconf;
  if (state === 'sent' && ri.slaveMasterHost !== null && addrIs(target, ri.slaveMasterHost, ri.slaveMasterPort)) {
    state = 'inprog';
    steps.push('inprog');
  }
  if (state === 'inprog' && ri.slaveMasterLinkUp) steps.push('done');
  return steps;
}

export interface ReconfCandidate {
  readonly promoted: boolean;
  readonly reconf: ReconfState;
  readonly slaveReconfSentTime: number;
  readonly link: { readonly disconnected: boolean };
  readonly sDown: boolean;
}

/**
 * One pass of `reconf_slaves`, in replica order: which replicas' SLAVEOF timed out (they count
 * as done) and which get theirs now, keeping at most parallel-syncs in progress (a timed-out one
 * still counts as in progress until the next pass).
 */
export function planReconfiguration<R extends ReconfCandidate>(
  replicas: Iterable<R>,
  parallelSyncs: number,
  reconfTimeout: number,
  now: number,
): { replica: R; step: 'timed-out' | 'send' }[] {
  const list = [...replicas];
  const plan: { replica: R; step: 'timed-out' | 'send' }[] = [];
  let inProgress = list.filter((r) => r.reconf === 'sent' || r.reconf === 'inprog').length;
  for (const r of list) {
    if (inProgress >= parallelSyncs) break;
    if (r.promoted || r.reconf === 'done') continue;
    if (r.reconf === 'sent' && now - r.slaveReconfSentTime > reconfTimeout) {
      plan.push({ replica: r, step: 'timed-out' });
      continue;
    }
    if (r.reconf === 'sent' || r.reconf === 'inprog') continue;
    if (r.link.disconnected) continue;
    plan.push({ replica: r, step: 'send' });
    inProgress++;
  }
  return plan;
}

/**
 * Whether the failover is over: every replica but the promoted one is reconfigured (or down),
 * or failover-timeout passed since reconfiguration started (then the rest are told regardless).
 */
export function failoverEnd(replicas: Iterable<ReconfCandidate>, stateChangeTime: number, failoverTimeout: number, now: number): { end: boolean; timeout: boolean } {
  if (now - stateChangeTime > failoverTimeout) return { end: true, timeout: true };
  for (const r of replicas) {
    if (r.promoted || r.reconf === 'done' || r.sDown) continue;
    return { end: false, timeout: false };
  }
  return { end: true, timeout: false };
}

/** After a failover ended for timeout: the replicas still to be told about the new master. */
export function stillToReconfigure<R extends ReconfCandidate>(replicas: Iterable<R>): R[] {
  return [...replicas].filter((r) => !r.promoted && r.reconf !== 'done' && r.reconf !== 'sent' && !r.link.disconnected);
}
