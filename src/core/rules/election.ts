/**
 * Epochs, votes and the leader of a failover. The majority formula lives here and only here:
 * every caller (the election, SENTINEL CKQUORUM, the "configuration confirmed" shortcut) uses it.
 * Pure: votes and counts in, decisions out.
 */

/** More than half of `voters`. */
export function majority(voters: number): number {
  return Math.floor(voters / 2) + 1;
}

/** Votes a leader needs: a majority of every sentinel we know (us included), and the quorum. */
export function votesToWin(voters: number, quorum: number): number {
  return Math.max(majority(voters), quorum);
}

/**
 * At most one vote per epoch: granted only when we have not voted in this epoch or a later one,
 * and the request is not for an epoch older than our current one.
 */
export function mayGrantVote(lastVoteEpoch: number, reqEpoch: number, currentEpoch: number): boolean {
  return lastVoteEpoch < reqEpoch && currentEpoch <= reqEpoch;
}

/** A peer's last known vote, as its is-master-down-by-addr answer told us. */
export interface PeerVote {
  readonly leader: string | null;
  readonly leaderEpoch: number;
}

/**
 * Votes per candidate among the peers, counting only votes cast in `epoch` (redis counts those of
 * its current epoch, which may be later than the failover's: a vote granted in a later epoch
 * must not help elect anyone in an earlier one).
 */
export function tallyPeerVotes(peers: Iterable<PeerVote>, epoch: number): Map<string, number> {
  const counters = new Map<string, number>();
  for (const p of peers) {
    if (p.leader !== null && p.leaderEpoch === epoch) counters.set(p.leader, (counters.get(p.leader) ?? 0) + 1);
  }
  return counters;
}

/** The candidate with the most votes (the first one seen on a tie), or null when nobody has any. */
export function mostVoted(counters: ReadonlyMap<string, number>): { winner: string | null; votes: number } {
  let winner: string | null = null;
  let votes = 0;
  for (const [id, n] of counters) {
    if (n > votes) {
      votes = n;
      winner = id;
    }
  }
  return { winner, votes };
}

/** Votes for `candidate` once our own vote for it is added to the peers' (the correct count). */
export function votesWithOurs(counters: ReadonlyMap<string, number>, candidate: string): number {
  return (counters.get(candidate) ?? 0) + 1;
}

/**
 * The leader of an election: whoever has the most votes once ours is counted, provided that is
 * at least `needed`; otherwise nobody.
 */
export function electedLeader(peerVotes: ReadonlyMap<string, number>, ourVote: string | null, ourVotes: number, needed: number): string | null {
  const best = mostVoted(peerVotes);
  let winner = best.winner;
  let votes = best.votes;
  if (ourVote !== null && ourVotes > votes) {
    winner = ourVote;
    votes = ourVotes;
  }
  return winner !== null && votes >= needed ? winner : null;
}

/** A failover may be (re)started only after twice the failover timeout since the last attempt. */
export function failoverRetryAllowed(lastStartTime: number, failoverTimeout: number, now: number): boolean {
  return now - lastStartTime >= failoverTimeout * 2;
}

/** A candidate that is not elected gives up after the election timeout (capped by the failover timeout). */
export function electionTimedOut(startTime: number, electionTimeout: number, failoverTimeout: number, now: number): boolean {
  return now - startTime > Math.min(electionTimeout, failoverTimeout);
}

/** A peer's answer older than five ask periods is forgotten, together with the vote it carried. */
export function peerAnswerExpired(lastReplyTime: number, askPeriod: number, now: number): boolean {
  return now - lastReplyTime > askPeriod * 5;
}

/**
 * The epoch a request to a peer names: during our own failover, the failover's epoch (a vote
 * request); otherwise our current epoch, with `*` instead of a run id (a plain question).
 */
export function askEpoch(voting: boolean, failoverEpoch: number, currentEpoch: number): number {
  return voting ? failoverEpoch : currentEpoch;
}

/** SENTINEL CKQUORUM: usable sentinels (us plus peers not down) against the quorum and the majority. */
export function quorumCheck(usable: number, voters: number, quorum: number): { quorumOk: boolean; majorityOk: boolean } {
  return { quorumOk: usable >= quorum, majorityOk: usable >= majority(voters) };
}
