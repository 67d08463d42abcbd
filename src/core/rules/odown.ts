/**
 * Objective down (ODOWN): a weak, time-windowed agreement. A master is objectively down when we
 * see it subjectively down and enough peers said so recently to reach the quorum, us included.
 * Pure: counts in, decision out.
 */

/** What ODOWN reads of a peer: whether its last is-master-down-by-addr answer said "down". */
export interface PeerDownFacts {
  readonly masterDown: boolean;
}

/** Sentinels that see the master down: ourselves (only when we do) plus the peers that said so. */
export function odownVotes(sDown: boolean, peers: Iterable<PeerDownFacts>): number {
  if (!sDown) return 0;
  let votes = 1;
  for (const p of peers) if (p.masterDown) votes++;
  return votes;
}

/** ODOWN needs our own SDOWN and at least `quorum` sentinels agreeing. */
export function isObjectivelyDown(sDown: boolean, votes: number, quorum: number): boolean {
  return sDown && votes >= quorum;
}
