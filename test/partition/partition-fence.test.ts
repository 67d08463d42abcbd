/**
 * Minority fencing in network namespaces (scenario.ts), every sentinel with fence-minority on
 * (fence-after 1000 ms), beyond the isolated master of partition.test.ts:
 *   - sentinel-only partitions (the sentinels cannot talk to each other, every redis link is
 *     intact): no fence, because the master's CLIENT LIST shows the peers still reach it; no
 *     loss, no failover, no write gap from fencing;
 *   - the fencing sentinel SIGKILLed while it holds the fence: the lease lapses and the isolated
 *     master takes writes again within one lease (2 s);
 *   - the master's redis SIGKILLed: a normal failover, no fence, nothing lost.
 * Needs root (skipped with the reason otherwise). About 2 minutes.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { skipReason } from '../helpers/netns.js';
import { FENCING_LINES, killFencingSentinel, killMaster, sentinelOnlyPartition } from './scenario.js';
import type { ScenarioResult } from './scenario.js';

const skip = skipReason();
const fencing = { impl: 'ts' as const, sentinelLines: FENCING_LINES() };

function brief(r: ScenarioResult): string {
  const { events, ...rest } = r;
  return JSON.stringify({ ...rest, events: events.filter((e) => /fence|switch|odown/.test(e.channel)).map((e) => `${e.t} ${e.host} ${e.channel} ${e.message}`) }, null, 1);
}

for (const cutOff of ['all', 'h3'] as const) {
  const what = cutOff === 'all' ? 'every sentinel cut from the others' : "h3's sentinel cut from the other two (h1's still sees a majority)";
  test(`sentinel-only partition, ${what}: no fence, no failover, nothing lost`, { skip }, async (ctx) => {
    const r = await sentinelOnlyPartition({ ...fencing, cutOff, partitionMs: 12000 });
    ctx.diagnostic(`longest write gap ${r.longestGapMs} ms, +fence ${r.eventCounts['+fence'] ?? 0}, failovers ${r.failovers}, lost ${r.lost}`);
    assert.equal(r.eventCounts['+fence'] ?? 0, 0, `no fence next to a master the peers still reach\n${brief(r)}`);
    assert.equal(r.failovers, 0, brief(r));
    assert.equal(r.lost, 0, brief(r));
    assert.equal(r.finalMaster, 'h1', brief(r));
    // Nothing paused the master: no gap anywhere near a fence lease.
    assert.ok(r.longestGapMs < 2000, `longest write gap ${r.longestGapMs} ms\n${brief(r)}`);
  });
}

test('the fencing sentinel SIGKILLed while it holds the fence: the isolated master takes writes again within one lease', { skip }, async (ctx) => {
  const r = await killFencingSentinel({ ...fencing, partitionMs: 15000 });
  ctx.diagnostic(`fenced at +${r.timeline.firstFenceMs} ms, killed at +${r.timeline.killMs} ms, writes resumed ${r.timeline.writesResumedAfterKillMs} ms after the kill`);
  assert.ok(r.timeline.firstFenceMs !== null, `fenced before the kill\n${brief(r)}`);
  const resumed = r.timeline.writesResumedAfterKillMs;
  assert.ok(resumed !== null, `writes resumed at the isolated master\n${brief(r)}`);
  // The lease is 2000 ms from the last renewal, which came at or before the kill; the rest is the
  // client's (its next attempt, 100 writes/s) and a loaded machine's slack. Without the lease the
  // master would stay paused until the heal (15 s).
  assert.ok(resumed <= 2000 + 1000, `writes resumed ${resumed} ms after the kill (lease 2000 ms)\n${brief(r)}`);
  assert.ok(r.finalMaster === 'h2' || r.finalMaster === 'h3', brief(r));
});

test('the master killed with fencing on: one failover, no fence, nothing lost', { skip }, async (ctx) => {
  const r = await killMaster(fencing);
  ctx.diagnostic(`longest write gap ${r.longestGapMs} ms, failovers ${r.failovers}, lost ${r.lost}`);
  assert.equal(r.failovers, 1, brief(r));
  assert.equal(r.lost, 0, brief(r));
  assert.equal(r.eventCounts['+fence'] ?? 0, 0, brief(r));
});
