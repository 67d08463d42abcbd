import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CoreHarness, masterInfo, replicaInfo } from './harness.js';
import { formatHello } from '../../src/core/hello-message.js';

const RUN_M = 'm'.repeat(40);
const RUN_R = 'r'.repeat(40);

/** Answers PING with PONG, INFO with the given texts, everything else with OK. */
function healthy(h: CoreHarness, infoFor: (port: number) => string): void {
  h.answer((s, to) => {
    const cmd = s.argv[0]?.toUpperCase();
    if (s.tag.kind === 'ping') return 'PONG';
    if (cmd === 'INFO') return infoFor(to.port);
    if (s.tag.kind === 'subscribe') return ['subscribe', '__sentinel__:hello', 1];
    if (s.tag.kind === 'publish') return 1;
    return 'OK';
  });
}

test('a new sentinel connects a command and a pub/sub link and sends AUTH-less handshake, PING, SUBSCRIBE', () => {
  const h = new CoreHarness({ masters: [CoreHarness.master()] });
  assert.deepEqual(h.events('+monitor'), [{ channel: '+monitor', message: 'master mymaster 127.0.0.1 6379 quorum 2' }]);
  h.advance(100);
  const purposes = [...h.conns.values()].map((c) => c.purpose).sort();
  assert.deepEqual(purposes, ['cmd', 'pubsub']);
  const cmds = h.pending.map((p) => p.argv.join(' '));
  assert.ok(cmds.includes(`CLIENT SETNAME sentinel-aaaaaaaa-cmd`));
  assert.ok(cmds.includes(`CLIENT SETNAME sentinel-aaaaaaaa-pubsub`));
  assert.ok(cmds.includes('PING'));
  assert.ok(cmds.includes('SUBSCRIBE __sentinel__:hello'));
  assert.ok(cmds.includes('INFO'));
});

test('auth-pass and rename-command shape the handshake', () => {
  const m = CoreHarness.master();
  m.authPass = 'secret';
  m.authUser = 'bob';
  m.renamedCommands = [['PING', 'PONGX']];
  const h = new CoreHarness({ masters: [m] });
  h.advance(100);
  const cmds = h.pending.map((p) => p.argv.join(' '));
  assert.ok(cmds.includes('AUTH bob secret'));
  assert.ok(cmds.includes('PONGX'));
  assert.ok(!cmds.includes('PING'));
});

test('replicas are discovered from the master INFO, with +slave and a config save', () => {
  const h = new CoreHarness({ masters: [CoreHarness.master()] });
  h.advance(100);
  h.connectAll();
  const before = h.persists();
  healthy(h, (port) => (port === 6379 ? masterInfo(RUN_M, [{ ip: '127.0.0.1', port: 6380 }, { ip: '127.0.0.1', port: 6381 }]) : replicaInfo(RUN_R, 6379)));
  assert.equal(h.master().replicas.length, 2);
  assert.deepEqual(
    h.events('+slave').map((e) => e.message),
    ['slave 127.0.0.1:6380 127.0.0.1 6380 @ mymaster 127.0.0.1 6379', 'slave 127.0.0.1:6381 127.0.0.1 6381 @ mymaster 127.0.0.1 6379'],
  );
  assert.ok(h.persists() > before);
  assert.equal(h.fields('master')[0]!.get('runid'), RUN_M);
  // Known replicas are exported for the config file.
  assert.deepEqual(h.core.exportMasters()[0]!.knownReplicas, [
    { host: '127.0.0.1', port: 6380 },
    { host: '127.0.0.1', port: 6381 },
  ]);
});

test('a replica INFO fills the replica fields, including replica-announced', () => {
  const h = new CoreHarness({ masters: [CoreHarness.master()] });
  h.advance(100);
  h.connectAll();
  healthy(h, () => masterInfo(RUN_M, [{ ip: '127.0.0.1', port: 6380 }]));
  h.advance(200);
  h.connectAll();
  healthy(h, (port) => (port === 6379 ? masterInfo(RUN_M, [{ ip: '127.0.0.1', port: 6380 }]) : replicaInfo(RUN_R, 6379, ['replica_announced:0', 'slave_priority:7'])));
  // replica-announced no hides it from SENTINEL REPLICAS; the snapshot still has it.
  assert.equal(h.fields('replicas').length, 0);
  const r = h.master().replicas.find((x) => x.name === '127.0.0.1:6380')!;
  assert.equal(r.priority, 7);
  const fields = h.fields('all-replicas')[0]!;
  assert.equal(fields.get('slave-priority'), '7');
  assert.equal(fields.get('master-port'), '6379');
  assert.equal(fields.get('flags'), 'slave');
  assert.equal(fields.get('master-link-status'), 'ok');
  assert.equal(fields.get('replica-announced'), '0');
});

test('a master that stops answering PING goes +sdown after down-after and -sdown when it answers again', () => {
  const h = new CoreHarness({ masters: [CoreHarness.master('mymaster', 6379, 2, 3000)] });
  h.advance(100);
  h.connectAll();
  healthy(h, () => masterInfo(RUN_M, []));
  // Stop answering anything: the next PING goes out a ping period later and is the one timed.
  h.advance(3900);
  assert.equal(h.events('+sdown').length, 0);
  h.advance(400);
  assert.deepEqual(h.events('+sdown').map((e) => e.message), ['master mymaster 127.0.0.1 6379']);
  assert.match(h.master().flags, /^s_down,master/);
  healthy(h, () => masterInfo(RUN_M, []));
  h.advance(100);
  assert.equal(h.events('-sdown').length, 1);
  assert.doesNotMatch(h.master().flags, /s_down/);
});

test('LOADING and MASTERDOWN count as available; other errors do not', () => {
  for (const [reply, expectDown] of [
    [{ error: 'LOADING Redis is loading the dataset in memory' }, false],
    [{ error: 'MASTERDOWN Link with MASTER is down' }, false],
    [{ error: 'MISCONF Errors writing to the AOF file' }, true],
  ] as const) {
    const h = new CoreHarness({ masters: [CoreHarness.master('mymaster', 6379, 2, 1000)] });
    h.advance(100);
    h.connectAll();
    for (let i = 0; i < 30; i++) {
      h.answer((s) => (s.tag.kind === 'ping' ? reply : s.argv[0] === 'INFO' ? masterInfo(RUN_M, []) : 'OK'));
      h.advance(100);
    }
    assert.equal(h.master().flags.includes('s_down'), expectDown, JSON.stringify(reply));
  }
});

test('an unreachable master (connection refused) goes down after down-after', () => {
  const h = new CoreHarness({ masters: [CoreHarness.master('mymaster', 6379, 2, 2000)] });
  for (let i = 0; i < 25; i++) {
    h.advance(100);
    // Every connection attempt is refused at once.
    for (const id of [...h.conns.keys()]) h.core.closed(id, 'ECONNREFUSED', h.now);
    h.drain();
  }
  assert.match(h.master().flags, /^s_down,master,disconnected/);
});

test('a master reporting role:slave goes down after down-after + 2 info periods', () => {
  const h = new CoreHarness({ masters: [CoreHarness.master('mymaster', 6379, 2, 1000)] });
  h.core.setTiming('infoPeriod', 1000);
  h.advance(100);
  h.connectAll();
  for (let i = 0; i < 25; i++) {
    h.answer((s) => (s.tag.kind === 'ping' ? 'PONG' : s.argv[0] === 'INFO' ? replicaInfo(RUN_M, 9999) : 'OK'));
    h.advance(100);
  }
  assert.equal(h.events('-role-change').length, 1);
  assert.equal(h.master().flags.includes('s_down'), false);
  for (let i = 0; i < 15; i++) {
    h.answer((s) => (s.tag.kind === 'ping' ? 'PONG' : s.argv[0] === 'INFO' ? replicaInfo(RUN_M, 9999) : 'OK'));
    h.advance(100);
  }
  assert.equal(h.master().flags.includes('s_down'), true);
});

test('a changed run_id is a +reboot', () => {
  const h = new CoreHarness({ masters: [CoreHarness.master()] });
  h.advance(100);
  h.connectAll();
  healthy(h, () => masterInfo(RUN_M, []));
  for (let i = 0; i < 101; i++) {
    h.advance(100);
    healthy(h, () => masterInfo(RUN_M, []));
  }
  assert.equal(h.events('+reboot').length, 0);
  for (let i = 0; i < 101; i++) {
    h.advance(100);
    healthy(h, () => masterInfo('n'.repeat(40), []));
  }
  assert.deepEqual(h.events('+reboot').map((e) => e.message), ['master mymaster 127.0.0.1 6379']);
});

test('hellos from a peer add it as a sentinel, adopt a higher epoch, and a new runid on the same address replaces the old one', () => {
  const h = new CoreHarness({ masters: [CoreHarness.master()] });
  const peer = 'b'.repeat(40);
  const hello = (runid: string, epoch: number) =>
    formatHello({ ip: '127.0.0.1', port: 26380, runid, currentEpoch: epoch, masterName: 'mymaster', masterIp: '127.0.0.1', masterPort: 6379, masterConfigEpoch: 0 });
  h.core.helloFromPeer(hello(peer, 3), h.now);
  h.drain();
  assert.equal(h.master().sentinels.length, 1);
  assert.deepEqual(h.events('+sentinel').map((e) => e.message), [`sentinel ${peer} 127.0.0.1 26380 @ mymaster 127.0.0.1 6379`]);
  assert.equal(h.core.currentEpoch, 3);
  assert.deepEqual(h.events('+new-epoch').map((e) => e.message), ['3']);
  // Same address, new id (a restarted peer that lost its myid).
  const peer2 = 'c'.repeat(40);
  h.core.helloFromPeer(hello(peer2, 3), h.now);
  h.drain();
  assert.deepEqual(h.master().sentinels.map((p) => p.runid), [peer2]);
  assert.equal(h.events('+sentinel-invalid-addr').length, 1);
  // Our own hello coming back through a monitored server is ignored.
  h.advance(100);
  h.connectAll();
  const pc = [...h.conns.entries()].find(([, c]) => c.purpose === 'pubsub')![0];
  h.core.message(pc, '__sentinel__:hello', hello('a'.repeat(40), 9), h.now);
  h.drain();
  assert.equal(h.core.currentEpoch, 3);
});

test('a hello with a higher config epoch and another address switches the master', () => {
  const h = new CoreHarness({ masters: [CoreHarness.master()] });
  h.advance(100);
  h.connectAll();
  healthy(h, () => masterInfo(RUN_M, [{ ip: '127.0.0.1', port: 6380 }]));
  const peer = 'b'.repeat(40);
  h.core.helloFromPeer(
    formatHello({ ip: '127.0.0.1', port: 26380, runid: peer, currentEpoch: 1, masterName: 'mymaster', masterIp: '127.0.0.1', masterPort: 6380, masterConfigEpoch: 1 }),
    h.now,
  );
  h.drain();
  const m = h.master();
  assert.equal(m.port, 6380);
  assert.equal(m.configEpoch, 1);
  assert.deepEqual(h.events('+switch-master').map((e) => e.message), ['mymaster 127.0.0.1 6379 127.0.0.1 6380']);
  // The old master is now a known replica; the peer is kept.
  assert.deepEqual(m.replicas.map((r) => r.name), ['127.0.0.1:6379']);
  assert.equal(m.sentinels.length, 1);
});

test('votes: one per epoch, the recorded vote is returned, epochs only grow', () => {
  const h = new CoreHarness({ masters: [CoreHarness.master()] });
  const r1 = h.core.isMasterDownByAddr('127.0.0.1', 6379, 5, 'fakerunid', h.now);
  assert.deepEqual(r1, [0, 'fakerunid', 5]);
  assert.equal(h.core.currentEpoch, 5);
  const r2 = h.core.isMasterDownByAddr('127.0.0.1', 6379, 5, 'other', h.now);
  assert.deepEqual(r2, [0, 'fakerunid', 5]);
  const r3 = h.core.isMasterDownByAddr('127.0.0.1', 6379, 4, 'other', h.now);
  assert.deepEqual(r3, [0, 'fakerunid', 5]);
  const r4 = h.core.isMasterDownByAddr('127.0.0.1', 6379, 6, 'other', h.now);
  assert.deepEqual(r4, [0, 'other', 6]);
  const r5 = h.core.isMasterDownByAddr('127.0.0.1', 6379, 0, '*', h.now);
  assert.deepEqual(r5, [0, '*', 0]);
  h.drain();
  // Each vote was queued for persistence before the reply could be written.
  assert.ok(h.persists() >= 2);
  assert.deepEqual(h.events('+vote-for-leader').map((e) => e.message), ['fakerunid 5', 'other 6']);
});

test('a timer gap over tilt-trigger enters TILT and TILT ends after tilt-period', () => {
  const h = new CoreHarness({ masters: [CoreHarness.master()] });
  h.advance(500);
  h.now += 3000;
  h.core.tick(h.now);
  h.drain();
  assert.ok(h.core.snapshot().tilt);
  assert.deepEqual(h.events('+tilt').map((e) => e.message), ['#tilt mode entered']);
  h.advance(30_100);
  assert.ok(!h.core.snapshot().tilt);
  assert.equal(h.events('-tilt').length, 1);
});

test('a new myid is generated and persisted when the config has none', () => {
  const h = new CoreHarness({ masters: [], globals: { myid: undefined } as never });
  assert.match(h.core.myid, /^[0-9a-f]{40}$/);
  assert.equal(h.persists(), 1);
});

test('RESET drops replicas and peers; REMOVE drops the master', () => {
  const h = new CoreHarness({ masters: [CoreHarness.master()] });
  h.advance(100);
  h.connectAll();
  healthy(h, () => masterInfo(RUN_M, [{ ip: '127.0.0.1', port: 6380 }]));
  assert.equal(h.master().replicas.length, 1);
  assert.equal(h.core.reset((n) => n === 'mymaster', h.now), 1);
  assert.equal(h.master().replicas.length, 0);
  h.core.remove('mymaster');
  h.drain();
  assert.deepEqual(h.core.masterNames(), []);
  assert.deepEqual(h.events('-monitor').map((e) => e.message), ['master mymaster 127.0.0.1 6379']);
});
