/**
 * Which replica a failover promotes, and why each of the others is left out. The reasons are
 * kept (not just the winner) so that a dry run can show an operator the whole ranking.
 * Pure: replica facts and the time in, a ranking out.
 */

/** What selection reads of a replica. */
export interface CandidateFacts {
  readonly runid: string | null;
  readonly sDown: boolean;
  readonly oDown: boolean;
  readonly link: { readonly disconnected: boolean; readonly lastAvailTime: number };
  readonly slavePriority: number;
  readonly infoRefresh: number;
  readonly masterLinkDownTime: number;
  readonly slaveReplOffset: number;
}

/** What selection reads of the failing master. */
export interface FailingMasterFacts {
  readonly sDown: boolean;
  readonly sDownSinceTime: number;
  readonly downAfterMs: number;
}

export type Exclusion =
  /** SDOWN or ODOWN. */
  | 'down'
  | 'disconnected'
  /** No acceptable PING reply in the last five ping periods. */
  | 'no-recent-ping-reply'
  /** replica-priority 0: never promoted. */
  | 'priority-zero'
  /** INFO older than five ping periods (master down) or three info periods (master up). */
  | 'stale-info'
  /** Its link to the master has been down for longer than the master + ten down-after periods. */
  | 'master-link-down-too-long';

export interface SelectionTiming {
  readonly pingPeriod: number;
  readonly infoPeriod: number;
}

/** Whether a priority-0 replica may be promoted: never (a simulator variant plants the opposite). */
export function mayPromotePriorityZero(): boolean {
  return false;
}

/** Why this replica may not be promoted, or null when it may. */
export function exclusionOf(
  r: CandidateFacts,
  m: FailingMasterFacts,
  t: SelectionTiming,
  now: number,
  allowPriorityZero: () => boolean = mayPromotePriorityZero,
): Exclusion | null {
  let maxMasterDownTime = m.downAfterMs * 10;
  if (m.sDown) maxMasterDownTime += now - m.sDownSinceTime;
  const infoValidity = m.sDown ? t.pingPeriod * 5 : t.infoPeriod * 3;
  if (r.sDown || r.oDown) return 'down';
  if (r.link.disconnected) return 'disconnected';
  if (now - r.link.lastAvailTime > t.pingPeriod * 5) return 'no-recent-ping-reply';
  if (r.slavePriority === 0 && !allowPriorityZero()) return 'priority-zero';
  if (now - r.infoRefresh > infoValidity) return 'stale-info';
  if (r.masterLinkDownTime > maxMasterDownTime) return 'master-link-down-too-long';
  return null;
}

/** Lower priority first, then larger replication offset, then smaller run id (missing last). */
export function compareForPromotion(a: CandidateFacts, b: CandidateFacts): number {
  if (a.slavePriority !== b.slavePriority) return a.slavePriority - b.slavePriority;
  if (a.slaveReplOffset !== b.slaveReplOffset) return a.slaveReplOffset > b.slaveReplOffset ? -1 : 1;
  if (a.runid === null && b.runid === null) return 0;
  if (a.runid === null) return 1;
  if (b.runid === null) return -1;
  const x = a.runid.toLowerCase();
  const y = b.runid.toLowerCase();
  return x < y ? -1 : x > y ? 1 : 0;
}

export interface Ranking<R> {
  /** Eligible replicas, best first. */
  readonly ranked: R[];
  readonly excluded: { replica: R; reason: Exclusion }[];
}

/** Every replica, either ranked (best first) or excluded with its reason. */
export function rankReplicas<R extends CandidateFacts>(
  replicas: Iterable<R>,
  m: FailingMasterFacts,
  t: SelectionTiming,
  now: number,
  allowPriorityZero?: () => boolean,
): Ranking<R> {
  const ranked: R[] = [];
  const excluded: { replica: R; reason: Exclusion }[] = [];
  for (const r of replicas) {
    const reason = exclusionOf(r, m, t, now, allowPriorityZero);
    if (reason === null) ranked.push(r);
    else excluded.push({ replica: r, reason });
  }
  ranked.sort(compareForPromotion);
  return { ranked, excluded };
}
