/**
 * Table tests for src/core/rules/fence.ts: when a master may be fenced, who counts as reachable,
 * the CLIENT LIST cross-check, the unfence verdict and the lease. The rules come from issue 12
 * and the switchover digest, section 6 (prior art and pitfalls of a CLIENT PAUSE fence).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { FenceFacts, IdleTrack, PeerView } from '../../../src/core/rules/fence.js';
import {
  FENCE_LEASE_MS,
  FENCE_RENEW_BELOW_MS,
  PEER_GONE_CONFIRM_MS,
  fenceAfter,
  fenceBlocker,
  fenceRenewalDue,
  inMinority,
  masterCutOff,
  peerCommandIdle,
  peerGoneFromMaster,
  peerPingPeriod,
  peerViewFromMasterReply,
  reachableSentinels,
  trackIdle,
  unfenceVerdict,
} from '../../../src/core/rules/fence.js';

const WHEN = 'issue 12: "fences when fencing is on, its own link to the master is up, it is not in TILT"; digest 6.3 "Opt-in per master, off by default"';
const ok: FenceFacts = { enabled: true, tilt: false, masterReachable: true, reportsMaster: true, failoverRunning: false, replicas: 2 };
const blockerRows: { rule: string; f: FenceFacts; want: string | null }[] = [
  { rule: `${WHEN} [everything holds]`, f: ok, want: null },
  { rule: `${WHEN} [off by default]`, f: { ...ok, enabled: false }, want: 'disabled' },
  { rule: `${WHEN} [TILT: our clock cannot be trusted]`, f: { ...ok, tilt: true }, want: 'tilt' },
  { rule: `${WHEN} [our link to the master is down: nothing to fence]`, f: { ...ok, masterReachable: false }, want: 'master unreachable' },
  { rule: `${WHEN} [the server reports role slave]`, f: { ...ok, reportsMaster: false }, want: 'not reporting role master' },
  { rule: 'issue 12: "a coordinated switchover is never blocked by a stale fence" [a failover runs]', f: { ...ok, failoverRunning: true }, want: 'failover running' },
  { rule: 'no replica: nothing could replace the master, a fence would only stop it', f: { ...ok, replicas: 0 }, want: 'no replica that could replace it' },
];
for (const row of blockerRows) test(row.rule, () => assert.equal(fenceBlocker(row.f), row.want));

test('issue 12: "fence-after-milliseconds (default: that master\'s down-after-milliseconds)"', () => {
  assert.equal(fenceAfter(null, 5000), 5000);
  assert.equal(fenceAfter(1000, 5000), 1000);
});

test('peers are pinged at least four times per fence-after (never more often than every 50 ms, never less than the ping period)', () => {
  assert.equal(peerPingPeriod(1000, 1000), 250);
  assert.equal(peerPingPeriod(1000, 30000), 1000);
  assert.equal(peerPingPeriod(1000, 100), 50);
});

const REACH = 'issue 12: "for fence-after-milliseconds it has not had a valid reply from enough sentinels to form a majority of the known sentinels (itself included)"';
const reachRows: { rule: string; last: number[]; known: number; minority: boolean }[] = [
  { rule: `${REACH} [3 known, both peers answered 200 ms ago]`, last: [800, 800], known: 3, minority: false },
  { rule: `${REACH} [3 known, one peer silent: 2 of 3 is a majority]`, last: [800, -500], known: 3, minority: false },
  { rule: `${REACH} [3 known, both peers silent for fence-after]`, last: [0, 0], known: 3, minority: true },
  { rule: `${REACH} [a reply exactly fence-after old no longer counts]`, last: [0, 999], known: 3, minority: false },
  { rule: `${REACH} [5 known, 2 peers answer: 3 of 5]`, last: [900, 900, 0, 0], known: 5, minority: false },
  { rule: `${REACH} [5 known, 1 peer answers: 2 of 5]`, last: [900, 0, 0, 0], known: 5, minority: true },
  { rule: `${REACH} [alone: 1 of 1 is a majority, never fenced]`, last: [], known: 1, minority: false },
  { rule: `${REACH} [2 known, the peer silent: 1 of 2 is not a majority]`, last: [0], known: 2, minority: true },
];
for (const row of reachRows) {
  test(row.rule, () => assert.equal(inMinority(reachableSentinels(row.last, 1000, 1000), row.known), row.minority));
}

const LIST = [
  'id=3 addr=10.0.0.2:51000 laddr=10.0.0.1:6379 fd=8 name=sentinel-bbbbbbbb-cmd age=100 idle=0 flags=N db=0 sub=0 cmd=ping user=default',
  'id=4 addr=10.0.0.2:51002 laddr=10.0.0.1:6379 fd=9 name=sentinel-bbbbbbbb-pubsub age=100 idle=100 flags=P db=0 sub=1 cmd=subscribe',
  'id=5 addr=10.0.0.3:51000 laddr=10.0.0.1:6379 fd=10 name=sentinel-cccccccc-cmd age=90 idle=7 flags=N db=0 cmd=ping',
  'id=6 addr=10.0.0.3:51009 laddr=10.0.0.1:6379 fd=11 name=sentinel-cccccccc-cmd age=2 idle=1 flags=N db=0 cmd=ping',
  'id=7 addr=10.0.0.9:40000 laddr=10.0.0.1:6379 fd=12 name= age=5 idle=0 flags=N db=0 cmd=rpush',
  'id=8 addr=10.0.0.9:40001 laddr=10.0.0.1:6379 fd=13 name=xsentinel-dddddddd-cmd age=5 idle=9 flags=N db=0 cmd=get',
].join('\n');

test('digest 6.2 "Cross-check who else still reaches the master: peers\' sentinel-<id>-cmd connections in CLIENT LIST": command connections only, the freshest one per peer', () => {
  assert.deepEqual([...peerCommandIdle(LIST)], [
    ['bbbbbbbb', 0],
    ['cccccccc', 1],
  ]);
  assert.equal(peerCommandIdle('').size, 0);
});

const GONE = 'a live peer PINGs every second: idle (whole wall-clock seconds) shows 0 or 1, and 2 only until its next PING';
const seq = (samples: [number, number | undefined][]): { t: IdleTrack; at: number } => {
  let t: IdleTrack | undefined;
  let at = 0;
  for (const [time, idle] of samples) {
    t = trackIdle(t, idle, time);
    at = time;
  }
  return { t: t!, at };
};
const goneRows: { rule: string; samples: [number, number | undefined][]; gone: boolean }[] = [
  { rule: `${GONE} [idle 0 and 1: live]`, samples: [[0, 0], [100, 1], [200, 1]], gone: false },
  { rule: `${GONE} [a moment of idle 2, then a PING: live]`, samples: [[0, 1], [100, 2], [200, 0], [500, 1]], gone: false },
  { rule: `${GONE} [idle 2 for less than the confirmation]`, samples: [[0, 2], [PEER_GONE_CONFIRM_MS - 1, 2]], gone: false },
  { rule: `${GONE} [idle 2 held for the confirmation: gone]`, samples: [[0, 2], [PEER_GONE_CONFIRM_MS, 2]], gone: true },
  { rule: `${GONE} [idle 2 broken by a reset restarts the confirmation]`, samples: [[0, 2], [200, 0], [300, 2], [300 + PEER_GONE_CONFIRM_MS - 1, 2]], gone: false },
  { rule: `${GONE} [idle 3: two PINGs missed, gone at once]`, samples: [[0, 3]], gone: true },
  { rule: `${GONE} [no command connection at all: gone]`, samples: [[0, undefined]], gone: true },
];
for (const row of goneRows) {
  test(row.rule, () => {
    const { t, at } = seq(row.samples);
    assert.equal(peerGoneFromMaster(t, at), row.gone);
  });
}

const CUT = 'issue 12: "cross-checks that the master is really cut off from the others": fence only if the sentinels still reaching it are fewer than a majority';
const cutRows: { rule: string; live: number; known: number; cut: boolean }[] = [
  { rule: `${CUT} [3 known, no peer reaches it]`, live: 0, known: 3, cut: true },
  { rule: `${CUT} [3 known, one peer still reaches it: 2 of 3, no failover can happen]`, live: 1, known: 3, cut: false },
  { rule: `${CUT} [5 known, one peer reaches it: 2 of 5]`, live: 1, known: 5, cut: true },
  { rule: `${CUT} [5 known, two peers reach it: 3 of 5]`, live: 2, known: 5, cut: false },
];
for (const row of cutRows) test(row.rule, () => assert.equal(masterCutOff(row.live, row.known), row.cut));

const LEASE = `issue 12: "CLIENT PAUSE <lease-ms> WRITE ... renewed well before it expires" (lease ${FENCE_LEASE_MS} ms, renewed with less than ${FENCE_RENEW_BELOW_MS} ms left)`;
test(LEASE, () => {
  assert.equal(fenceRenewalDue(10000 + FENCE_LEASE_MS, 10000), false);
  assert.equal(fenceRenewalDue(10000 + FENCE_RENEW_BELOW_MS, 10000), false);
  assert.equal(fenceRenewalDue(10000 + FENCE_RENEW_BELOW_MS - 1, 10000), true);
  assert.ok(FENCE_RENEW_BELOW_MS > FENCE_LEASE_MS / 2, 'at least two renewals per lease');
});

const UNFENCE = 'issue 12: "unfences when a majority is reachable again and confirms this master at the highest config epoch; if the majority has moved on, it keeps the master paused"';
const ours = { hostname: '10.0.0.1', ip: '10.0.0.1', port: 6379 };
const view = (host: string, epoch: number, seenAt = 2000): PeerView => ({ seenAt, masterHost: host, masterPort: 6379, configEpoch: epoch });
const unfenceRows: { rule: string; views: PeerView[]; known: number; want: 'confirmed' | 'moved-on' | 'wait' }[] = [
  { rule: `${UNFENCE} [both peers hold this master]`, views: [view('10.0.0.1', 3), view('10.0.0.1', 3)], known: 3, want: 'confirmed' },
  { rule: `${UNFENCE} [one peer is enough for 2 of 3]`, views: [view('10.0.0.1', 3)], known: 3, want: 'confirmed' },
  { rule: `${UNFENCE} [views from before the fence do not count]`, views: [view('10.0.0.1', 3, 500), view('10.0.0.1', 3, 1000)], known: 3, want: 'wait' },
  { rule: `${UNFENCE} [a peer names another master at a higher epoch: moved on]`, views: [view('10.0.0.1', 3), view('10.0.0.2', 4)], known: 3, want: 'moved-on' },
  { rule: `${UNFENCE} [another master at a lower epoch is a stale peer: neither]`, views: [view('10.0.0.2', 2)], known: 3, want: 'wait' },
  { rule: `${UNFENCE} [5 known, 1 agreeing view: 2 of 5]`, views: [view('10.0.0.1', 3)], known: 5, want: 'wait' },
  { rule: `${UNFENCE} [this master at a higher epoch still agrees]`, views: [view('10.0.0.1', 5)], known: 3, want: 'confirmed' },
];
for (const row of unfenceRows) test(row.rule, () => assert.equal(unfenceVerdict(row.views, row.known, ours, 3, 1000), row.want));

test('a SENTINEL MASTER answer (RESP2 field list) gives the peer\'s view; anything else gives none', () => {
  const reply = ['name', 'mymaster', 'ip', '10.0.0.2', 'port', '6379', 'runid', 'x', 'config-epoch', '4'];
  assert.deepEqual(peerViewFromMasterReply(reply, 77), { seenAt: 77, masterHost: '10.0.0.2', masterPort: 6379, configEpoch: 4 });
  assert.equal(peerViewFromMasterReply({ error: 'ERR No such master with that name' }, 77), null);
  assert.equal(peerViewFromMasterReply(['name', 'mymaster', 'ip', '10.0.0.2'], 77), null);
  assert.equal(peerViewFromMasterReply('OK', 77), null);
});
