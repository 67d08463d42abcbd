/**
 * Table tests for src/core/rules/manual.ts: the checks SENTINEL FAILOVER makes before it starts
 * (redis's, quoted from sentinel-features.md 1.2, then our TO option's) and the replica it picks.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { TargetFacts } from '../../../src/core/rules/manual.js';
import { EXCLUSION_TEXT, chosenReplica, failoverBlocker } from '../../../src/core/rules/manual.js';

const REDIS_ORDER = '1.2 FAILOVER <master>: "`-INPROG Failover already in progress`; `-NOGOODSLAVE No suitable replica to promote` (replica selection run first)"';
const TO_RULE = 'TO <ip> <port> (sentinel-ts): refused with a clear error when the address is not a known, eligible replica, naming the reason';

const known = (asked: string, exclusion: TargetFacts['exclusion'] = null): TargetFacts => ({ asked, known: true, exclusion });
const unknown = (asked: string): TargetFacts => ({ asked, known: false, exclusion: null });

const rows: { rule: string; inProgress: boolean; eligible: number; target: TargetFacts | null; want: string | null }[] = [
  { rule: `${REDIS_ORDER} [nothing blocks: one eligible replica]`, inProgress: false, eligible: 1, target: null, want: null },
  { rule: `${REDIS_ORDER} [a failover runs: INPROG]`, inProgress: true, eligible: 2, target: null, want: 'INPROG Failover already in progress' },
  { rule: `${REDIS_ORDER} [INPROG comes first, even with no replica]`, inProgress: true, eligible: 0, target: null, want: 'INPROG Failover already in progress' },
  { rule: `${REDIS_ORDER} [no eligible replica: NOGOODSLAVE]`, inProgress: false, eligible: 0, target: null, want: 'NOGOODSLAVE No suitable replica to promote' },
  { rule: `${TO_RULE} [an eligible target: nothing blocks]`, inProgress: false, eligible: 2, target: known('127.0.0.1:6380'), want: null },
  { rule: `${TO_RULE} [INPROG still comes first]`, inProgress: true, eligible: 2, target: unknown('127.0.0.1:1'), want: 'INPROG Failover already in progress' },
  { rule: `${TO_RULE} [unknown address]`, inProgress: false, eligible: 2, target: unknown('127.0.0.1:1'), want: 'ERR 127.0.0.1:1 is not a known replica of this master' },
  {
    rule: `${TO_RULE} [priority 0]`,
    inProgress: false,
    eligible: 1,
    target: known('127.0.0.1:6380', 'priority-zero'),
    want: 'NOGOODSLAVE 127.0.0.1:6380 cannot be promoted: its replica-priority is 0',
  },
  { rule: `${TO_RULE} [down]`, inProgress: false, eligible: 1, target: known('h:1', 'down'), want: 'NOGOODSLAVE h:1 cannot be promoted: it is down (SDOWN or ODOWN)' },
  {
    rule: `${TO_RULE} [lagging: link to the master down too long]`,
    inProgress: false,
    eligible: 1,
    target: known('h:1', 'master-link-down-too-long'),
    want: 'NOGOODSLAVE h:1 cannot be promoted: its link to the master has been down too long',
  },
  { rule: `${TO_RULE} [the target's reason is named even when no replica is eligible]`, inProgress: false, eligible: 0, target: known('h:1', 'stale-info'), want: 'NOGOODSLAVE h:1 cannot be promoted: its INFO is too old' },
];

for (const row of rows) {
  test(row.rule, () => assert.equal(failoverBlocker(row.inProgress, row.eligible, row.target)?.message ?? null, row.want, row.rule));
}

test('every exclusion rule has an explanation', () => {
  for (const k of ['down', 'disconnected', 'no-recent-ping-reply', 'priority-zero', 'stale-info', 'master-link-down-too-long'] as const) assert.ok(EXCLUSION_TEXT[k].length > 0, k);
});

const PICK = 'selection (5.13) picks the best ranked replica; with TO, the target if it is among the eligible, else none';
const pickRows: { rule: string; ranked: string[]; target: string | null; want: string | null }[] = [
  { rule: `${PICK} [no TO: the first ranked]`, ranked: ['a', 'b'], target: null, want: 'a' },
  { rule: `${PICK} [no TO, nobody eligible]`, ranked: [], target: null, want: null },
  { rule: `${PICK} [TO the second ranked]`, ranked: ['a', 'b'], target: 'b', want: 'b' },
  { rule: `${PICK} [TO a replica no longer eligible: none, the failover aborts]`, ranked: ['a'], target: 'b', want: null },
];
for (const row of pickRows) {
  test(row.rule, () => assert.equal(chosenReplica(row.ranked, row.target), row.want, row.rule));
}
