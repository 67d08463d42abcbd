/**
 * SENTINEL FAILOVER, the operator's failover: what must hold before one starts (checked in
 * redis's order, then our TO option's), and how each excluded replica is explained to a person,
 * in refusals and in the dry run. Pure: facts in, a verdict out.
 */
import type { Exclusion } from './selection.js';

/** Why a replica is left out, in words an operator reads (the dry run and TO refusals). */
export const EXCLUSION_TEXT: Readonly<Record<Exclusion, string>> = Object.freeze({
  down: 'it is down (SDOWN or ODOWN)',
  disconnected: 'the sentinel has no connection to it',
  'no-recent-ping-reply': 'it has not answered PING in the last 5 ping periods',
  'priority-zero': 'its replica-priority is 0',
  'stale-info': 'its INFO is too old',
  'master-link-down-too-long': 'its link to the master has been down too long',
});

/** The replica a TO option names, as the tables know it. */
export interface TargetFacts {
  /** `ip:port` as given. */
  readonly asked: string;
  /** Known as a replica of this master. */
  readonly known: boolean;
  /** Why it may not be promoted, when known; null when it may. */
  readonly exclusion: Exclusion | null;
}

export type BlockerCode = 'INPROG' | 'NO_SUCH_REPLICA' | 'TARGET_NOT_ELIGIBLE' | 'NOGOODSLAVE' | 'NOGOODPRIMARY' | 'NOQUORUM';

export interface Blocker {
  readonly code: BlockerCode;
  /** The error reply, as redis words its own cases. */
  readonly message: string;
}

/**
 * What keeps a SENTINEL FAILOVER from starting now, or null: a failover already running
 * (INPROG, redis's first check), the TO target unknown or not eligible (naming the reason),
 * and no eligible replica at all (NOGOODSLAVE, redis's second check).
 */
export function failoverBlocker(inProgress: boolean, eligible: number, target: TargetFacts | null): Blocker | null {
  if (inProgress) return { code: 'INPROG', message: 'INPROG Failover already in progress' };
  if (target && !target.known) return { code: 'NO_SUCH_REPLICA', message: `ERR ${target.asked} is not a known replica of this master` };
  if (target && target.exclusion !== null) {
    return { code: 'TARGET_NOT_ELIGIBLE', message: `NOGOODSLAVE ${target.asked} cannot be promoted: ${EXCLUSION_TEXT[target.exclusion]}` };
  }
  if (eligible === 0) return { code: 'NOGOODSLAVE', message: 'NOGOODSLAVE No suitable replica to promote' };
  return null;
}

/** The replica a failover picks: the TO target when one is given (and eligible), else the best ranked. */
export function chosenReplica<R>(ranked: readonly R[], target: R | null): R | null {
  if (target !== null) return ranked.includes(target) ? target : null;
  return ranked[0] ?? null;
}
