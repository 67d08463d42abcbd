/**
 * Table tests for src/core/rules/hello.ts. Each row quotes the rule it checks from
 * sentinel-features.md (5.17 hello gossip, 5.19 replica auto-correction, 8.13).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Addr } from '../../../src/core/addr.js';
import type { HelloPeerChange, HelloPeerFacts, HelloView } from '../../../src/core/rules/hello.js';
import { announcesOtherAddress, classifyUnknownPeer, configConfirmedByMajority, helloDue, isNewerConfig, peerMatches } from '../../../src/core/rules/hello.js';

const RUN_A = 'a'.repeat(40);
const RUN_B = 'b'.repeat(40);
const RUN_C = 'c'.repeat(40);

const PEER_A: HelloPeerFacts = { runid: RUN_A, addr: { hostname: 'sentinel-a.example', ip: '10.0.0.11', port: 26379 } };
const PEER_B: HelloPeerFacts = { runid: RUN_B, addr: { hostname: '10.0.0.12', ip: '10.0.0.12', port: 26379 } };

const FIND = '5.17 "Processing: find the peer by address and runid"';

const matchRows: { rule: string; p: HelloPeerFacts; host: string | null; port: number; runid: string | null; want: boolean }[] = [
  { rule: `${FIND} [same IP, port and runid]`, p: PEER_A, host: '10.0.0.11', port: 26379, runid: RUN_A, want: true },
  { rule: `${FIND} [same address, other runid]`, p: PEER_A, host: '10.0.0.11', port: 26379, runid: RUN_B, want: false },
  { rule: `${FIND} [same runid, other IP]`, p: PEER_A, host: '10.0.0.99', port: 26379, runid: RUN_A, want: false },
  { rule: `${FIND} [same runid, other port]`, p: PEER_A, host: '10.0.0.11', port: 26380, runid: RUN_A, want: false },
  { rule: `${FIND} [host name compared without case]`, p: PEER_A, host: 'SENTINEL-A.example', port: 26379, runid: RUN_A, want: true },
  { rule: `${FIND} [no host given: runid alone]`, p: PEER_A, host: null, port: 0, runid: RUN_A, want: true },
  { rule: `${FIND} [no runid given: address alone]`, p: PEER_A, host: '10.0.0.11', port: 26379, runid: null, want: true },
];

for (const row of matchRows) {
  test(row.rule, () => assert.equal(peerMatches(row.p, row.host, row.port, row.runid), row.want, row.rule));
}

const UNKNOWN =
  '5.17 "Unknown → first remove any peer with the same runid under this master (address switch: `+sentinel-address-switch`), or, if none, remove every peer that claims the same address with another runid, from all masters (`+sentinel-invalid-addr`); then create the peer (`+sentinel` unless it was an address switch)"';
const NO_RUNID: HelloPeerFacts = { runid: null, addr: { hostname: '10.0.0.13', ip: '10.0.0.13', port: 26379 } };

const unknownRows: { rule: string; peers: HelloPeerFacts[]; host: string; port: number; runid: string; want: HelloPeerChange<HelloPeerFacts> }[] = [
  {
    rule: `${UNKNOWN} [A's runid from a new address: address switch]`,
    peers: [PEER_A, PEER_B],
    host: '10.0.0.50',
    port: 26379,
    runid: RUN_A,
    want: { kind: 'address-switch', old: PEER_A },
  },
  {
    rule: `${UNKNOWN} [a new runid at B's address: B is obsolete (invalid address)]`,
    peers: [PEER_A, PEER_B],
    host: '10.0.0.12',
    port: 26379,
    runid: RUN_C,
    want: { kind: 'invalid-addr', obsolete: PEER_B },
  },
  {
    rule: `${UNKNOWN} [A's runid at B's address: the runid match is checked first (address switch of A)]`,
    peers: [PEER_A, PEER_B],
    host: '10.0.0.12',
    port: 26379,
    runid: RUN_A,
    want: { kind: 'address-switch', old: PEER_A },
  },
  { rule: `${UNKNOWN} [a runid and address never seen: new peer]`, peers: [PEER_A, PEER_B], host: '10.0.0.50', port: 26379, runid: RUN_C, want: { kind: 'new' } },
  { rule: `${UNKNOWN} [B's IP with another port: new peer]`, peers: [PEER_A, PEER_B], host: '10.0.0.12', port: 26380, runid: RUN_C, want: { kind: 'new' } },
  { rule: `${UNKNOWN} [no peers known: new peer]`, peers: [], host: '10.0.0.50', port: 26379, runid: RUN_C, want: { kind: 'new' } },
  {
    rule: `${UNKNOWN} [a known peer without runid at that address is not reported obsolete: new peer (current behaviour, see report)]`,
    peers: [NO_RUNID],
    host: '10.0.0.13',
    port: 26379,
    runid: RUN_C,
    want: { kind: 'new' },
  },
];

for (const row of unknownRows) {
  test(row.rule, () => assert.deepEqual(classifyUnknownPeer(row.peers, row.host, row.port, row.runid), row.want, row.rule));
}

const NEWER = '5.17 "if the hello\'s master config-epoch > ours: adopt the epoch" (8.13: "switch only on strictly higher config-epoch")';

const newerRows: { rule: string; ours: number; theirs: number; want: boolean }[] = [
  { rule: `${NEWER} [equal epochs: keep ours]`, ours: 5, theirs: 5, want: false },
  { rule: `${NEWER} [lower epoch: keep ours]`, ours: 5, theirs: 4, want: false },
  { rule: `${NEWER} [higher epoch: adopt]`, ours: 5, theirs: 6, want: true },
];

for (const row of newerRows) {
  test(row.rule, () => assert.equal(isNewerConfig(row.ours, row.theirs), row.want, row.rule));
}

const DIFFERS =
  '5.17 "if the advertised address differs, `+config-update-from <peer>`, `+switch-master …`" — ours is the address we announce (during our own failover, past the promotion, the promoted replica: a deliberate difference from redis, which compares with the old address)';
const OURS: Addr = { hostname: 'redis-m.example', ip: '10.0.0.1', port: 6379 };

const differsRows: { rule: string; ip: string; port: number; ours: Addr; want: boolean }[] = [
  { rule: `${DIFFERS} [same IP and port]`, ip: '10.0.0.1', port: 6379, ours: OURS, want: false },
  { rule: `${DIFFERS} [other port]`, ip: '10.0.0.1', port: 6380, ours: OURS, want: true },
  { rule: `${DIFFERS} [other IP]`, ip: '10.0.0.2', port: 6379, ours: OURS, want: true },
  { rule: `${DIFFERS} [our host name (announce-hostnames)]`, ip: 'redis-m.example', port: 6379, ours: OURS, want: false },
  { rule: `${DIFFERS} [our host name in other case]`, ip: 'REDIS-M.Example', port: 6379, ours: OURS, want: false },
  { rule: `${DIFFERS} [another host name]`, ip: 'redis-n.example', port: 6379, ours: OURS, want: true },
  { rule: `${DIFFERS} [our host name with another port]`, ip: 'redis-m.example', port: 6380, ours: OURS, want: true },
];

for (const row of differsRows) {
  test(row.rule, () => assert.equal(announcesOtherAddress(row.ip, row.port, row.ours), row.want, row.rule));
}

// The timer's own hello schedule is in rules/periodic.ts; helloDue times the extra hellos a
// failover sends to tell the peers at once.
const EVERY_2S = '5.17 "Sent every 2 s to each master and replica … and to each peer sentinel"';

const dueRows: { rule: string; lastPub: number; now: number; want: boolean }[] = [
  { rule: `${EVERY_2S} [exactly publish-period since the last: not yet]`, lastPub: 10000, now: 12000, want: false },
  { rule: `${EVERY_2S} [publish-period + 1 ms: due]`, lastPub: 10000, now: 12001, want: true },
];

for (const row of dueRows) {
  test(row.rule, () => assert.equal(helloDue(row.lastPub, 2000, row.now), row.want, row.rule));
}

const CONFIRMED =
  'configConfirmedByMajority (no redis counterpart; shortens 5.19 "converted after 8 s of stable observation"): "a majority of all known sentinels (us included) announced, in hellos of the last two publish periods, exactly our configuration"';
const NOW = 1_000_000;
const PUBLISH = 2000;
const EPOCH = 3;
const MASTER: Addr = { hostname: 'redis-m.example', ip: '10.0.0.1', port: 6379 };

function hello(ageMs: number, helloConfigEpoch = EPOCH, addr = '10.0.0.1:6379'): HelloView {
  const colon = addr.lastIndexOf(':');
  return { lastHelloTime: NOW - ageMs, helloConfigEpoch, helloMasterHost: addr.slice(0, colon), helloMasterPort: Number(addr.slice(colon + 1)) };
}

const confirmRows: { rule: string; peers: HelloView[]; peerCount: number; want: boolean }[] = [
  { rule: `${CONFIRMED} [alone: our own view is a majority of 1]`, peers: [], peerCount: 0, want: true },
  { rule: `${CONFIRMED} [3 sentinels, one peer agrees: 2 of 3]`, peers: [hello(100), hello(100, 1, '10.0.0.9:6379')], peerCount: 2, want: true },
  { rule: `${CONFIRMED} [3 sentinels, no peer agrees: 1 of 3]`, peers: [hello(100, 1, '10.0.0.9:6379'), hello(100, 1, '10.0.0.9:6379')], peerCount: 2, want: false },
  { rule: `${CONFIRMED} [3 sentinels, the agreeing hello exactly 2 publish periods old: counted]`, peers: [hello(2 * PUBLISH), hello(100, 1)], peerCount: 2, want: true },
  { rule: `${CONFIRMED} [3 sentinels, the agreeing hello 2 publish periods + 1 ms old: stale, not counted]`, peers: [hello(2 * PUBLISH + 1), hello(100, 1)], peerCount: 2, want: false },
  { rule: `${CONFIRMED} [same address in a lower config epoch: not our configuration]`, peers: [hello(100, EPOCH - 1), hello(100, EPOCH - 1)], peerCount: 2, want: false },
  { rule: `${CONFIRMED} [same address in a higher config epoch: not our configuration]`, peers: [hello(100, EPOCH + 1), hello(100, EPOCH + 1)], peerCount: 2, want: false },
  { rule: `${CONFIRMED} [our address announced by host name]`, peers: [hello(100, EPOCH, 'redis-m.example:6379')], peerCount: 2, want: true },
  { rule: `${CONFIRMED} [our IP with another port]`, peers: [hello(100, EPOCH, '10.0.0.1:6380'), hello(100, EPOCH, '10.0.0.1:6380')], peerCount: 2, want: false },
  {
    rule: `${CONFIRMED} [our host name in other case is matched (addrIs: host names compare without case)]`,
    peers: [hello(100, EPOCH, 'REDIS-M.example:6379'), hello(100, EPOCH, 'REDIS-M.example:6379')],
    peerCount: 2,
    want: true,
  },
  { rule: `${CONFIRMED} [5 sentinels, two peers agree: 3 of 5]`, peers: [hello(100), hello(100), hello(100, 1), hello(100, 1)], peerCount: 4, want: true },
  { rule: `${CONFIRMED} [5 sentinels, one peer agrees: 2 of 5]`, peers: [hello(100), hello(100, 1), hello(100, 1), hello(100, 1)], peerCount: 4, want: false },
  {
    rule: `${CONFIRMED} [peers that never sent a hello still count in the denominator: 2 hellos known of 5 sentinels, both agree]`,
    peers: [hello(100), hello(100)],
    peerCount: 4,
    want: true,
  },
  { rule: `${CONFIRMED} [6 sentinels, two peers agree: 3 of 6 is short of 4]`, peers: [hello(100), hello(100)], peerCount: 5, want: false },
];

for (const row of confirmRows) {
  test(row.rule, () => assert.equal(configConfirmedByMajority(row.peers, row.peerCount, MASTER, EPOCH, PUBLISH, NOW), row.want, row.rule));
}
