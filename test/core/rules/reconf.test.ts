/**
 * Table tests for src/core/rules/reconf.ts. Each row quotes the rule it checks from
 * sentinel-features.md (5.1 derived windows, 5.5 INFO acting steps 3-5, 5.15 reconf_slaves,
 * 5.19 replica auto-correction). Deliberate differences from redis are said so in the row.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Addr } from '../../../src/core/addr.js';
import type {
  ClaimingMasterFacts,
  DownHistory,
  FollowerFacts,
  MasterHealthFacts,
  ReconfCandidate,
  ReconfFacts,
  ReconfState,
} from '../../../src/core/rules/reconf.js';
import {
  convertWait,
  failoverEnd,
  followsOtherMaster,
  masterLooksSane,
  noDownFor,
  planReconfiguration,
  reconfProgress,
  shouldConvertToSlave,
  shouldFixSlaveConfig,
  stillToReconfigure,
} from '../../../src/core/rules/reconf.js';

const NOW = 10_000_000;
const INFO_PERIOD = 10000;
const PING_PERIOD = 1000;
const PUBLISH_PERIOD = 2000;
const FT = 180000;

const SANE = '5.1 ""master looks sane" | configured master, reports master, not S/ODOWN, INFO fresher than 2 × info_period"';
const HEALTHY: MasterHealthFacts = { roleReported: 'master', sDown: false, oDown: false, infoRefresh: NOW - 1000 };

const saneRows: { rule: string; m: MasterHealthFacts; want: boolean }[] = [
  { rule: `${SANE} [all holds]`, m: HEALTHY, want: true },
  { rule: `${SANE} [INFO 2 × info_period - 1 ms old]`, m: { ...HEALTHY, infoRefresh: NOW - 2 * INFO_PERIOD + 1 }, want: true },
  { rule: `${SANE} [INFO exactly 2 × info_period old: not fresher]`, m: { ...HEALTHY, infoRefresh: NOW - 2 * INFO_PERIOD }, want: false },
  { rule: `${SANE} [reports role:slave]`, m: { ...HEALTHY, roleReported: 'slave' }, want: false },
  { rule: `${SANE} [SDOWN]`, m: { ...HEALTHY, sDown: true }, want: false },
  { rule: `${SANE} [ODOWN]`, m: { ...HEALTHY, oDown: true }, want: false },
];

for (const row of saneRows) {
  test(row.rule, () => assert.equal(masterLooksSane(row.m, INFO_PERIOD, NOW), row.want, row.rule));
}

const NO_DOWN = '5.5 step 3: "the replica has had no SDOWN/ODOWN for 8 s"';
const WAIT = 4 * PUBLISH_PERIOD;

const noDownRows: { rule: string; ri: DownHistory; want: boolean }[] = [
  { rule: `${NO_DOWN} [never down]`, ri: { sDownSinceTime: 0, oDownSinceTime: 0 }, want: true },
  { rule: `${NO_DOWN} [SDOWN entered exactly 8 s ago: not yet]`, ri: { sDownSinceTime: NOW - WAIT, oDownSinceTime: 0 }, want: false },
  { rule: `${NO_DOWN} [SDOWN entered 8 s + 1 ms ago]`, ri: { sDownSinceTime: NOW - WAIT - 1, oDownSinceTime: 0 }, want: true },
  { rule: `${NO_DOWN} [the most recent of SDOWN and ODOWN counts: old SDOWN, recent ODOWN]`, ri: { sDownSinceTime: NOW - 10 * WAIT, oDownSinceTime: NOW - 100 }, want: false },
  { rule: `${NO_DOWN} [the most recent of SDOWN and ODOWN counts: recent SDOWN, old ODOWN]`, ri: { sDownSinceTime: NOW - 100, oDownSinceTime: NOW - 10 * WAIT }, want: false },
];

for (const row of noDownRows) {
  test(row.rule, () => assert.equal(noDownFor(row.ri, WAIT, NOW), row.want, row.rule));
}

const GRACE = '5.1 "role-mismatch grace before `+convert-to-slave` | 4 × publish_period | 8000 ms"';

const waitRows: { rule: string; confirmed: boolean; want: number }[] = [
  { rule: `${GRACE} [no majority confirmation: 4 × publish_period]`, confirmed: false, want: 8000 },
  {
    rule: `${GRACE} — deliberate difference: when a majority of the sentinels has just confirmed our configuration in hellos, one ping period`,
    confirmed: true,
    want: 1000,
  },
];

for (const row of waitRows) {
  test(row.rule, () => assert.equal(convertWait(row.confirmed, PING_PERIOD, PUBLISH_PERIOD), row.want, row.rule));
}

const CONVERT =
  '5.5 step 3: "if it is not the promoted replica, the master looks sane, the replica has had no SDOWN/ODOWN for 8 s and has reported master for more than 8 s: send the REPLICAOF transaction … and emit `+convert-to-slave`"';
/** A returning old master that has reported role:master for 8 s + 1 ms. */
const CLAIMING: ClaimingMasterFacts = { promoted: false, roleReportedTime: NOW - WAIT - 1, sDownSinceTime: 0, oDownSinceTime: 0 };

const convertRows: { rule: string; ri: ClaimingMasterFacts; sane: boolean; wait: number; want: boolean }[] = [
  { rule: `${CONVERT} [every condition holds]`, ri: CLAIMING, sane: true, wait: WAIT, want: true },
  { rule: `${CONVERT} [reported master exactly 8 s: not yet]`, ri: { ...CLAIMING, roleReportedTime: NOW - WAIT }, sane: true, wait: WAIT, want: false },
  { rule: `${CONVERT} [the promoted replica is left alone]`, ri: { ...CLAIMING, promoted: true }, sane: true, wait: WAIT, want: false },
  { rule: `${CONVERT} [the master does not look sane]`, ri: CLAIMING, sane: false, wait: WAIT, want: false },
  { rule: `${CONVERT} [SDOWN entered 5 s ago]`, ri: { ...CLAIMING, sDownSinceTime: NOW - 5000 }, sane: true, wait: WAIT, want: false },
  {
    rule: `${CONVERT} — deliberate difference: with the majority-confirmed wait of one ping period, 1 s + 1 ms of role:master suffices`,
    ri: { ...CLAIMING, roleReportedTime: NOW - PING_PERIOD - 1 },
    sane: true,
    wait: PING_PERIOD,
    want: true,
  },
];

for (const row of convertRows) {
  test(row.rule, () => assert.equal(shouldConvertToSlave(row.ri, row.sane, row.wait, NOW), row.want, row.rule));
}

const OTHER_MASTER =
  '5.5 step 4: "Replica reporting a master address different from the configured master (port differs, or the host does not resolve/compare equal)"';
const MASTER: Addr = { hostname: 'redis-m.example', ip: '10.0.0.1', port: 6379 };
/** A replica following the configured master, its setting unchanged for failover-timeout + 1 ms. */
const FOLLOWER: FollowerFacts = { slaveMasterHost: '10.0.0.1', slaveMasterPort: 6379, slaveConfChangeTime: NOW - FT - 1, sDownSinceTime: 0, oDownSinceTime: 0 };

const followRows: { rule: string; ri: FollowerFacts; want: boolean }[] = [
  { rule: `${OTHER_MASTER} [follows the master's IP and port]`, ri: FOLLOWER, want: false },
  { rule: `${OTHER_MASTER} [port differs]`, ri: { ...FOLLOWER, slaveMasterPort: 6380 }, want: true },
  { rule: `${OTHER_MASTER} [IP differs]`, ri: { ...FOLLOWER, slaveMasterHost: '10.0.0.2' }, want: true },
  { rule: `${OTHER_MASTER} [follows the master's host name]`, ri: { ...FOLLOWER, slaveMasterHost: 'redis-m.example' }, want: false },
  { rule: `${OTHER_MASTER} [host name in other case compares equal]`, ri: { ...FOLLOWER, slaveMasterHost: 'Redis-M.EXAMPLE' }, want: false },
  { rule: `${OTHER_MASTER} [INFO gave no master_host: treated as following another master]`, ri: { ...FOLLOWER, slaveMasterHost: null }, want: true },
];

for (const row of followRows) {
  test(row.rule, () => assert.equal(followsOtherMaster(row.ri, MASTER), row.want, row.rule));
}

const FIX =
  '5.5 step 4: "if the master looks sane, the replica has had no SDOWN for failover-timeout and its replication config has not changed for failover-timeout, send the REPLICAOF transaction and emit `+fix-slave-config`"';
const WRONG: FollowerFacts = { ...FOLLOWER, slaveMasterHost: '10.0.0.2' };

const fixRows: { rule: string; ri: FollowerFacts; sane: boolean; want: boolean }[] = [
  { rule: `${FIX} [setting unchanged failover-timeout + 1 ms]`, ri: WRONG, sane: true, want: true },
  { rule: `${FIX} [setting unchanged exactly failover-timeout: not yet]`, ri: { ...WRONG, slaveConfChangeTime: NOW - FT }, sane: true, want: false },
  { rule: `${FIX} [the master does not look sane]`, ri: WRONG, sane: false, want: false },
  { rule: `${FIX} [SDOWN entered within failover-timeout]`, ri: { ...WRONG, sDownSinceTime: NOW - FT + 1 }, sane: true, want: false },
  { rule: `${FIX} [SDOWN entered failover-timeout + 1 ms ago]`, ri: { ...WRONG, sDownSinceTime: NOW - FT - 1 }, sane: true, want: true },
];

for (const row of fixRows) {
  test(row.rule, () => assert.equal(shouldFixSlaveConfig(row.ri, row.sane, FT, NOW), row.want, row.rule));
}

const PROGRESS =
  '5.5 step 5: "Replica flagged reconf_sent whose INFO now shows the promoted replica\'s address as master → reconf_inprog (`+slave-reconf-inprog`); replica in reconf_inprog whose `master_link_status` is up → reconf_done (`+slave-reconf-done`)"';
const PROMOTED: Addr = { hostname: 'redis-p.example', ip: '10.0.0.9', port: 6380 };
const SENT: ReconfFacts = { reconf: 'sent', slaveMasterHost: '10.0.0.9', slaveMasterPort: 6380, slaveMasterLinkUp: false };

const progressRows: { rule: string; ri: ReconfFacts; want: ('inprog' | 'done')[] }[] = [
  { rule: `${PROGRESS} [sent, follows the promoted replica, link down: inprog]`, ri: SENT, want: ['inprog'] },
  { rule: `${PROGRESS} [sent, follows the promoted replica, link up: sent -> inprog -> done in one INFO]`, ri: { ...SENT, slaveMasterLinkUp: true }, want: ['inprog', 'done'] },
  { rule: `${PROGRESS} [sent, still follows the old master: nothing]`, ri: { ...SENT, slaveMasterHost: '10.0.0.1', slaveMasterPort: 6379, slaveMasterLinkUp: true }, want: [] },
  { rule: `${PROGRESS} [sent, right IP but old port: nothing]`, ri: { ...SENT, slaveMasterPort: 6379 }, want: [] },
  { rule: `${PROGRESS} [sent, no master_host yet: nothing]`, ri: { ...SENT, slaveMasterHost: null, slaveMasterLinkUp: true }, want: [] },
  { rule: `${PROGRESS} [sent, follows the promoted replica by host name in other case: inprog]`, ri: { ...SENT, slaveMasterHost: 'REDIS-P.example' }, want: ['inprog'] },
  { rule: `${PROGRESS} [inprog, link up: done]`, ri: { ...SENT, reconf: 'inprog', slaveMasterLinkUp: true }, want: ['done'] },
  { rule: `${PROGRESS} [inprog, link down: nothing]`, ri: { ...SENT, reconf: 'inprog' }, want: [] },
  {
    rule: `${PROGRESS} [inprog, link up, address not re-checked (as redis): done]`,
    ri: { reconf: 'inprog', slaveMasterHost: '10.0.0.1', slaveMasterPort: 6379, slaveMasterLinkUp: true },
    want: ['done'],
  },
  { rule: `${PROGRESS} [none: nothing, whatever it follows]`, ri: { ...SENT, reconf: 'none', slaveMasterLinkUp: true }, want: [] },
  { rule: `${PROGRESS} [done: nothing]`, ri: { ...SENT, reconf: 'done', slaveMasterLinkUp: true }, want: [] },
];

for (const row of progressRows) {
  test(row.rule, () => assert.deepEqual(reconfProgress(row.ri, PROMOTED), row.want, row.rule));
}

/** A replica with a name, so that plans read as lists. */
interface Named extends ReconfCandidate {
  readonly name: string;
}

const RECONF_TIMEOUT = 10000;

function r(name: string, reconf: ReconfState, extra: Partial<Named> = {}): Named {
  return { name, promoted: false, reconf, slaveReconfSentTime: reconf === 'sent' ? NOW - 1000 : 0, link: { disconnected: false }, sDown: false, ...extra };
}

const P = r('P', 'none', { promoted: true });
const STUCK = { slaveReconfSentTime: NOW - RECONF_TIMEOUT - 1 };

const WALK =
  '5.15 "Walk the replicas while in_progress < parallel-syncs: skip the promoted one and those done; a replica in reconf_sent for more than 10 s gets `-slave-reconf-sent-timeout` and is counted as done …; skip those in progress and disconnected ones; otherwise send the REPLICAOF transaction pointing to the promoted replica … in_progress + 1"';
const QUIRK =
  '5.15 "Quirk (src): … with parallel-syncs 1 a replica stuck in reconf_sent therefore holds the failover until failover-timeout rather than 10 s"';

const planRows: { rule: string; replicas: Named[]; parallelSyncs: number; want: [string, 'timed-out' | 'send'][] }[] = [
  { rule: `${WALK} [parallel-syncs 1: one at a time, in replica order]`, replicas: [P, r('a', 'none'), r('b', 'none')], parallelSyncs: 1, want: [['a', 'send']] },
  {
    rule: `${WALK} [parallel-syncs 2: two at a time]`,
    replicas: [P, r('a', 'none'), r('b', 'none'), r('c', 'none')],
    parallelSyncs: 2,
    want: [
      ['a', 'send'],
      ['b', 'send'],
    ],
  },
  { rule: `${WALK} [parallel-syncs 1, one already in reconf_sent: nothing more]`, replicas: [P, r('a', 'sent'), r('b', 'none')], parallelSyncs: 1, want: [] },
  { rule: `${WALK} [parallel-syncs 1, one in reconf_inprog: nothing more]`, replicas: [P, r('a', 'inprog'), r('b', 'none')], parallelSyncs: 1, want: [] },
  { rule: `${WALK} [parallel-syncs 2, one in reconf_sent: one more]`, replicas: [P, r('a', 'sent'), r('b', 'none'), r('c', 'none')], parallelSyncs: 2, want: [['b', 'send']] },
  { rule: `${WALK} [done and disconnected ones are skipped]`, replicas: [P, r('a', 'done'), r('b', 'none', { link: { disconnected: true } }), r('c', 'none')], parallelSyncs: 1, want: [['c', 'send']] },
  { rule: `${WALK} [everyone done: nothing]`, replicas: [P, r('a', 'done'), r('b', 'done')], parallelSyncs: 1, want: [] },
  { rule: `${QUIRK} [parallel-syncs 1, reconf_sent 10 s + 1 ms ago: the loop does not start, no timeout]`, replicas: [P, r('a', 'sent', STUCK), r('b', 'none')], parallelSyncs: 1, want: [] },
  {
    rule: `${WALK} [parallel-syncs 2, reconf_sent exactly 10 s ago: not timed out]`,
    replicas: [P, r('a', 'sent', { slaveReconfSentTime: NOW - RECONF_TIMEOUT }), r('b', 'none'), r('c', 'none')],
    parallelSyncs: 2,
    want: [['b', 'send']],
  },
  {
    rule: `${WALK} [parallel-syncs 2, reconf_sent 10 s + 1 ms ago: timed out; it still counts as in progress in this pass, so only one more is sent — differs from redis, which re-sends SLAVEOF to the timed-out replica itself in the same pass (it falls through to the send) instead of to b]`,
    replicas: [P, r('a', 'sent', STUCK), r('b', 'none'), r('c', 'none')],
    parallelSyncs: 2,
    want: [
      ['a', 'timed-out'],
      ['b', 'send'],
    ],
  },
  {
    rule: `${WALK} [only reconf_sent times out: reconf_inprog for ever stays in progress]`,
    replicas: [P, r('a', 'inprog', STUCK), r('b', 'none'), r('c', 'none')],
    parallelSyncs: 2,
    want: [['b', 'send']],
  },
];

for (const row of planRows) {
  test(row.rule, () => {
    const plan = planReconfiguration(row.replicas, row.parallelSyncs, RECONF_TIMEOUT, NOW);
    assert.deepEqual(
      plan.map((p) => [p.replica.name, p.step]),
      row.want,
      row.rule,
    );
  });
}

const END =
  '5.15 "not_done = replicas that are neither promoted nor done nor SDOWN. If failover-timeout has elapsed since entering reconf_slaves: `+failover-end-for-timeout`, treat not_done as 0 … When not_done is 0: `+failover-end`"';
const START = NOW - 1000;

const endRows: { rule: string; replicas: Named[]; now: number; want: { end: boolean; timeout: boolean } }[] = [
  { rule: `${END} [every other replica done: completed]`, replicas: [P, r('a', 'done'), r('b', 'done')], now: NOW, want: { end: true, timeout: false } },
  { rule: `${END} [only the promoted replica: completed]`, replicas: [P], now: NOW, want: { end: true, timeout: false } },
  { rule: `${END} [one still in reconf_sent: not yet]`, replicas: [P, r('a', 'done'), r('b', 'sent')], now: NOW, want: { end: false, timeout: false } },
  { rule: `${END} [one still in reconf_inprog: not yet]`, replicas: [P, r('a', 'inprog')], now: NOW, want: { end: false, timeout: false } },
  { rule: `${END} [the one not done is SDOWN: completed]`, replicas: [P, r('a', 'done'), r('b', 'none', { sDown: true })], now: NOW, want: { end: true, timeout: false } },
  { rule: `${END} [exactly failover-timeout in reconf_slaves with one in reconf_sent: not yet]`, replicas: [P, r('a', 'sent')], now: START + FT, want: { end: false, timeout: false } },
  { rule: `${END} [failover-timeout + 1 ms with one in reconf_sent: ends for timeout]`, replicas: [P, r('a', 'sent')], now: START + FT + 1, want: { end: true, timeout: true } },
  { rule: `${END} [failover-timeout + 1 ms with every replica done: reported as timeout]`, replicas: [P, r('a', 'done')], now: START + FT + 1, want: { end: true, timeout: true } },
];

for (const row of endRows) {
  test(row.rule, () => assert.deepEqual(failoverEnd(row.replicas, START, FT, row.now), row.want, row.rule));
}

const BEST_EFFORT = '5.15 "send the transaction best-effort to every connected replica not yet sent/done (`+slave-reconf-sent-be`)"';

const bestEffortRows: { rule: string; replicas: Named[]; want: string[] }[] = [
  {
    rule: `${BEST_EFFORT} [skips promoted, done, sent and disconnected; includes reconf_inprog and untouched ones]`,
    replicas: [P, r('a', 'done'), r('b', 'sent'), r('c', 'inprog'), r('d', 'none'), r('e', 'none', { link: { disconnected: true } })],
    want: ['c', 'd'],
  },
  { rule: `${BEST_EFFORT} [an SDOWN but connected replica is still told]`, replicas: [P, r('a', 'none', { sDown: true })], want: ['a'] },
];

for (const row of bestEffortRows) {
  test(row.rule, () =>
    assert.deepEqual(
      stillToReconfigure(row.replicas).map((x) => x.name),
      row.want,
      row.rule,
    ),
  );
}
