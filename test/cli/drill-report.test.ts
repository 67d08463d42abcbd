import { test } from 'node:test';
import assert from 'node:assert/strict';
import { exitCodeOf, formatHuman, formatJson, longestGap, summarize } from '../../src/cli/drill-report.js';
import type { DrillFacts } from '../../src/cli/drill-report.js';

/** A completed coordinated drill: trigger at clock 1000, agreement at 1400. */
function facts(over: Partial<DrillFacts> = {}): DrillFacts {
  return {
    master: 'mymaster',
    mode: 'coordinated',
    writesPerSecond: 100,
    wait: null,
    oldMaster: '127.0.0.1:6379',
    newMaster: '127.0.0.1:6380',
    sentinels: 3,
    triggeredAt: 1000,
    agreedAt: 1400.4,
    connections: [
      { master: '127.0.0.1:6379', at: 0 },
      { master: '127.0.0.1:6380', at: 1390 },
    ],
    ackTimes: [10, 20, 1100, 30, 1395, 1405],
    attempted: 8,
    failures: { connection_lost: 1, not_connected: 1, READONLY: 0 },
    lostAcked: 0,
    keysDeleted: 6,
    durationMs: 3456.7,
    error: null,
    ...over,
  };
}

test('longestGap: the longest interval between consecutive acknowledgements, in time order, and where it began', () => {
  const rows: [number[], { gap: number; start: number } | null][] = [
    [[], null],
    [[5], null],
    [[5, 5], { gap: 0, start: 5 }],
    [[0, 10, 20], { gap: 10, start: 0 }], // ties: the first
    [[0, 10, 300, 310], { gap: 290, start: 10 }],
    [[310, 0, 300, 10], { gap: 290, start: 10 }], // acks arriving out of order are sorted first
    [[100, 102, 104, 1000], { gap: 896, start: 104 }], // the gap at the very end counts (from first to last ack)
    [[0, 900, 902], { gap: 900, start: 0 }], // and at the very start
  ];
  for (const [acks, want] of rows) assert.deepEqual(longestGap(acks), want, JSON.stringify(acks));
});

test('summarize: counts, gap and times relative to the failover request, zero failure reasons left out', () => {
  const s = summarize(facts());
  assert.equal(s.acknowledged, 6);
  assert.equal(s.failed, 2);
  assert.deepEqual(s.failures, { connection_lost: 1, not_connected: 1 });
  assert.equal(s.agreed_ms, 400);
  assert.equal(s.max_gap_ms, 1070); // 30 -> 1100
  assert.equal(s.max_gap_start_ms, -970);
  assert.deepEqual(s.connections, [
    { master: '127.0.0.1:6379', at_ms: -1000 },
    { master: '127.0.0.1:6380', at_ms: 390 },
  ]);
  assert.equal(s.duration_ms, 3457);
});

test('summarize: never triggered -> no agreement time, no relative times', () => {
  const s = summarize(facts({ triggeredAt: null, agreedAt: null, newMaster: null, error: 'refused' }));
  assert.equal(s.agreed_ms, null);
  assert.equal(s.max_gap_start_ms, null);
  assert.equal(s.max_gap_ms, 1070);
  assert.deepEqual(
    s.connections.map((c) => c.at_ms),
    [null, null],
  );
});

test('JSON: exactly one object on one line, with every documented key', () => {
  const out = formatJson(summarize(facts({ wait: { replicas: 1, timeoutMs: 100 } })));
  assert.equal(out.endsWith('\n'), true);
  assert.equal(out.trimEnd().includes('\n'), false);
  const o = JSON.parse(out) as Record<string, unknown>;
  for (const k of [
    'master', 'mode', 'writes_per_second', 'wait', 'old_master', 'new_master', 'sentinels', 'agreed_ms', 'max_gap_ms', 'max_gap_start_ms',
    'connections', 'attempted', 'acknowledged', 'failed', 'failures', 'lost_acked', 'keys_deleted', 'duration_ms', 'error',
  ]) {
    assert.ok(k in o, `key ${k}`);
  }
  assert.deepEqual(o['wait'], { replicas: 1, timeout_ms: 100 });
  assert.equal(o['old_master'], '127.0.0.1:6379');
  assert.equal(o['new_master'], '127.0.0.1:6380');
  assert.equal(o['error'], null);
});

test('exit status: 0 switched with nothing lost, 2 switched with losses, 1 for errors, no agreement or no verification', () => {
  const rows: [Partial<DrillFacts>, number][] = [
    [{}, 0],
    [{ lostAcked: 3 }, 2],
    [{ error: 'the sentinels did not agree', newMaster: null, lostAcked: null }, 1],
    [{ error: 'refused', triggeredAt: null, agreedAt: null, newMaster: null, lostAcked: null }, 1],
    [{ error: 'could not verify', lostAcked: null }, 1],
    [{ lostAcked: null }, 1],
  ];
  for (const [over, want] of rows) assert.equal(exitCodeOf(summarize(facts(over))), want, JSON.stringify(over));
});

test('human output: aligned label column with the old and new master, counts, reasons and the gap', () => {
  const out = formatHuman(summarize(facts()));
  const lines = out.trimEnd().split('\n');
  // The value starts after the label and a run of at least two spaces, at the same column on every line.
  const columns = lines.map((l) => /^\S.*?\S {2,}(?=\S)/.exec(l)?.[0].length);
  assert.equal(new Set(columns).size, 1, out);
  assert.notEqual(columns[0], undefined);
  assert.match(out, /switchover\s+127\.0\.0\.1:6379 -> 127\.0\.0\.1:6380/);
  assert.match(out, /sentinels agreed\s+after 400 ms \(all 3\)/);
  assert.match(out, /failed\s+2 \(connection lost 1, not connected 1\)/);
  assert.match(out, /lost\s+0 acknowledged write\(s\) missing/);
  assert.match(out, /longest write gap\s+1070 ms \(from 970 ms before the failover request\)/);
  assert.doesNotMatch(out, /error/);
});

test('human output of a failed drill says what is unknown and why', () => {
  const out = formatHuman(summarize(facts({ newMaster: null, agreedAt: null, lostAcked: null, error: 'the sentinels did not agree on a new master within 60000 ms' })));
  assert.match(out, /127\.0\.0\.1:6379 -> \(not agreed\)/);
  assert.match(out, /sentinels agreed\s+no \(3 followed\)/);
  assert.match(out, /lost\s+not verified/);
  assert.match(out, /error\s+the sentinels did not agree/);
});
