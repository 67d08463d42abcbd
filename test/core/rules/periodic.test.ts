/**
 * Table tests for src/core/rules/periodic.ts: which of PING, INFO and our hello go to an
 * instance in a timer run. Each row quotes the rule (sentinel-features.md 5.5 "PING every
 * second", 5.4 "INFO every 10 s", 5.17 "hello every 2 s") and, where ours differs, how.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { PeriodicFacts } from '../../../src/core/rules/periodic.js';
import { SEND_HELLO, SEND_INFO, SEND_PING, periodicDue } from '../../../src/core/rules/periodic.js';

const NOW = 1_000_000;
/** Everything answered and published just now: nothing is due. */
const FRESH: PeriodicFacts = {
  now: NOW,
  lastPingTime: NOW - 10,
  lastPongTime: NOW - 10,
  pingPeriod: 1000,
  infoRefresh: NOW - 10,
  infoPeriod: 10000,
  lastPubTime: NOW - 10,
  publishPeriod: 2000,
  helloAllowed: true,
};

const PING = '5.5 "PING every ping period, once the last answer is that old"';
const INFO = '5.4 "INFO every 10 s; at once when never read"';
const HELLO = '5.17 "hello every 2 s"';
const RIDES = 'ours: nearly due (half a ping period) travels with a PING, one write';

const rows: { rule: string; f: Partial<PeriodicFacts>; want: number }[] = [
  { rule: 'nothing due, nothing sent', f: {}, want: 0 },
  { rule: `${PING} [last answer exactly a period ago: not yet]`, f: { lastPongTime: NOW - 1000, lastPingTime: NOW - 1000 }, want: 0 },
  { rule: `${PING} [a period + 1 ms: due]`, f: { lastPongTime: NOW - 1001, lastPingTime: NOW - 1001 }, want: SEND_PING },
  { rule: `${PING} [one sent within half a period: not again]`, f: { lastPongTime: NOW - 5000, lastPingTime: NOW - 500 }, want: 0 },
  { rule: `${PING} [unanswered, half a period + 1 ms since the last: again]`, f: { lastPongTime: NOW - 5000, lastPingTime: NOW - 501 }, want: SEND_PING },
  { rule: `${PING} [down-after shorter than the period: its own period]`, f: { pingPeriod: 200, lastPongTime: NOW - 201, lastPingTime: NOW - 201 }, want: SEND_PING },
  { rule: `${INFO} [never read: at once, without a PING]`, f: { infoRefresh: 0 }, want: SEND_INFO },
  { rule: `${INFO} [read a period + 1 ms ago: due alone]`, f: { infoRefresh: NOW - 10001 }, want: SEND_INFO },
  { rule: `${INFO} [9.6 s ago, no PING: not yet]`, f: { infoRefresh: NOW - 9600 }, want: 0 },
  { rule: `${INFO} ${RIDES} [9.6 s ago, a PING goes: with it]`, f: { infoRefresh: NOW - 9600, lastPongTime: NOW - 1001, lastPingTime: NOW - 1001 }, want: SEND_PING | SEND_INFO },
  { rule: `${INFO} ${RIDES} [9.5 s ago exactly: not even with a PING]`, f: { infoRefresh: NOW - 9500, lastPongTime: NOW - 1001, lastPingTime: NOW - 1001 }, want: SEND_PING },
  {
    rule: `${INFO} [a failover's 100 ms INFO is shorter than the PING's period: never brought forward]`,
    f: { infoPeriod: 100, infoRefresh: NOW - 60, lastPongTime: NOW - 1001, lastPingTime: NOW - 1001 },
    want: SEND_PING,
  },
  { rule: `${INFO} [a sentinel is never sent INFO]`, f: { infoPeriod: null, infoRefresh: 0 }, want: 0 },
  { rule: `${HELLO} ${RIDES} [1.6 s since the last, a PING goes: with it]`, f: { lastPubTime: NOW - 1600, lastPongTime: NOW - 1001, lastPingTime: NOW - 1001 }, want: SEND_PING | SEND_HELLO },
  { rule: `${HELLO} ${RIDES} [1.1 s since the last: not with this PING, with the next]`, f: { lastPubTime: NOW - 1100, lastPongTime: NOW - 1001, lastPingTime: NOW - 1001 }, want: SEND_PING },
  { rule: `${HELLO} [ours: 2.3 s and no PING: waits for one]`, f: { lastPubTime: NOW - 2300 }, want: 0 },
  { rule: `${HELLO} [ours: alone only half a ping period after due (2.5 s + 1 ms)]`, f: { lastPubTime: NOW - 2501 }, want: SEND_HELLO },
  { rule: `${HELLO} [none to a server we paused]`, f: { helloAllowed: false, lastPubTime: NOW - 9000, lastPongTime: NOW - 1001, lastPingTime: NOW - 1001 }, want: SEND_PING },
  {
    rule: 'all three due together go together',
    f: { infoRefresh: NOW - 20000, lastPubTime: NOW - 3000, lastPongTime: NOW - 1001, lastPingTime: NOW - 1001 },
    want: SEND_PING | SEND_INFO | SEND_HELLO,
  },
];

for (const row of rows) {
  test(row.rule, () => assert.equal(periodicDue({ ...FRESH, ...row.f }), row.want, row.rule));
}

test('steady state: PINGs as redis times them, the hello with every other one, INFO never later than redis', () => {
  // A server answering in 1 ms, timer runs every 75 ms: replay 60 s and look at what went together.
  let f: PeriodicFacts = { ...FRESH, lastPingTime: 0, lastPongTime: 0, infoRefresh: 0, lastPubTime: 0, now: 100_000 };
  const writes: number[] = [];
  const pings: number[] = [];
  const infos: number[] = [];
  for (let now = 100_000; now < 160_000; now += 75) {
    const due = periodicDue({ ...f, now });
    if (due === 0) continue;
    writes.push(due);
    const answered = now + 1;
    if (due & SEND_PING) {
      pings.push(now);
      f = { ...f, lastPingTime: now, lastPongTime: answered };
    }
    if (due & SEND_INFO) {
      infos.push(now);
      f = { ...f, infoRefresh: answered };
    }
    if (due & SEND_HELLO) f = { ...f, lastPubTime: answered };
  }
  const hellos = writes.filter((d) => d & SEND_HELLO).length;
  assert.equal(writes.filter((d) => d === SEND_HELLO).length, 0, 'no hello needs a write of its own');
  assert.ok(hellos >= 26 && hellos <= 30, `${hellos} hellos in 60 s`);
  for (let i = 1; i < pings.length; i++) assert.ok(pings[i]! - pings[i - 1]! <= 1000 + 75 + 1, 'a PING every period, never held back');
  for (let i = 1; i < infos.length; i++) assert.ok(infos[i]! - infos[i - 1]! <= 10000 + 75 + 1, 'INFO every period, never held back');
  // Without riding along: a write per PING, per hello and per INFO (about 60 + 28 + 6).
  assert.ok(writes.length <= pings.length + infos.length / 2 + 1, `${writes.length} writes for ${pings.length} PINGs, ${infos.length} INFOs`);
});
