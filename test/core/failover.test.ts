import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CoreHarness, masterInfo, replicaInfo } from './harness.js';
import type { Sent } from './harness.js';

/**
 * A tiny model of three redis servers (ports 6379 master, 6380 and 6381 replicas) answering
 * the core: enough to drive a forced failover end to end in virtual time.
 */
class Servers {
  role = new Map<number, { master: number | null; offset: number; priority: number; runid: string }>([
    [6379, { master: null, offset: 100, priority: 100, runid: 'a'.repeat(39) + '1' }],
    [6380, { master: 6379, offset: 100, priority: 100, runid: 'b'.repeat(39) + '2' }],
    [6381, { master: 6379, offset: 90, priority: 100, runid: 'c'.repeat(39) + '3' }],
  ]);
  down = new Set<number>();
  transactions: { port: number; argv: string[] }[] = [];

  answer(h: CoreHarness): void {
    h.answer((s: Sent, to) => {
      if (this.down.has(to.port)) return undefined;
      const st = this.role.get(to.port)!;
      const cmd = (s.argv[0] ?? '').toUpperCase();
      if (s.tag.kind === 'ping') return 'PONG';
      if (cmd === 'INFO') {
        if (st.master === null) {
          const reps = [...this.role.entries()].filter(([, r]) => r.master === to.port).map(([p]) => ({ ip: '127.0.0.1', port: p }));
          return masterInfo(st.runid, reps);
        }
        return replicaInfo(st.runid, st.master, [`slave_repl_offset:${st.offset}`, `slave_priority:${st.priority}`]);
      }
      if (cmd === 'SLAVEOF') {
        this.transactions.push({ port: to.port, argv: s.argv });
        st.master = s.argv[1] === 'NO' ? null : Number(s.argv[2]);
        return 'OK';
      }
      if (s.tag.kind === 'subscribe') return ['subscribe', '__sentinel__:hello', 1];
      if (s.tag.kind === 'publish') return 1;
      return 'OK';
    });
  }
}

function run(h: CoreHarness, srv: Servers, ms: number): void {
  for (let t = 0; t < ms; t += 100) {
    h.advance(100);
    h.connectAll();
    srv.answer(h);
  }
}

function setup(): { h: CoreHarness; srv: Servers } {
  const h = new CoreHarness({ masters: [CoreHarness.master('mymaster', 6379, 1, 2000)] });
  h.core.setTiming('infoPeriod', 1000);
  const srv = new Servers();
  run(h, srv, 3000);
  assert.equal(h.master().replicas.length, 2);
  return { h, srv };
}

test('a forced failover promotes the best replica, re-points the other and switches the master', () => {
  const { h, srv } = setup();
  h.core.failover('mymaster', h.now);
  h.drain();
  run(h, srv, 8000);
  const names = h.events().map((e) => e.channel);
  const order = [
    '+new-epoch',
    '+try-failover',
    '+elected-leader',
    '+failover-state-select-slave',
    '+selected-slave',
    '+failover-state-send-slaveof-noone',
    '+failover-state-wait-promotion',
    '+promoted-slave',
    '+failover-state-reconf-slaves',
    '+slave-reconf-sent',
    '+slave-reconf-inprog',
    '+slave-reconf-done',
    '+failover-end',
    '+switch-master',
  ];
  let at = -1;
  for (const n of order) {
    const i = names.indexOf(n, at + 1);
    assert.ok(i > at, `${n} missing or out of order in ${names.join(' ')}`);
    at = i;
  }
  // The replica with the larger offset won.
  assert.deepEqual(h.events('+selected-slave').map((e) => e.message), ['slave 127.0.0.1:6380 127.0.0.1 6380 @ mymaster 127.0.0.1 6379']);
  assert.deepEqual(h.events('+switch-master').map((e) => e.message), ['mymaster 127.0.0.1 6379 127.0.0.1 6380']);
  assert.equal(h.master().port, 6380);
  assert.equal(h.master().configEpoch, 1);
  assert.equal(srv.role.get(6380)!.master, null);
  assert.equal(srv.role.get(6381)!.master, 6380);
  // The old master is kept as a replica so it can be converted when it is seen again.
  assert.ok(h.master().replicas.some((r) => r.name === '127.0.0.1:6379'));
  // The promotion went through the full transaction.
  const t = h.log.filter((a) => a.type === 'send').map((a) => (a.type === 'send' ? a.argv.join(' ') : ''));
  const i = t.indexOf('SLAVEOF NO ONE');
  assert.deepEqual(t.slice(i - 1, i + 5), ['MULTI', 'SLAVEOF NO ONE', 'CONFIG REWRITE', 'CLIENT KILL TYPE normal', 'CLIENT KILL TYPE pubsub', 'EXEC']);
  // The old master, once back as a master, is converted to a replica of the new one.
  run(h, srv, 12000);
  assert.equal(h.events('+convert-to-slave').length, 1);
  assert.equal(srv.role.get(6379)!.master, 6380);
});

test('priority wins over offset, and priority 0 is never promoted', () => {
  const { h, srv } = setup();
  srv.role.get(6381)!.priority = 50;
  srv.role.get(6380)!.priority = 0;
  run(h, srv, 1500);
  assert.deepEqual(h.core.rankReplicas('mymaster', h.now), { ranked: ['127.0.0.1:6381'], excluded: [{ name: '127.0.0.1:6380', reason: 'priority-zero' }] });
  srv.role.get(6381)!.priority = 0;
  run(h, srv, 1500);
  assert.deepEqual(h.core.rankReplicas('mymaster', h.now).ranked, []);
  assert.throws(() => h.core.failover('mymaster', h.now), /NOGOODSLAVE No suitable replica to promote/);
});

test('a second SENTINEL FAILOVER while one runs is refused with INPROG', () => {
  const { h } = setup();
  h.core.failover('mymaster', h.now);
  assert.throws(() => h.core.failover('mymaster', h.now), /INPROG Failover already in progress/);
});

test('an automatic failover needs ODOWN and, with peers, the votes of a majority', () => {
  // quorum 1 and no peers: this sentinel alone is a majority of one.
  const { h, srv } = setup();
  srv.down.add(6379);
  run(h, srv, 12000);
  const names = h.events().map((e) => e.channel);
  assert.ok(names.includes('+sdown'));
  assert.ok(names.includes('+odown'));
  assert.ok(names.includes('+vote-for-leader'));
  assert.ok(names.includes('+elected-leader'));
  assert.ok(names.includes('+switch-master'));
});

test('with two silent peers, a lone sentinel is never elected and aborts after the election timeout', () => {
  const { h, srv } = setup();
  for (const id of ['p'.repeat(40), 'q'.repeat(40)]) {
    h.core.helloFromPeer(`127.0.0.1,${id === 'p'.repeat(40) ? 26380 : 26381},${id},0,mymaster,127.0.0.1,6379,0`, h.now);
  }
  h.drain();
  assert.equal(h.master().sentinels.length, 2);
  srv.down.add(6379);
  run(h, srv, 20000);
  const names = h.events().map((e) => e.channel);
  assert.ok(names.includes('+try-failover'));
  assert.ok(names.includes('-failover-abort-not-elected'));
  assert.ok(!names.includes('+elected-leader'));
  assert.equal(h.master().port, 6379);
});

test('every action is plain data: a JSON round trip gives the same actions, and a reply tag names its instance by id', () => {
  const { h, srv } = setup();
  h.core.failover('mymaster', h.now);
  h.drain();
  run(h, srv, 8000);
  assert.ok(h.log.length > 100);
  assert.deepEqual(JSON.parse(JSON.stringify(h.log)), h.log);
  for (const a of h.log) {
    if (a.type === 'send') assert.deepEqual(Object.keys(a.tag).sort(), ['id', 'kind']);
  }
});
