/**
 * The rules the core applies at the points where a variant can be plugged in. Production uses
 * DEFAULT_RULES; the simulator's self-test plugs in planted bugs (test/sim/mutants.ts) through
 * CoreOptions.rules to prove that its checkers catch each one. Rule code itself has no branches
 * for variants: a variant is a different function.
 */
import { mayGrantVote, votesToWin, votesWithOurs } from './election.js';
import { isNewerConfig } from './hello.js';
import { mayPromotePriorityZero } from './selection.js';

export interface RuleSet {
  /** At most one vote per epoch (election). */
  mayGrantVote(lastVoteEpoch: number, reqEpoch: number, currentEpoch: number): boolean;
  /** Votes our candidate has once our own vote is counted (election). */
  votesWithOurs(peerVotes: ReadonlyMap<string, number>, candidate: string): number;
  /** Votes a leader needs (election). */
  votesToWin(voters: number, quorum: number): number;
  /** Whether replica-priority 0 may be promoted (selection). */
  mayPromotePriorityZero(): boolean;
  /** Whether a hello's config epoch replaces ours (hello). */
  isNewerConfig(ours: number, theirs: number): boolean;
  /**
   * Makes a granted vote durable: `now` queues the config write ahead of the reply that reveals
   * the vote; `later` would write it on the next timer run (only a planted bug does that).
   */
  persistVote(now: () => void, later: () => void): void;
}

export const DEFAULT_RULES: Readonly<RuleSet> = Object.freeze({
  mayGrantVote,
  votesWithOurs,
  votesToWin,
  mayPromotePriorityZero,
  isNewerConfig,
  persistVote: (now: () => void): void => now(),
});
