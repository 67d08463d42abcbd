/**
 * The coordinated failover (SENTINEL FAILOVER <name> COORDINATED): instead of promoting a replica
 * behind the master's back, the master itself hands over with Redis's FAILOVER TO under a short
 * write pause, so the replica is promoted only once it has every write. These are its rules:
 * what the master must be before we ask, the pause lease, and reading the outcome.
 * Pure: facts and the time in, decisions out.
 */
import type { Wire } from '../actions.js';
import { isWireError } from '../actions.js';
import type { Blocker } from './manual.js';

/** Our write pause on the master: short, renewed while the hand-over progresses. */
export const PAUSE_LEASE_MS = 1000;
/** FAILOVER TO ... TIMEOUT: how long the master waits for the target to catch up before giving up by itself. */
export const SYNC_BUDGET_MS = 3000;

/** `major.minor` of a redis_version string is at least the one given. */
export function versionAtLeast(version: string, major: number, minor: number): boolean {
  const m = /^(\d+)\.(\d+)/.exec(version);
  if (!m) return false;
  const [a, b] = [Number(m[1]), Number(m[2])];
  return a > major || (a === major && b >= minor);
}

export interface CoordinatedFacts {
  /** The master's `master_failover_state`, null when its INFO never had the field. */
  readonly serverFailoverState: string | null;
  readonly serverVersion: string;
  /** Our link to the master is up and it is not SDOWN. */
  readonly masterReachable: boolean;
  /** Sentinels that can vote now (us plus reachable peers) and the votes a leader needs. */
  readonly voters: number;
  readonly votesNeeded: number;
}

/**
 * Why a coordinated failover cannot start (checked after the plain failover's own checks), or
 * null: the master must speak FAILOVER (Redis 7.0+, whose pauses are kept per purpose), run none
 * already, be reachable (it does the hand-over), and enough sentinels must be reachable to elect.
 */
export function coordinatedBlocker(f: CoordinatedFacts): Blocker | null {
  const no = (message: string): Blocker => ({ code: 'NOGOODPRIMARY', message });
  if (f.serverFailoverState === null) return no('NOGOODPRIMARY Primary does not support FAILOVER command');
  if (!versionAtLeast(f.serverVersion, 7, 0)) return no(`NOGOODPRIMARY Coordinated failover needs Redis 7.0 or newer on the master (it runs ${f.serverVersion || 'an unknown version'})`);
  if (f.serverFailoverState !== 'no-failover') return no(`NOGOODPRIMARY The master reports a FAILOVER already running (${f.serverFailoverState})`);
  if (!f.masterReachable) return no('NOGOODPRIMARY The master is down or unreachable; a coordinated failover needs it to hand over');
  if (f.voters < f.votesNeeded) return { code: 'NOQUORUM', message: `NOQUORUM ${f.voters} reachable sentinels, ${f.votesNeeded} votes needed to elect a leader` };
  return null;
}

/** Replicas acknowledge their offset once a second, by themselves (Redis's replicationCron). */
export const ACK_PERIOD_MS = 1000;
/** The hand-over is sent this long before the target's next acknowledgement is due. */
export const HANDOVER_LEAD_MS = 150;
/** Without a visible acknowledgement rhythm, the hand-over waits at most this long for one. */
export const HANDOVER_TIMING_MAX_WAIT_MS = 1500;

export interface AckFacts {
  /** When the target's acknowledged offset was last seen to change (0 = never). */
  readonly ackChangedAt: number;
  /** When the hand-over became due. */
  readonly dueSince: number;
}

/**
 * When to send the hand-over. The master demotes itself only once the target has acknowledged
 * its offset, and the target acknowledges once a second, never on request while writes are
 * paused: a pause started just after an acknowledgement lasts a second, one started just before
 * the next lasts milliseconds. So: just before the target's next acknowledgement, predicted from
 * when we last saw its acknowledged offset change (the master's INFO is read every 50 ms
 * meanwhile); without such a sighting (no writes, nothing to acknowledge), after a bounded wait.
 * (Sending at once when the target looks caught up loses the race to the next client write.)
 */
export function handoverDue(f: AckFacts, now: number): boolean {
  // The wait is bounded whatever the sightings say: clients issuing WAIT make the replicas
  // acknowledge on request, many times a second, so no gap of a period ever shows (the drill
  // with --wait kept a hand-over waiting for as long as it wrote).
  if (now - f.dueSince > HANDOVER_TIMING_MAX_WAIT_MS) return true;
  const sinceAck = now - f.ackChangedAt;
  if (f.ackChangedAt > 0 && sinceAck <= ACK_PERIOD_MS + 2 * HANDOVER_LEAD_MS) return sinceAck >= ACK_PERIOD_MS - HANDOVER_LEAD_MS;
  return false;
}

/** The pause is renewed when less than half of it is left. */
export function leaseRenewalDue(leaseUntil: number, now: number): boolean {
  return leaseUntil - now < PAUSE_LEASE_MS / 2;
}

/**
 * Where the hand-over stands, from the master's INFO taken after FAILOVER TO was sent:
 * still a master with no failover = the server gave up (sync budget spent, or PSYNC refused);
 * a replica = demoted, the target is promoting itself; otherwise it is still waiting for the sync.
 */
export type HandoverState = 'waiting' | 'demoted' | 'server-aborted';

export function handoverState(role: 'master' | 'slave', serverFailoverState: string | null): HandoverState {
  if (role === 'slave') return 'demoted';
  return serverFailoverState === 'no-failover' ? 'server-aborted' : 'waiting';
}

/** The EXEC of MULTI {CLIENT PAUSE; FAILOVER TO} failed when EXEC or any queued command answered an error. */
export function execFailed(reply: Wire): string | null {
  if (isWireError(reply)) return reply.error;
  if (!Array.isArray(reply)) return 'EXEC did not answer';
  const failed = reply.find(isWireError);
  return failed ? failed.error : null;
}
