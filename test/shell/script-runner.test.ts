import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ScriptRunner, SCRIPT_MAX_RUNNING, SCRIPT_MAX_QUEUE } from '../../src/shell/script-runner.js';
import type { Spawner } from '../../src/shell/script-runner.js';

/** A fake spawner: records starts; the test decides when and how each process ends. */
function fake(): { spawner: Spawner; started: { path: string; args: readonly string[]; exit: (code: number | null, signal: string | null) => void; killed: boolean }[] } {
  const started: { path: string; args: readonly string[]; exit: (code: number | null, signal: string | null) => void; killed: boolean }[] = [];
  const spawner: Spawner = (path, args, onExit) => {
    const entry = { path, args, exit: onExit, killed: false };
    started.push(entry);
    return {
      pid: 1000 + started.length,
      kill: () => {
        entry.killed = true;
        onExit(null, 'SIGKILL');
      },
    };
  };
  return { spawner, started };
}

function runner(spawner: Spawner, clock: { now: number }, events: string[]): ScriptRunner {
  return new ScriptRunner(spawner, {
    now: () => clock.now,
    retryDelay: () => 30000,
    maxRuntime: () => 60000,
    event: (c, m) => events.push(`${c} ${m}`),
    log: () => {},
  });
}

test('scripts run oldest first, at most 16 at once, and leave the queue on exit 0', () => {
  const f = fake();
  const clock = { now: 0 };
  const events: string[] = [];
  const r = runner(f.spawner, clock, events);
  for (let i = 0; i < 20; i++) r.schedule('/bin/notify', ['+sdown', `master m${i}`]);
  r.tick();
  assert.equal(f.started.length, SCRIPT_MAX_RUNNING);
  assert.deepEqual(f.started[0]!.args, ['+sdown', 'master m0']);
  assert.equal(r.running, 16);
  f.started[0]!.exit(0, null);
  r.tick();
  assert.equal(f.started.length, 17);
  assert.equal(r.queued, 19);
  assert.deepEqual(events, []);
});

test('exit 1 and signals are retried with a doubling delay, up to 10 attempts; exit 2 is an error', () => {
  const f = fake();
  const clock = { now: 0 };
  const events: string[] = [];
  const r = runner(f.spawner, clock, events);
  r.schedule('/bin/notify', ['+odown', 'x']);
  r.tick();
  f.started[0]!.exit(1, null);
  clock.now = 29999;
  r.tick();
  assert.equal(f.started.length, 1, 'not before the first retry delay');
  clock.now = 30000;
  r.tick();
  assert.equal(f.started.length, 2);
  f.started[1]!.exit(null, 'SIGTERM');
  clock.now += 59999;
  r.tick();
  assert.equal(f.started.length, 2, 'second delay doubles');
  clock.now += 1;
  r.tick();
  assert.equal(f.started.length, 3);
  f.started[2]!.exit(2, null);
  assert.deepEqual(events, ['-script-error /bin/notify 0 2']);
  assert.equal(r.queued, 0);
  const p = r.pending();
  assert.deepEqual(p, []);
});

test('a script over the time limit is killed with -script-timeout and retried', () => {
  const f = fake();
  const clock = { now: 0 };
  const events: string[] = [];
  const r = runner(f.spawner, clock, events);
  r.schedule('/bin/slow', []);
  r.tick();
  clock.now = 60001;
  r.tick();
  assert.ok(f.started[0]!.killed);
  assert.deepEqual(events, ['-script-timeout /bin/slow 1001']);
  const p = r.pending();
  assert.equal(p.length, 1);
  assert.deepEqual(p[0]![1], ['flags', 'scheduled']);
});

test('a full queue drops the oldest job that is not running', () => {
  const f = fake();
  const clock = { now: 0 };
  const r = runner(f.spawner, clock, []);
  r.schedule('/bin/a', ['first']);
  r.tick();
  for (let i = 0; i < SCRIPT_MAX_QUEUE; i++) r.schedule('/bin/a', [`n${i}`]);
  assert.equal(r.queued, SCRIPT_MAX_QUEUE);
  // The running job survives; the oldest scheduled one ("n0") was dropped.
  const argv = r.pending().map((fields) => (fields[0]![1] as string[])[1]);
  assert.equal(argv[0], 'first');
  assert.ok(!argv.includes('n0'));
});

test('a script that cannot be started is reported at once', () => {
  const clock = { now: 0 };
  const events: string[] = [];
  const r = runner(
    () => {
      throw new Error('spawn failed');
    },
    clock,
    events,
  );
  r.schedule('/nope', []);
  r.tick();
  assert.deepEqual(events, ['-script-error /nope 99 0']);
  assert.equal(r.queued, 0);
});
