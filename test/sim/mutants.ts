/**
 * Planted bugs for the simulator's self-test (`npm run sim -- --mutant NAME`): each is a rule
 * variant plugged into the core through CoreOptions.rules, breaking one safety rule; the
 * simulator's checkers must catch every one. The core has no branch for any of them.
 */
import type { RuleSet } from '../../src/core/rules/index.js';

export const MUTANTS = {
  /** Votes again in an epoch it already voted in. */
  'vote-twice-in-epoch': {
    mayGrantVote: (lastVoteEpoch: number, reqEpoch: number, currentEpoch: number) => lastVoteEpoch <= reqEpoch && currentEpoch <= reqEpoch,
  },
  /** Counts the votes other candidates got as votes for its own candidate. */
  'count-votes-for-other-leader': {
    votesWithOurs: (peerVotes: ReadonlyMap<string, number>, _candidate: string) => [...peerVotes.values()].reduce((a, b) => a + b, 1),
  },
  /** Lets the reply revealing a vote leave before the vote is on disk. */
  'reply-vote-before-persist': {
    persistVote: (_now: () => void, later: () => void) => later(),
  },
  /** Promotes replica-priority 0 replicas. */
  'ignore-priority-zero': {
    mayPromotePriorityZero: () => true,
  },
  /** Takes a configuration with an equal config epoch as newer. */
  'switch-config-on-equal-epoch': {
    isNewerConfig: (ours: number, theirs: number) => ours <= theirs,
  },
  /** Elects with the quorum alone, without a majority of all sentinels. */
  'drop-majority-rule': {
    votesToWin: (_voters: number, quorum: number) => quorum,
  },
} satisfies Record<string, Partial<RuleSet>>;

export type Mutant = keyof typeof MUTANTS;
export const MUTANT_NAMES = Object.keys(MUTANTS) as Mutant[];

/** The rule variants of a set of mutants, merged (none: the production rules). */
export function mutantRules(mutants: ReadonlySet<Mutant>): Partial<RuleSet> {
  const rules: Partial<RuleSet> = {};
  for (const m of mutants) Object.assign(rules, MUTANTS[m]);
  return rules;
}

