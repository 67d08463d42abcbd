/** The figures of partition scenarios (measure.ts), on hand-made records: no namespace, no root. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { dualMasterMs, longestGap, lostWrites, median } from './measure.js';
import type { Sample } from './measure.js';

test('longestGap counts the edges of the window and ignores acks outside it', () => {
  assert.equal(longestGap([110, 120, 400, 410], 100, 500), 280);
  assert.equal(longestGap([50, 150, 160], 100, 900), 740, 'from the last ack to the end');
  assert.equal(longestGap([], 100, 300), 200, 'no ack: the whole window');
  assert.equal(longestGap([300, 120], 100, 310), 180, 'order does not matter');
});

const s = (t: number, host: string, role: string, writable: boolean | null = null): Sample => ({ t, host, role, writable });

test('dualMasterMs: both masters, the writable variant, and stale observers', () => {
  const samples = [
    s(0, 'h1', 'master', true),
    s(0, 'h2', 'slave'),
    s(1000, 'h2', 'master', true),
    s(1000, 'h1', 'master', true),
    s(1500, 'h1', 'master', false), // paused from here
    s(1500, 'h2', 'master', true),
    s(1900, 'h1', 'master', false),
    s(1900, 'h2', 'master', true),
    s(2000, 'h1', 'slave'),
    s(2000, 'h2', 'master', true),
  ];
  assert.equal(dualMasterMs(samples, 'h1', 0, 3000), 1000);
  assert.equal(dualMasterMs(samples, 'h1', 0, 3000, { writable: true }), 500);
  assert.equal(dualMasterMs(samples, 'h1', 1200, 1700), 500, 'clipped to the window');
  assert.equal(dualMasterMs(samples, 'h2', 0, 3000), 1000, 'symmetric when asked about the other');
  // An observer that stops sampling stops counting after staleMs.
  const stalled = [s(0, 'h1', 'master', true), s(0, 'h2', 'master', true)];
  assert.equal(dualMasterMs(stalled, 'h1', 0, 10000, { staleMs: 300 }), 300);
  assert.equal(dualMasterMs([], 'h1', 0, 1000), 0);
});

test('lostWrites and median', () => {
  assert.deepEqual(lostWrites([5, 1, 2, 3, 4], [1, 2, 4]), [3, 5]);
  assert.equal(median([3, 1, NaN, 2]), 2);
  assert.equal(median([4, 1, 2, 3]), 2.5);
  assert.ok(Number.isNaN(median([])));
});
