/**
 * Table tests for src/core/rules/sdown.ts. Each row quotes the rule it checks from
 * sentinel-features.md (5.1 derived windows, 5.6 PING replies, 5.7 SDOWN).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { LinkFacts, PingReplyClass, SdownFacts } from '../../../src/core/rules/sdown.js';
import { classifyPingReply, commandLinkStale, isSubjectivelyDown, pubsubLinkStale, unansweredFor } from '../../../src/core/rules/sdown.js';

const NOW = 1_000_000;
const DOWN_AFTER = 30000;
const INFO_PERIOD = 10000;
const PUBLISH_PERIOD = 2000;
const MIN_RECONNECT = 15000;

/** A connected link that has just answered everything. */
const HEALTHY: LinkFacts = {
  disconnected: false,
  actPingTime: 0,
  lastAvailTime: NOW,
  lastPongTime: NOW,
  cc: 1,
  pc: 2,
  ccConnTime: 0,
  pcConnTime: 0,
  pcLastActivity: NOW,
};

const MASTER: SdownFacts = { kind: 'master', downAfterMs: DOWN_AFTER, roleReported: 'master', roleReportedTime: 0 };
const REPLICA: SdownFacts = { kind: 'slave', downAfterMs: DOWN_AFTER, roleReported: 'slave', roleReportedTime: 0 };
const PEER: SdownFacts = { kind: 'sentinel', downAfterMs: DOWN_AFTER, roleReported: 'master', roleReportedTime: 0 };

const ELAPSED = '5.7 "Elapsed = now − time of the oldest unanswered PING if one is outstanding; else, if the link is disconnected, now − last acceptable reply; else 0"';

const unansweredRows: { rule: string; link: LinkFacts; want: number }[] = [
  { rule: `${ELAPSED} [PING outstanding for 4000 ms]`, link: { ...HEALTHY, actPingTime: NOW - 4000 }, want: 4000 },
  {
    rule: `${ELAPSED} [disconnected with a PING outstanding: measured from the PING, not the last reply]`,
    link: { ...HEALTHY, disconnected: true, actPingTime: NOW - 2000, lastAvailTime: NOW - 9000 },
    want: 2000,
  },
  { rule: `${ELAPSED} [disconnected, nothing outstanding: since the last acceptable reply]`, link: { ...HEALTHY, disconnected: true, lastAvailTime: NOW - 9000 }, want: 9000 },
  { rule: `${ELAPSED} [connected, nothing outstanding: 0 however old the last reply]`, link: { ...HEALTHY, lastAvailTime: NOW - 90000 }, want: 0 },
];

for (const row of unansweredRows) {
  test(row.rule, () => assert.equal(unansweredFor(row.link, NOW), row.want, row.rule));
}

const SDOWN1 = '5.7 SDOWN when "1. elapsed > down-after-milliseconds"';
const SDOWN2 = '5.7 SDOWN when "2. it is a configured master whose INFO has said `role:slave` for longer than down-after + 2 × info_period"';
const SDOWN3 =
  '5.7 SDOWN when "3. it is a master marked "rebooted" (run_id changed while master-reboot-down-after-period > 0) and the mark is older than master-reboot-down-after-period"';

const sdownRows: { rule: string; ri: SdownFacts; link: LinkFacts; want: boolean }[] = [
  { rule: `${SDOWN1} [master, PING unanswered exactly down-after ms: not yet]`, ri: MASTER, link: { ...HEALTHY, actPingTime: NOW - DOWN_AFTER }, want: false },
  { rule: `${SDOWN1} [master, PING unanswered down-after + 1 ms]`, ri: MASTER, link: { ...HEALTHY, actPingTime: NOW - DOWN_AFTER - 1 }, want: true },
  { rule: `${SDOWN1} [replica, exactly down-after: not yet]`, ri: REPLICA, link: { ...HEALTHY, actPingTime: NOW - DOWN_AFTER }, want: false },
  { rule: `${SDOWN1} [replica, down-after + 1 ms]`, ri: REPLICA, link: { ...HEALTHY, actPingTime: NOW - DOWN_AFTER - 1 }, want: true },
  { rule: `${SDOWN1} [sentinel peer, exactly down-after: not yet]`, ri: PEER, link: { ...HEALTHY, actPingTime: NOW - DOWN_AFTER }, want: false },
  { rule: `${SDOWN1} [sentinel peer, down-after + 1 ms]`, ri: PEER, link: { ...HEALTHY, actPingTime: NOW - DOWN_AFTER - 1 }, want: true },
  {
    rule: `${SDOWN1} [disconnected, nothing outstanding, last acceptable reply down-after + 1 ms ago]`,
    ri: MASTER,
    link: { ...HEALTHY, disconnected: true, lastAvailTime: NOW - DOWN_AFTER - 1 },
    want: true,
  },
  {
    rule: `${SDOWN1} [connected, nothing outstanding: elapsed is 0 even with an old last reply]`,
    ri: MASTER,
    link: { ...HEALTHY, lastAvailTime: NOW - 10 * DOWN_AFTER },
    want: false,
  },
  {
    rule: `${SDOWN2} [exactly down-after + 2 × info_period: not yet]`,
    ri: { ...MASTER, roleReported: 'slave', roleReportedTime: NOW - (DOWN_AFTER + 2 * INFO_PERIOD) },
    link: HEALTHY,
    want: false,
  },
  {
    rule: `${SDOWN2} [down-after + 2 × info_period + 1 ms]`,
    ri: { ...MASTER, roleReported: 'slave', roleReportedTime: NOW - (DOWN_AFTER + 2 * INFO_PERIOD) - 1 },
    link: HEALTHY,
    want: true,
  },
  {
    rule: `${SDOWN2} [only masters: a replica reporting role:slave for ever is fine]`,
    ri: { ...REPLICA, roleReportedTime: NOW - 10 * DOWN_AFTER },
    link: HEALTHY,
    want: false,
  },
  {
    rule: `${SDOWN2} [a master reporting role:master for ever is fine]`,
    ri: { ...MASTER, roleReportedTime: NOW - 10 * DOWN_AFTER },
    link: HEALTHY,
    want: false,
  },
  {
    rule: `${SDOWN3} [mark exactly master-reboot-down-after-period old: not yet]`,
    ri: { ...MASTER, rebooted: true, rebootSinceTime: NOW - 10000, masterRebootDownAfterPeriod: 10000 },
    link: HEALTHY,
    want: false,
  },
  {
    rule: `${SDOWN3} [mark master-reboot-down-after-period + 1 ms old]`,
    ri: { ...MASTER, rebooted: true, rebootSinceTime: NOW - 10001, masterRebootDownAfterPeriod: 10000 },
    link: HEALTHY,
    want: true,
  },
  {
    rule: `${SDOWN3} [no mark (cleared by a PONG): not down however long ago the reboot was]`,
    ri: { ...MASTER, rebooted: false, rebootSinceTime: NOW - 10 * DOWN_AFTER, masterRebootDownAfterPeriod: 10000 },
    link: HEALTHY,
    want: false,
  },
  {
    rule: `${SDOWN3} [only masters: a sentinel peer carrying a reboot mark is not down for it]`,
    ri: { ...PEER, rebooted: true, rebootSinceTime: NOW - 10 * DOWN_AFTER, masterRebootDownAfterPeriod: 10000 },
    link: HEALTHY,
    want: false,
  },
];

for (const row of sdownRows) {
  test(row.rule, () => assert.equal(isSubjectivelyDown(row.ri, row.link, INFO_PERIOD, NOW), row.want, row.rule));
}

const STUCK_CC =
  '5.1 "close a stuck command link | link older than 15 s, oldest unanswered PING older than down-after/2 and no reply of any kind for down-after/2"';
/** Every condition of the stuck-command-link rule holds by exactly one ms. */
const STUCK: LinkFacts = {
  ...HEALTHY,
  ccConnTime: NOW - MIN_RECONNECT - 1,
  actPingTime: NOW - DOWN_AFTER / 2 - 1,
  lastPongTime: NOW - DOWN_AFTER / 2 - 1,
};

const commandRows: { rule: string; link: LinkFacts; want: boolean }[] = [
  { rule: `${STUCK_CC} [every condition holds by 1 ms]`, link: STUCK, want: true },
  { rule: `${STUCK_CC} [link exactly 15 s old: kept]`, link: { ...STUCK, ccConnTime: NOW - MIN_RECONNECT }, want: false },
  { rule: `${STUCK_CC} [oldest PING exactly down-after/2 old: kept]`, link: { ...STUCK, actPingTime: NOW - DOWN_AFTER / 2 }, want: false },
  { rule: `${STUCK_CC} [a reply of any kind exactly down-after/2 ago: kept]`, link: { ...STUCK, lastPongTime: NOW - DOWN_AFTER / 2 }, want: false },
  { rule: `${STUCK_CC} [no PING outstanding: kept]`, link: { ...STUCK, actPingTime: 0 }, want: false },
  { rule: `${STUCK_CC} [no command connection: nothing to close]`, link: { ...STUCK, cc: null }, want: false },
];

for (const row of commandRows) {
  test(row.rule, () => assert.equal(commandLinkStale(row.link, DOWN_AFTER, MIN_RECONNECT, NOW), row.want, row.rule));
}

const IDLE_PC = '5.1 "close an idle pub/sub link | no pub/sub traffic for 3 × publish_period (and link older than 15 s)"';
const IDLE: LinkFacts = { ...HEALTHY, pcConnTime: NOW - MIN_RECONNECT - 1, pcLastActivity: NOW - 3 * PUBLISH_PERIOD - 1 };

const pubsubRows: { rule: string; link: LinkFacts; want: boolean }[] = [
  { rule: `${IDLE_PC} [silent 3 × publish_period + 1 ms, link 15 s + 1 ms old]`, link: IDLE, want: true },
  { rule: `${IDLE_PC} [silent exactly 3 × publish_period: kept]`, link: { ...IDLE, pcLastActivity: NOW - 3 * PUBLISH_PERIOD }, want: false },
  { rule: `${IDLE_PC} [link exactly 15 s old: kept]`, link: { ...IDLE, pcConnTime: NOW - MIN_RECONNECT }, want: false },
  { rule: `${IDLE_PC} [no pub/sub connection: nothing to close]`, link: { ...IDLE, pc: null }, want: false },
];

for (const row of pubsubRows) {
  test(row.rule, () => assert.equal(pubsubLinkStale(row.link, PUBLISH_PERIOD, MIN_RECONNECT, NOW), row.want, row.rule));
}

const ACCEPTABLE = '5.6 "Acceptable (instance is available): a status or error reply starting with `PONG`, `LOADING` or `MASTERDOWN`"';
const BUSY = '5.6 "Reply starting with `BUSY` while the instance is SDOWN and no kill was sent yet: send `SCRIPT KILL` once"';
const OTHER = '5.6 "Anything else (including other errors such as NOAUTH) only updates "last reply of any kind""';

const pingRows: { rule: string; reply: string; want: PingReplyClass }[] = [
  { rule: `${ACCEPTABLE} [PONG]`, reply: 'PONG', want: 'ok' },
  { rule: `${ACCEPTABLE} [-LOADING]`, reply: 'LOADING Redis is loading the dataset in memory', want: 'ok' },
  { rule: `${ACCEPTABLE} [-MASTERDOWN]`, reply: 'MASTERDOWN Link with MASTER is down and replica-serve-stale-data is set to no', want: 'ok' },
  { rule: `${BUSY} [BUSY is its own class; the SDOWN / kill-sent conditions are the caller's]`, reply: 'BUSY Redis is busy running a script.', want: 'busy' },
  { rule: `${OTHER} [NOAUTH]`, reply: 'NOAUTH Authentication required.', want: 'other' },
  { rule: `${OTHER} [ERR]`, reply: 'ERR unknown command', want: 'other' },
  { rule: `${OTHER} [the prefix is case-sensitive, as redis's strncmp: "pong"]`, reply: 'pong', want: 'other' },
];

for (const row of pingRows) {
  test(row.rule, () => assert.equal(classifyPingReply(row.reply), row.want, row.rule));
}
