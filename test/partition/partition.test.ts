/**
 * Network partitions against real sentinels and redis-servers in network namespaces
 * (scenario.ts): h1 holds the master, h2 and h3 replicas, one sentinel each, the client writes
 * from host c at 100 writes/s.
 *
 * Baseline, without fencing, for sentinel-ts and redis-sentinel: {h1, c} cut off from {h2, h3}
 * for 12 s. The majority promotes h2 or h3 (one failover); after the heal every sentinel names
 * it and the old master replicates from it; and the writes the old master acknowledged during
 * the partition are lost. That loss is what fencing is meant to shrink: its tests belong at the
 * end of this file and compare with `assertBaseline`'s figures.
 *
 * Needs root (skipped with the reason otherwise). About 20 s per sentinel-ts run and 35 s per
 * redis-sentinel run (its old master stays a master for ~8 s after the heal).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { skipReason } from '../helpers/netns.js';
import { REDIS_SENTINEL } from '../helpers/paths.js';
import type { SentinelImpl } from '../helpers/sentinels.js';
import { isolateMaster } from './scenario.js';
import type { ScenarioResult } from './scenario.js';

const skip = skipReason();
const PARTITION_MS = 12000;

/** The figures of a result, without its event list, for assertion messages. */
function summary(r: ScenarioResult): string {
  const { events, ...rest } = r;
  return JSON.stringify({ ...rest, events: events.filter((e) => !e.channel.startsWith('+slave') && !e.channel.startsWith('+failover-state')).map((e) => `${e.t} ${e.host} ${e.channel} ${e.message}`) }, null, 1);
}

/** What must hold after an isolated-master partition whatever the fencing. */
function assertConverged(r: ScenarioResult): void {
  assert.ok(r.finalMaster === 'h2' || r.finalMaster === 'h3', `the majority promoted h2 or h3\n${summary(r)}`);
  assert.equal(r.failovers, 1, `one failover (+switch-master seen by h2's sentinel)\n${summary(r)}`);
  // runScenario only returns once every sentinel names the new master and the old one
  // replicates from it, in sync; the writer must then have reached the new master.
  assert.ok(r.writesResumed, `writes resumed on the new master\n${summary(r)}`);
  assert.ok(r.lost <= r.acknowledged);
}

/** Without fencing: the old master kept acknowledging writes that the heal threw away. */
function assertBaseline(r: ScenarioResult): void {
  assertConverged(r);
  assert.ok(r.acknowledgedDuringFault > 0, `the old master acknowledged writes during the partition\n${summary(r)}`);
  assert.ok(r.lost > 0, `acknowledged writes were lost\n${summary(r)}`);
  assert.ok(r.dualMaster.faultWritableMs > 0, `the old master stayed writable while the new one was a master\n${summary(r)}`);
}

const redisMissing = fs.existsSync(REDIS_SENTINEL) ? false : `${REDIS_SENTINEL} not installed`;

for (const impl of ['ts', 'redis'] as SentinelImpl[]) {
  test(`isolated master, no fencing (${impl}): the majority fails over and the old master's acknowledged writes are lost`, { skip: skip || (impl === 'redis' && redisMissing) }, async () => {
    const r = await isolateMaster({ impl, partitionMs: PARTITION_MS });
    assertBaseline(r);
  });
}

// Fencing (sentinel-ts only; FENCING_LINES in scenario.ts are the config lines):
// isolateMaster({ impl: 'ts', partitionMs: PARTITION_MS, sentinelLines: FENCING_LINES() }) and
// assertConverged on it, then the fencing figures next to the baseline's.
