/**
 * Table tests for src/core/rules/tilt.ts. Each row quotes the rule it checks from
 * sentinel-features.md (5.1 constants, 5.20 TILT mode).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { TiltFacts, TiltTransition } from '../../../src/core/rules/tilt.js';
import { tiltCause, tiltTransition } from '../../../src/core/rules/tilt.js';

const TRIGGER = 2000;
const PERIOD = 30000;
const NOW = 1_000_000;

const ENTER = '5.20 "A negative value or more than 2 s enters TILT (again, restarting the 30 s, on every further anomaly)"';
const EXIT = '5.20 "After 30 s without a new anomaly: `-tilt #tilt mode exited`"';

/** Not in TILT, previous timer run `delta` ms ago. */
function calm(delta: number): TiltFacts {
  return { tilt: false, tiltStartTime: 0, previousTickTime: NOW - delta };
}

/** In TILT since `since` ms ago, previous timer run 100 ms ago unless said otherwise. */
function tilted(since: number, delta = 100): TiltFacts {
  return { tilt: true, tiltStartTime: NOW - since, previousTickTime: NOW - delta };
}

const rows: { rule: string; f: TiltFacts; want: TiltTransition }[] = [
  { rule: `${ENTER} [a normal 100 ms gap: nothing]`, f: calm(100), want: 'stay' },
  { rule: `${ENTER} [two runs in the same ms (gap 0): nothing]`, f: calm(0), want: 'stay' },
  { rule: `${ENTER} [the clock went back 1 ms (negative gap)]`, f: calm(-1), want: 'enter' },
  { rule: `${ENTER} [gap exactly tilt-trigger (2000 ms): nothing]`, f: calm(TRIGGER), want: 'stay' },
  { rule: `${ENTER} [gap tilt-trigger + 1 ms]`, f: calm(TRIGGER + 1), want: 'enter' },
  { rule: `${ENTER} [a further stall while in TILT enters again (restarts the period)]`, f: tilted(20000, TRIGGER + 1), want: 'enter' },
  { rule: `${ENTER} [a backwards clock while in TILT enters again]`, f: tilted(20000, -5), want: 'enter' },
  { rule: `${ENTER} [an anomaly once the period is over enters again rather than exiting]`, f: tilted(PERIOD + 5000, TRIGGER + 1), want: 'enter' },
  { rule: `${EXIT} [in TILT for 29999 ms: stay]`, f: tilted(PERIOD - 1), want: 'stay' },
  {
    rule: `${EXIT} [in TILT for exactly tilt-period: exit — redis stays only while now − tilt_start_time < tilt_period]`,
    f: tilted(PERIOD),
    want: 'exit',
  },
  { rule: `${EXIT} [in TILT for tilt-period + 1 ms: exit]`, f: tilted(PERIOD + 1), want: 'exit' },
  { rule: `${EXIT} [not in TILT: nothing to exit however long ago the last TILT started]`, f: { tilt: false, tiltStartTime: NOW - 10 * PERIOD, previousTickTime: NOW - 100 }, want: 'stay' },
];

for (const row of rows) {
  test(row.rule, () => assert.equal(tiltTransition(row.f, NOW, TRIGGER, PERIOD), row.want, row.rule));
}

test('the cause of TILT: the clock went backwards, or the timer ran too late (a stall or a jump forward)', () => {
  assert.equal(tiltCause(10_000, 9_000), 'clock-backwards');
  assert.equal(tiltCause(10_000, 13_000), 'timer-stall');
});
