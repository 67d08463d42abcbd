import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runSchedule } from './simulate.js';
import { MUTANT_NAMES } from './mutants.js';

// Schedules that found real bugs, kept as regressions (see docs/simulation.md):
// 27: a vote granted in a later epoch helped elect a leader in an earlier one;
// 139: a newer hello config lost against our own failover past promotion (two masters).
const REGRESSIONS = [27, 139, 1190, 5883];

test('the regression schedules stay clean', () => {
  for (const seed of REGRESSIONS) {
    const r = runSchedule({ seed });
    assert.deepEqual(r.violations, [], `seed ${seed}`);
  }
});

test('200 random schedules: no safety or liveness violation', () => {
  let failovers = 0;
  for (let seed = 100_000; seed < 100_200; seed++) {
    const r = runSchedule({ seed });
    assert.deepEqual(r.violations, [], `seed ${seed}: replay with npm run sim -- --schedules 1 --seed ${seed}`);
    failovers += r.failovers;
  }
  assert.ok(failovers > 50, `the schedules must exercise failovers (${failovers})`);
});

test('the same seed gives the same run', () => {
  const a = runSchedule({ seed: 4242, trace: true });
  const b = runSchedule({ seed: 4242, trace: true });
  assert.deepEqual(a.trace, b.trace);
  assert.ok(a.trace.length > 10);
});

test('every planted bug is caught within 300 schedules', () => {
  for (const mutant of MUTANT_NAMES) {
    let caught = false;
    for (let seed = 1; seed <= 300 && !caught; seed++) {
      caught = runSchedule({ seed, mutants: new Set([mutant]) }).violations.length > 0;
    }
    assert.ok(caught, `mutant ${mutant} was not caught`);
  }
});

test('the dry run names the replica the failover that follows selects (1,000 seeds, quiet world after convergence)', () => {
  let started = 0;
  const bad: string[] = [];
  for (let seed = 1; seed <= 1000; seed++) {
    const r = runSchedule({ seed, dryRunProbe: true });
    const wrong = r.violations.filter((v) => v.rule === 'dry-run-names-the-selected-replica');
    if (wrong.length) bad.push(`seed ${seed}: ${wrong[0]!.detail}`);
    if (r.dryRun?.planned) started++;
  }
  assert.deepEqual(bad, []);
  // Not vacuous: most seeds end converged with a replica to promote.
  assert.ok(started >= 800, `only ${started} of 1000 seeds reached a dry run that would start`);
});
