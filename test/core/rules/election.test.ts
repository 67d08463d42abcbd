/**
 * Table tests for src/core/rules/election.ts. Each row quotes the rule it checks from
 * sentinel-features.md (1.2 CKQUORUM, 5.8 asking peers, 5.9 epochs and voting, 5.10 leader
 * election, 5.11 starting a failover, 5.12 wait_start). Deliberate differences from redis are
 * said so in the row.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { PeerVote } from '../../../src/core/rules/election.js';
import {
  askEpoch,
  electedLeader,
  electionTimedOut,
  failoverRetryAllowed,
  majority,
  mayGrantVote,
  mostVoted,
  peerAnswerExpired,
  quorumCheck,
  tallyPeerVotes,
  votesToWin,
  votesWithOurs,
} from '../../../src/core/rules/election.js';

const MAJORITY = '5.10 "5. the winner is elected only with ≥ voters/2 + 1 votes"';

const majorityRows: { rule: string; voters: number; want: number }[] = [
  { rule: `${MAJORITY} [1 voter]`, voters: 1, want: 1 },
  { rule: `${MAJORITY} [2 voters]`, voters: 2, want: 2 },
  { rule: `${MAJORITY} [3 voters]`, voters: 3, want: 2 },
  { rule: `${MAJORITY} [4 voters]`, voters: 4, want: 3 },
  { rule: `${MAJORITY} [5 voters]`, voters: 5, want: 3 },
  { rule: `${MAJORITY} [6 voters]`, voters: 6, want: 4 },
];

for (const row of majorityRows) {
  test(row.rule, () => assert.equal(majority(row.voters), row.want, row.rule));
}

const TO_WIN = '5.10 "5. the winner is elected only with ≥ voters/2 + 1 votes **and** ≥ quorum votes"';

const toWinRows: { rule: string; voters: number; quorum: number; want: number }[] = [
  { rule: `${TO_WIN} [5 voters, quorum 2 below the majority: the majority (3)]`, voters: 5, quorum: 2, want: 3 },
  { rule: `${TO_WIN} [5 voters, quorum 4 above the majority: the quorum (4)]`, voters: 5, quorum: 4, want: 4 },
  { rule: `${TO_WIN} [4 voters, quorum 3 equal to the majority]`, voters: 4, quorum: 3, want: 3 },
  { rule: `${TO_WIN} [1 voter, quorum 1: a lone sentinel elects itself]`, voters: 1, quorum: 1, want: 1 },
  { rule: `${TO_WIN} [3 voters, quorum 5 (more than the sentinels): never reachable]`, voters: 3, quorum: 5, want: 5 },
];

for (const row of toWinRows) {
  test(row.rule, () => assert.equal(votesToWin(row.voters, row.quorum), row.want, row.rule));
}

const GRANT = '5.9 "2. if the recorded leader-epoch < E and current-epoch ≤ E: vote for R"';

const grantRows: { rule: string; lastVoteEpoch: number; reqEpoch: number; currentEpoch: number; want: boolean }[] = [
  { rule: `${GRANT} [last vote in epoch 4, request and current epoch 5: granted]`, lastVoteEpoch: 4, reqEpoch: 5, currentEpoch: 5, want: true },
  { rule: `${GRANT} [already voted in this epoch (5): refused]`, lastVoteEpoch: 5, reqEpoch: 5, currentEpoch: 5, want: false },
  { rule: `${GRANT} [already voted in a later epoch (6) than requested (5): refused]`, lastVoteEpoch: 6, reqEpoch: 5, currentEpoch: 6, want: false },
  { rule: `${GRANT} [request for an epoch (4) older than ours (5): refused]`, lastVoteEpoch: 0, reqEpoch: 4, currentEpoch: 5, want: false },
  { rule: `${GRANT} [request for a later epoch (7) than ours (5): granted]`, lastVoteEpoch: 3, reqEpoch: 7, currentEpoch: 5, want: true },
  { rule: `${GRANT} [never voted, epoch 0 requested: 0 < 0 fails, no vote in epoch 0]`, lastVoteEpoch: 0, reqEpoch: 0, currentEpoch: 0, want: false },
];

for (const row of grantRows) {
  test(row.rule, () => assert.equal(mayGrantVote(row.lastVoteEpoch, row.reqEpoch, row.currentEpoch), row.want, row.rule));
}

const TALLY =
  '5.10 "2. count the peers\' recorded votes whose epoch equals **current-epoch**" — deliberate difference: only votes cast in the failover\'s epoch count, so a vote granted in a later epoch cannot help elect anyone in an earlier one';
const PEER_VOTES: PeerVote[] = [
  { leader: 'A', leaderEpoch: 5 },
  { leader: 'A', leaderEpoch: 5 },
  { leader: 'B', leaderEpoch: 5 },
  { leader: 'A', leaderEpoch: 6 },
  { leader: null, leaderEpoch: 5 },
  { leader: 'C', leaderEpoch: 4 },
];

const tallyRows: { rule: string; peers: PeerVote[]; epoch: number; want: [string, number][] }[] = [
  { rule: `${TALLY} [epoch 5: A twice, B once; A's epoch-6 vote and a peer with no vote are left out]`, peers: PEER_VOTES, epoch: 5, want: [['A', 2], ['B', 1]] },
  { rule: `${TALLY} [epoch 6: only the vote cast in 6]`, peers: PEER_VOTES, epoch: 6, want: [['A', 1]] },
  { rule: `${TALLY} [epoch 4: an older vote counts only in its own epoch]`, peers: PEER_VOTES, epoch: 4, want: [['C', 1]] },
  { rule: `${TALLY} [epoch 7: nobody voted yet]`, peers: PEER_VOTES, epoch: 7, want: [] },
];

for (const row of tallyRows) {
  test(row.rule, () => assert.deepEqual([...tallyPeerVotes(row.peers, row.epoch)], row.want, row.rule));
}

const MOST = '5.10 "3. winner so far = runid with most votes (ties broken by iteration order)"';

const mostRows: { rule: string; counters: [string, number][]; want: { winner: string | null; votes: number } }[] = [
  { rule: `${MOST} [no votes: nobody]`, counters: [], want: { winner: null, votes: 0 } },
  { rule: `${MOST} [B has more]`, counters: [['A', 1], ['B', 2]], want: { winner: 'B', votes: 2 } },
  { rule: `${MOST} [tie A/B: the first seen (A)]`, counters: [['A', 2], ['B', 2]], want: { winner: 'A', votes: 2 } },
  { rule: `${MOST} [tie B/A: the first seen (B)]`, counters: [['B', 2], ['A', 2]], want: { winner: 'B', votes: 2 } },
  { rule: `${MOST} [a counter at 0 is no vote]`, counters: [['A', 0]], want: { winner: null, votes: 0 } },
];

for (const row of mostRows) {
  test(row.rule, () => assert.deepEqual(mostVoted(new Map(row.counters)), row.want, row.rule));
}

const OURS = '5.10 "4. … if the vote it holds is for epoch E it is added to the count"';

const oursRows: { rule: string; counters: [string, number][]; candidate: string; want: number }[] = [
  { rule: `${OURS} [our vote joins the peers' two for A]`, counters: [['A', 2]], candidate: 'A', want: 3 },
  { rule: `${OURS} [our vote for a candidate the peers did not vote for]`, counters: [['A', 2]], candidate: 'B', want: 1 },
];

for (const row of oursRows) {
  test(row.rule, () => assert.equal(votesWithOurs(new Map(row.counters), row.candidate), row.want, row.rule));
}

const ELECTED =
  '5.10 "4. this sentinel votes … ; if the vote it holds is for epoch E it is added to the count; 5. the winner is elected only with ≥ voters/2 + 1 votes **and** ≥ quorum votes"';

/**
 * electedLeader as the core calls it: our vote (null when the vote we hold is not for this
 * epoch) counted with votesWithOurs, against votesToWin(voters, quorum).
 */
const electedRows: { rule: string; peerVotes: [string, number][]; ourVote: string | null; voters: number; quorum: number; want: string | null }[] = [
  { rule: `${ELECTED} [5 voters, peers give A 2, our vote for A makes 3 = majority]`, peerVotes: [['A', 2]], ourVote: 'A', voters: 5, quorum: 2, want: 'A' },
  { rule: `${ELECTED} [5 voters, peers give A 2, our vote is in another epoch: 2 < 3, nobody]`, peerVotes: [['A', 2]], ourVote: null, voters: 5, quorum: 2, want: null },
  { rule: `${ELECTED} [5 voters, peers alone give A 3: elected without our vote]`, peerVotes: [['A', 3]], ourVote: null, voters: 5, quorum: 2, want: 'A' },
  { rule: `${ELECTED} [5 voters, quorum 4 above majority: A with 3 votes is not enough]`, peerVotes: [['A', 2]], ourVote: 'A', voters: 5, quorum: 4, want: null },
  { rule: `${ELECTED} [5 voters, quorum 4: A with 4 votes]`, peerVotes: [['A', 3]], ourVote: 'A', voters: 5, quorum: 4, want: 'A' },
  { rule: `${ELECTED} [a lone sentinel with quorum 1 elects itself]`, peerVotes: [], ourVote: 'me', voters: 1, quorum: 1, want: 'me' },
  { rule: `${ELECTED} [3 voters, nobody else voted: our own vote (1) is short of 2]`, peerVotes: [], ourVote: 'me', voters: 3, quorum: 2, want: null },
  { rule: `${ELECTED} [3 voters, peers split A/B, our vote for B breaks the tie]`, peerVotes: [['A', 1], ['B', 1]], ourVote: 'B', voters: 3, quorum: 2, want: 'B' },
  {
    rule: `${ELECTED} [our earlier vote in this epoch for B only ties A's count: the peers' favourite A keeps the lead]`,
    peerVotes: [['A', 2], ['B', 1]],
    ourVote: 'B',
    voters: 3,
    quorum: 2,
    want: 'A',
  },
  { rule: `${ELECTED} [no votes anywhere: nobody]`, peerVotes: [], ourVote: null, voters: 3, quorum: 2, want: null },
];

for (const row of electedRows) {
  test(row.rule, () => {
    const counters = new Map(row.peerVotes);
    const ourVotes = row.ourVote === null ? 0 : votesWithOurs(counters, row.ourVote);
    assert.equal(electedLeader(counters, row.ourVote, ourVotes, votesToWin(row.voters, row.quorum)), row.want, row.rule);
  });
}

const RETRY = '5.11 "Automatic start requires: master ODOWN, no failover in progress, and now − last start time ≥ 2 × failover-timeout"';
const FT = 180000;

const retryRows: { rule: string; lastStart: number; now: number; want: boolean }[] = [
  { rule: `${RETRY} [2 × failover-timeout - 1 ms after the last start: not yet]`, lastStart: 1000, now: 1000 + 2 * FT - 1, want: false },
  { rule: `${RETRY} [exactly 2 × failover-timeout: allowed]`, lastStart: 1000, now: 1000 + 2 * FT, want: true },
  { rule: `${RETRY} [never started (start time 0), long after: allowed]`, lastStart: 0, now: 10 * FT, want: true },
  {
    rule: '5.9 "if R is not itself, push its own next failover attempt for this master back (start time := now + random 0-999 ms, so the 2 × failover-timeout back-off of 5.11 applies)" [start time in the future]',
    lastStart: 500_000 + 700,
    now: 500_000,
    want: false,
  },
];

for (const row of retryRows) {
  test(row.rule, () => assert.equal(failoverRetryAllowed(row.lastStart, FT, row.now), row.want, row.rule));
}

const NOT_ELECTED = '5.12 wait_start: "Not elected after min(10 s, failover-timeout) since start time → `-failover-abort-not-elected`"';

const electionTimeoutRows: { rule: string; start: number; failoverTimeout: number; now: number; want: boolean }[] = [
  { rule: `${NOT_ELECTED} [exactly 10 s: keep waiting]`, start: 0, failoverTimeout: FT, now: 10000, want: false },
  { rule: `${NOT_ELECTED} [10 s + 1 ms: give up]`, start: 0, failoverTimeout: FT, now: 10001, want: true },
  { rule: `${NOT_ELECTED} [failover-timeout 5 s below 10 s: exactly 5 s, keep waiting]`, start: 0, failoverTimeout: 5000, now: 5000, want: false },
  { rule: `${NOT_ELECTED} [failover-timeout 5 s below 10 s: 5 s + 1 ms, give up]`, start: 0, failoverTimeout: 5000, now: 5001, want: true },
  { rule: `${NOT_ELECTED} [the jittered start time is still in the future]`, start: 20_999, failoverTimeout: FT, now: 20_000, want: false },
];

for (const row of electionTimeoutRows) {
  test(row.rule, () => assert.equal(electionTimedOut(row.start, 10000, row.failoverTimeout, row.now), row.want, row.rule));
}

const FORGET = '5.8 "Every tick (SDOWN or not) a peer\'s "down" flag and vote are forgotten once its last answer is older than 5 s"';

const expiryRows: { rule: string; lastReply: number; now: number; want: boolean }[] = [
  { rule: `${FORGET} [answer exactly 5 × ask-period old: kept]`, lastReply: 1000, now: 6000, want: false },
  { rule: `${FORGET} [answer 5 × ask-period + 1 ms old: forgotten]`, lastReply: 1000, now: 6001, want: true },
];

for (const row of expiryRows) {
  test(row.rule, () => assert.equal(peerAnswerExpired(row.lastReply, 1000, row.now), row.want, row.rule));
}

const ASK =
  '5.8 "`SENTINEL is-master-down-by-addr <master-ip> <master-port> <current-epoch> <runid>`, where runid is this sentinel\'s id if a failover for that master is in progress (vote request) or `*` otherwise"';

const askRows: { rule: string; voting: boolean; failoverEpoch: number; currentEpoch: number; want: number }[] = [
  {
    rule: `${ASK} — deliberate difference: a vote request names the failover's epoch (5), not a later current epoch (7) heard of since`,
    voting: true,
    failoverEpoch: 5,
    currentEpoch: 7,
    want: 5,
  },
  { rule: `${ASK} [plain question (runid *): the current epoch]`, voting: false, failoverEpoch: 5, currentEpoch: 7, want: 7 },
];

for (const row of askRows) {
  test(row.rule, () => assert.equal(askEpoch(row.voting, row.failoverEpoch, row.currentEpoch), row.want, row.rule));
}

const CKQUORUM =
  '1.2 CKQUORUM: "`<n>` = 1 (self) + known peers not in SDOWN/ODOWN; NOQUORUM part when n < quorum, majority part when n < (known peers + 1)/2 + 1"';

const ckquorumRows: { rule: string; usable: number; voters: number; quorum: number; want: { quorumOk: boolean; majorityOk: boolean } }[] = [
  { rule: `${CKQUORUM} [3 of 5 usable, quorum 2: both reached]`, usable: 3, voters: 5, quorum: 2, want: { quorumOk: true, majorityOk: true } },
  { rule: `${CKQUORUM} [2 of 5 usable, quorum 2: quorum yes, majority (3) no]`, usable: 2, voters: 5, quorum: 2, want: { quorumOk: true, majorityOk: false } },
  { rule: `${CKQUORUM} [3 of 5 usable, quorum 4: quorum no, majority yes]`, usable: 3, voters: 5, quorum: 4, want: { quorumOk: false, majorityOk: true } },
  { rule: `${CKQUORUM} [alone, quorum 2: quorum no, majority of 1 yes]`, usable: 1, voters: 1, quorum: 2, want: { quorumOk: false, majorityOk: true } },
  {
    rule: '5.18 "peers in SDOWN/ODOWN are excluded from CKQUORUM\'s usable count, but not from the majority denominator" [1 of 4 usable, quorum 1: majority (3) no]',
    usable: 1,
    voters: 4,
    quorum: 1,
    want: { quorumOk: true, majorityOk: false },
  },
];

for (const row of ckquorumRows) {
  test(row.rule, () => assert.deepEqual(quorumCheck(row.usable, row.voters, row.quorum), row.want, row.rule));
}
