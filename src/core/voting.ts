/**
 * Asking peers about a master and voting: the is-master-down-by-addr exchange in both directions,
 * our vote, and counting the votes of an election. The arithmetic is in rules/election.ts.
 */
import type { Wire } from './actions.js';
import { addrIs } from './addr.js';
import type { MasterInstance, SentinelPeer } from './instance.js';
import { askEpoch, electedLeader, mostVoted, peerAnswerExpired, tallyPeerVotes } from './rules/election.js';
import type { CoreContext } from './state.js';

/**
 * While we see the master down, ask every connected peer (at most once per ask period, or at
 * once when `force`) whether it agrees; during our own failover the question is a vote request.
 * Answers older than five ask periods are forgotten, with the vote they carried.
 */
export function askPeersAboutMaster(ctx: CoreContext, m: MasterInstance, now: number, force: boolean): void {
  const { s, fx } = ctx;
  for (const p of m.sentinels.values()) {
    if (peerAnswerExpired(p.lastMasterDownReplyTime, s.timing.askPeriod, now)) {
      p.masterDown = false;
      p.leader = null;
    }
    // A coordinated failover asks for votes about a master that is up: it is planned, not a crash.
    const electing = m.coordinated && m.failoverState === 'wait_start';
    if (!m.sDown && !electing) continue;
    if (p.link.disconnected) continue;
    if (!force && now - p.lastMasterDownReplyTime < s.timing.askPeriod) continue;
    // A vote request names the epoch of our failover, not whatever epoch we have heard of
    // since (redis sends its current epoch; a vote granted in a later epoch must not help
    // elect us in an earlier one — found by the simulator, seed 27).
    const voting = m.failoverState !== 'none';
    fx.send(p, 'cc', 'ask', [
      m.cmd('SENTINEL'),
      'is-master-down-by-addr',
      fx.announceAddr(m.addr),
      String(m.addr.port),
      String(askEpoch(voting, m.failoverEpoch, s.currentEpoch)),
      voting ? s.myid : '*',
    ]);
  }
}

/** A peer's answer: whether it sees the master down, and its vote (when it voted). */
export function onAskReply(p: SentinelPeer, value: Wire, now: number): void {
  if (!Array.isArray(value) || value.length !== 3) return;
  const [down, leader, epoch] = value;
  if (typeof down !== 'number' || typeof leader !== 'string' || typeof epoch !== 'number') return;
  p.lastMasterDownReplyTime = now;
  p.masterDown = down === 1;
  if (leader !== '*') {
    p.leader = leader;
    p.leaderEpoch = epoch;
  }
}

/** Adopts a higher epoch heard of (from a hello or a vote request), persisting it first. */
export function adoptEpoch(ctx: CoreContext, m: MasterInstance, epoch: number): void {
  if (epoch <= ctx.s.currentEpoch) return;
  ctx.s.currentEpoch = epoch;
  ctx.fx.persist();
  ctx.fx.masterEvent('warning', '+new-epoch', m, String(epoch));
}

/** Grants at most one vote per epoch; the vote and epoch are persisted before any reply. */
export function voteLeader(ctx: CoreContext, m: MasterInstance, reqEpoch: number, reqRunid: string, now: number): void {
  const { s, fx, rules } = ctx;
  adoptEpoch(ctx, m, reqEpoch);
  if (!rules.mayGrantVote(m.leaderEpoch, reqEpoch, s.currentEpoch)) return;
  m.leader = reqRunid;
  m.leaderEpoch = s.currentEpoch;
  rules.persistVote(
    () => fx.persist(),
    () => (s.deferredPersist = true),
  );
  fx.masterEvent('warning', '+vote-for-leader', m, `${m.leader} ${m.leaderEpoch}`);
  // Having voted for someone else, we do not start our own failover for a while.
  if (reqRunid !== s.myid) m.failoverStartTime = now + Math.floor(ctx.random() * 1000);
}

/**
 * SENTINEL IS-MASTER-DOWN-BY-ADDR: whether we see the master at that address down, and, when
 * `runid` is not `*`, the answer to a vote request for `reqEpoch`.
 */
export function answerIsMasterDown(ctx: CoreContext, ip: string, port: number, reqEpoch: number, runid: string, now: number): [number, string, number] {
  let found: MasterInstance | undefined;
  for (const m of ctx.s.masters.values()) {
    if (addrIs(m.addr, ip, port)) {
      found = m;
      break;
    }
  }
  const isDown = found !== undefined && !ctx.s.tilt && found.sDown ? 1 : 0;
  if (!found || runid === '*') return [isDown, '*', 0];
  voteLeader(ctx, found, reqEpoch, runid, now);
  return [isDown, found.leader ?? '*', found.leaderEpoch];
}

/**
 * The leader for `epoch`: we vote for the peers' favourite (or ourselves when nobody has votes),
 * then the most voted candidate wins if it has a majority of all known sentinels and the quorum.
 */
export function electLeader(ctx: CoreContext, m: MasterInstance, epoch: number, now: number): string | null {
  const { s, rules } = ctx;
  const counters = tallyPeerVotes(m.sentinels.values(), epoch);
  voteLeader(ctx, m, epoch, mostVoted(counters).winner ?? s.myid, now);
  const ourVote = m.leader !== null && m.leaderEpoch === epoch ? m.leader : null;
  const ourVotes = ourVote === null ? 0 : rules.votesWithOurs(counters, ourVote);
  return electedLeader(counters, ourVote, ourVotes, rules.votesToWin(m.sentinels.size + 1, m.quorum));
}
