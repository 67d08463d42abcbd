/**
 * Table tests for src/core/rules/selection.ts. Each row quotes the rule it checks from
 * sentinel-features.md (5.1 derived windows, 5.13 replica selection).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { CandidateFacts, Exclusion, FailingMasterFacts, SelectionTiming } from '../../../src/core/rules/selection.js';
import { compareForPromotion, exclusionOf, mayPromotePriorityZero, rankReplicas } from '../../../src/core/rules/selection.js';

const NOW = 10_000_000;
const T: SelectionTiming = { pingPeriod: 1000, infoPeriod: 10000 };
const DOWN_AFTER = 30000;
/** The master has been SDOWN for 60 s. */
const MASTER_SDOWN: FailingMasterFacts = { sDown: true, sDownSinceTime: NOW - 60000, downAfterMs: DOWN_AFTER };
/** A manual failover: the master is up. */
const MASTER_UP: FailingMasterFacts = { sDown: false, sDownSinceTime: 0, downAfterMs: DOWN_AFTER };

/** An eligible replica: fresh PING reply and INFO, link to the master up. */
const GOOD: CandidateFacts = {
  runid: 'a'.repeat(40),
  sDown: false,
  oDown: false,
  link: { disconnected: false, lastAvailTime: NOW },
  slavePriority: 100,
  infoRefresh: NOW,
  masterLinkDownTime: 0,
  slaveReplOffset: 1000,
};

const E_DOWN = '5.13 eligible: "not SDOWN/ODOWN"';
const E_LINK = '5.13 eligible: "link connected"';
const E_PING = '5.13 eligible: "last acceptable PING reply < 5 s ago" (5.1: "replica eligibility: last good PING reply | < 5 × ping_period")';
const E_PRIO = '5.13 eligible: "`slave_priority` ≠ 0"';
const E_INFO = '5.13 eligible: "INFO fresher than 5 s (master SDOWN) or 30 s (otherwise)"';
const E_MLD = '5.13 eligible: "reported master link down time ≤ (time the master has been SDOWN) + 10 × down-after"';

const exclusionRows: { rule: string; r: CandidateFacts; m: FailingMasterFacts; allowZero?: () => boolean; want: Exclusion | null }[] = [
  { rule: '5.13 [a replica meeting every condition is eligible]', r: GOOD, m: MASTER_SDOWN, want: null },
  { rule: `${E_DOWN} [SDOWN]`, r: { ...GOOD, sDown: true }, m: MASTER_SDOWN, want: 'down' },
  { rule: `${E_DOWN} [ODOWN]`, r: { ...GOOD, oDown: true }, m: MASTER_SDOWN, want: 'down' },
  { rule: `${E_LINK} [disconnected]`, r: { ...GOOD, link: { disconnected: true, lastAvailTime: NOW } }, m: MASTER_SDOWN, want: 'disconnected' },
  {
    rule: `${E_PING} [exactly 5 × ping_period ago: still eligible (redis excludes only past 5 s; the doc's "<" is loose at the boundary)]`,
    r: { ...GOOD, link: { disconnected: false, lastAvailTime: NOW - 5000 } },
    m: MASTER_SDOWN,
    want: null,
  },
  {
    rule: `${E_PING} [5 × ping_period + 1 ms ago]`,
    r: { ...GOOD, link: { disconnected: false, lastAvailTime: NOW - 5001 } },
    m: MASTER_SDOWN,
    want: 'no-recent-ping-reply',
  },
  { rule: `${E_PRIO} [priority 0, allowPriorityZero false (production)]`, r: { ...GOOD, slavePriority: 0 }, m: MASTER_SDOWN, want: 'priority-zero' },
  {
    rule: `${E_PRIO} [priority 0 with allowPriorityZero true (a simulator variant): eligible]`,
    r: { ...GOOD, slavePriority: 0 },
    m: MASTER_SDOWN,
    allowZero: () => true,
    want: null,
  },
  { rule: `${E_INFO} [master SDOWN, INFO exactly 5 s old: eligible]`, r: { ...GOOD, infoRefresh: NOW - 5000 }, m: MASTER_SDOWN, want: null },
  { rule: `${E_INFO} [master SDOWN, INFO 5 s + 1 ms old]`, r: { ...GOOD, infoRefresh: NOW - 5001 }, m: MASTER_SDOWN, want: 'stale-info' },
  { rule: `${E_INFO} [master up, INFO 5 s + 1 ms old: eligible, 30 s apply]`, r: { ...GOOD, infoRefresh: NOW - 5001 }, m: MASTER_UP, want: null },
  { rule: `${E_INFO} [master up, INFO exactly 30 s old: eligible]`, r: { ...GOOD, infoRefresh: NOW - 30000 }, m: MASTER_UP, want: null },
  { rule: `${E_INFO} [master up, INFO 30 s + 1 ms old]`, r: { ...GOOD, infoRefresh: NOW - 30001 }, m: MASTER_UP, want: 'stale-info' },
  {
    rule: `${E_MLD} [master SDOWN 60 s: link down exactly 60 s + 10 × down-after]`,
    r: { ...GOOD, masterLinkDownTime: 60000 + 10 * DOWN_AFTER },
    m: MASTER_SDOWN,
    want: null,
  },
  {
    rule: `${E_MLD} [master SDOWN 60 s: link down 60 s + 10 × down-after + 1 ms]`,
    r: { ...GOOD, masterLinkDownTime: 60000 + 10 * DOWN_AFTER + 1 },
    m: MASTER_SDOWN,
    want: 'master-link-down-too-long',
  },
  { rule: `${E_MLD} [master up: link down exactly 10 × down-after]`, r: { ...GOOD, masterLinkDownTime: 10 * DOWN_AFTER }, m: MASTER_UP, want: null },
  {
    rule: `${E_MLD} [master up: link down 10 × down-after + 1 ms]`,
    r: { ...GOOD, masterLinkDownTime: 10 * DOWN_AFTER + 1 },
    m: MASTER_UP,
    want: 'master-link-down-too-long',
  },
  {
    rule: '5.13 [several conditions fail: the first in the documented order is reported (SDOWN before disconnected)]',
    r: { ...GOOD, sDown: true, link: { disconnected: true, lastAvailTime: 0 } },
    m: MASTER_SDOWN,
    want: 'down',
  },
];

for (const row of exclusionRows) {
  test(row.rule, () => assert.equal(exclusionOf(row.r, row.m, T, NOW, row.allowZero), row.want, row.rule));
}

test('5.13 "`slave_priority` ≠ 0" [production never promotes priority 0: mayPromotePriorityZero() is false]', () => {
  assert.equal(mayPromotePriorityZero(), false);
});

/** A replica with a name, so that rankings read as lists. */
interface Named extends CandidateFacts {
  readonly name: string;
}

function replica(name: string, slavePriority: number, slaveReplOffset: number, runid: string | null): Named {
  return { ...GOOD, name, slavePriority, slaveReplOffset, runid };
}

const SORT = '5.13 "Sort: lower priority first, then larger `slave_repl_offset`, then smaller runid (case-insensitive compare; a replica with no runid sorts last). Take the first."';
const LAB = '5.13 "(Lab: with equal offsets the replica with priority 50 was chosen over priority 100.)"';

const rankRows: { rule: string; replicas: Named[]; allowZero?: () => boolean; ranked: string[]; excluded: [string, Exclusion][] }[] = [
  { rule: `${LAB}`, replicas: [replica('p100', 100, 500, 'a1'), replica('p50', 50, 500, 'b1')], ranked: ['p50', 'p100'], excluded: [] },
  {
    rule: `${SORT} [priority before offset: priority 10 with a small offset beats priority 100 with a large one]`,
    replicas: [replica('p100-big', 100, 9000, 'a1'), replica('p10-small', 10, 10, 'b1')],
    ranked: ['p10-small', 'p100-big'],
    excluded: [],
  },
  {
    rule: `${SORT} [equal priority: larger offset first]`,
    replicas: [replica('off10', 100, 10, 'a1'), replica('off20', 100, 20, 'b1'), replica('off15', 100, 15, 'c1')],
    ranked: ['off20', 'off15', 'off10'],
    excluded: [],
  },
  {
    rule: `${SORT} [equal priority and offset: smaller runid first]`,
    replicas: [replica('b', 100, 10, 'bbbb'), replica('a', 100, 10, 'aaaa')],
    ranked: ['a', 'b'],
    excluded: [],
  },
  {
    rule: `${SORT} [runid compare ignores case: "aaaa" before "BBBB" (plain text order would put "B" first)]`,
    replicas: [replica('upper-B', 100, 10, 'BBBB'), replica('lower-a', 100, 10, 'aaaa')],
    ranked: ['lower-a', 'upper-B'],
    excluded: [],
  },
  {
    rule: `${SORT} [runid compare ignores case: "AAAA" before "bbbb"]`,
    replicas: [replica('lower-b', 100, 10, 'bbbb'), replica('upper-A', 100, 10, 'AAAA')],
    ranked: ['upper-A', 'lower-b'],
    excluded: [],
  },
  {
    rule: `${SORT} [no runid sorts last, after any runid]`,
    replicas: [replica('none', 100, 10, null), replica('zzzz', 100, 10, 'zzzz')],
    ranked: ['zzzz', 'none'],
    excluded: [],
  },
  {
    rule: `${SORT} [no runid only decides on equal priority and offset: a larger offset without runid still wins]`,
    replicas: [replica('with-id', 100, 10, 'aaaa'), replica('no-id-ahead', 100, 11, null)],
    ranked: ['no-id-ahead', 'with-id'],
    excluded: [],
  },
  {
    rule: `${SORT} [two replicas without runid keep their order, after the one with a runid]`,
    replicas: [replica('none1', 100, 10, null), replica('none2', 100, 10, null), replica('id', 100, 10, 'ffff')],
    ranked: ['id', 'none1', 'none2'],
    excluded: [],
  },
  {
    rule: `${E_PRIO} [ranking: priority 0 is excluded in production, the rest ranked]`,
    replicas: [replica('p0', 0, 9000, 'aaaa'), replica('p100', 100, 10, 'bbbb')],
    ranked: ['p100'],
    excluded: [['p0', 'priority-zero']],
  },
  {
    rule: `${E_PRIO} [ranking with allowPriorityZero true (a simulator variant): priority 0 is the lowest and ranks first]`,
    replicas: [replica('p100', 100, 10, 'bbbb'), replica('p0', 0, 9000, 'aaaa')],
    allowZero: () => true,
    ranked: ['p0', 'p100'],
    excluded: [],
  },
  {
    rule: '5.13 "Eligible replicas: …" [ranking: every replica is either ranked or excluded with its reason]',
    replicas: [replica('ok', 100, 10, 'aaaa'), { ...replica('sdown', 1, 99999, 'bbbb'), sDown: true }, { ...replica('stale', 1, 99999, 'cccc'), infoRefresh: NOW - 5001 }],
    ranked: ['ok'],
    excluded: [
      ['sdown', 'down'],
      ['stale', 'stale-info'],
    ],
  },
  { rule: '5.13 [no replicas: nothing to promote]', replicas: [], ranked: [], excluded: [] },
];

for (const row of rankRows) {
  test(row.rule, () => {
    const got = rankReplicas(row.replicas, MASTER_SDOWN, T, NOW, row.allowZero);
    assert.deepEqual(
      got.ranked.map((r) => r.name),
      row.ranked,
      `${row.rule}: ranked`,
    );
    assert.deepEqual(
      got.excluded.map((e) => [e.replica.name, e.reason]),
      row.excluded,
      `${row.rule}: excluded`,
    );
  });
}

/** compareForPromotion's sign: negative when a goes first. */
const compareRows: { rule: string; a: CandidateFacts; b: CandidateFacts; want: -1 | 0 | 1 }[] = [
  { rule: `${SORT} [compare: lower priority first]`, a: { ...GOOD, slavePriority: 1 }, b: { ...GOOD, slavePriority: 2 }, want: -1 },
  { rule: `${SORT} [compare: larger offset first]`, a: { ...GOOD, slaveReplOffset: 1 }, b: { ...GOOD, slaveReplOffset: 2 }, want: 1 },
  { rule: `${SORT} [compare: same runid in other case is equal]`, a: { ...GOOD, runid: 'AbCd' }, b: { ...GOOD, runid: 'aBcD' }, want: 0 },
  { rule: `${SORT} [compare: both without runid are equal]`, a: { ...GOOD, runid: null }, b: { ...GOOD, runid: null }, want: 0 },
  { rule: `${SORT} [compare: without runid after with]`, a: { ...GOOD, runid: null }, b: { ...GOOD, runid: 'ffff' }, want: 1 },
];

for (const row of compareRows) {
  test(row.rule, () => assert.equal(Math.sign(compareForPromotion(row.a, row.b)), row.want, row.rule));
}
