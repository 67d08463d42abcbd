/**
 * src/http/events.ts: the bounded event history with ids (GET /v1/events, the stream's replay)
 * and the failover records built from the events (GET /v1/failovers).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EventLog, FailoverLog } from '../../src/http/events.js';

test('EventLog: ids from 1, since(id) gives what followed, the oldest entries go first, listeners see each event', () => {
  const log = new EventLog(3);
  const seen: number[] = [];
  const off = log.subscribe((e) => seen.push(e.id));
  for (let i = 0; i < 5; i++) log.add('+sdown', `m${i}`, 'mymaster', 1000 + i);
  off();
  log.add('-sdown', 'x', null, 2000);
  assert.deepEqual(seen, [1, 2, 3, 4, 5]);
  assert.equal(log.lastId, 6);
  assert.deepEqual(log.since(0).events.map((e) => e.id), [4, 5, 6]);
  assert.equal(log.since(0).truncated, true, 'ids 1-3 were dropped');
  assert.equal(log.since(3).truncated, false);
  assert.deepEqual(log.since(5).events.map((e) => e.id), [6]);
  assert.deepEqual(log.since(6).events, []);
});

test('FailoverLog: a failover we lead (phases, epoch, new master, success), an abort, and one we only observe', () => {
  const events = new EventLog();
  const f = new FailoverLog(() => 'a'.repeat(40));
  const feed = (event: string, message: string, time: number, trigger: 'automatic' | 'manual' | 'coordinated' = 'automatic'): void => f.onEvent(events.add(event, message, 'mymaster', time), () => trigger);
  feed('+new-epoch', '7', 999);
  feed('+try-failover', 'master mymaster 127.0.0.1 6379', 1000, 'manual');
  feed('+new-epoch', '7', 1000);
  feed('+failover-state-select-slave', 'master mymaster 127.0.0.1 6379', 1100);
  feed('+failover-state-send-slaveof-noone', 'slave 127.0.0.1:6380 127.0.0.1 6380 @ mymaster 127.0.0.1 6379', 1200);
  feed('+failover-end', 'master mymaster 127.0.0.1 6379', 1900);
  feed('+switch-master', 'mymaster 127.0.0.1 6379 127.0.0.1 6380', 1950);
  feed('+try-failover', 'master mymaster 127.0.0.1 6380', 3000);
  feed('-failover-abort-no-good-slave', 'master mymaster 127.0.0.1 6380', 3100);
  feed('+switch-master', 'mymaster 127.0.0.1 6380 127.0.0.1 6381', 5000);
  const [observed, aborted, led] = f.list();
  assert.deepEqual(led, {
    master: 'mymaster', trigger: 'manual', leader: 'a'.repeat(40), epoch: 7, oldMaster: '127.0.0.1:6379', newMaster: '127.0.0.1:6380',
    startedAt: 1000, endedAt: 1900, result: 'success', abort: null,
    phases: [{ phase: 'select-slave', atMs: 100 }, { phase: 'send-slaveof-noone', atMs: 200 }],
  });
  assert.equal(aborted!.result, 'aborted');
  assert.equal(aborted!.abort, '-failover-abort-no-good-slave');
  assert.equal(aborted!.newMaster, null);
  assert.deepEqual([observed!.trigger, observed!.leader, observed!.oldMaster, observed!.newMaster, observed!.result], ['observed', null, '127.0.0.1:6380', '127.0.0.1:6381', 'switched']);
});
