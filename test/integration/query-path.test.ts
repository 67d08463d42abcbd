/**
 * The query path's shortcuts must not show: answers kept for reuse (QueryCache) change as soon as
 * the state does, even within one millisecond; a pipelined batch answered in one write keeps
 * each reply in the protocol its command ran in (HELLO 3 halfway through).
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { startRedis } from '../helpers/redis-server.js';
import type { RedisServer } from '../helpers/redis-server.js';
import { startSentinel } from '../helpers/sentinels.js';
import type { SentinelProcess } from '../helpers/sentinels.js';
import { rawCommand } from '../helpers/wire.js';
import { connectRaw } from '../helpers/wire.js';
import { waitFor } from '../helpers/wait.js';

let master: RedisServer | undefined;
let sentinel: SentinelProcess | undefined;

before(async () => {
  master = await startRedis();
  sentinel = await startSentinel({ lines: [`sentinel monitor mymaster 127.0.0.1 ${master.port} 1`, 'sentinel down-after-milliseconds mymaster 5000'] });
});

after(async () => {
  await sentinel?.stop();
  await master?.stop();
});

const resp = (...args: string[]): string => `*${args.length}\r\n${args.map((a) => `$${Buffer.byteLength(a)}\r\n${a}\r\n`).join('')}`;

/** Sends `data` on one connection and collects the answer until `done` says it is complete. */
async function exchange(port: number, data: string, done: (s: string) => boolean): Promise<string> {
  const s = await connectRaw(port);
  let out = '';
  s.on('data', (d: Buffer) => (out += d.toString('latin1')));
  s.write(data);
  await waitFor(() => done(out), 5000, `the replies (so far: ${JSON.stringify(out)})`);
  s.destroy();
  return out;
}

test('SENTINEL SET pipelined between two SENTINEL MASTER: the second shows the new value', async () => {
  const port = sentinel!.port;
  const q = resp('SENTINEL', 'MASTER', 'mymaster');
  for (const quorum of ['2', '1', '3']) {
    const out = await exchange(port, q + resp('SENTINEL', 'SET', 'mymaster', 'quorum', quorum) + q, (s) => (s.match(/\$6\r\nquorum\r\n\$1\r\n\d\r\n/g) ?? []).length === 2);
    const shown = [...out.matchAll(/\$6\r\nquorum\r\n\$1\r\n(\d)\r\n/g)].map((m) => m[1]);
    assert.equal(shown[1], quorum, `after SET quorum ${quorum}: ${JSON.stringify(shown)}`);
    assert.match(out, /\+OK\r\n/);
  }
});

test('HELLO 3 halfway through a pipelined batch: replies before it in RESP2, after it in RESP3', async () => {
  const port = sentinel!.port;
  const q = resp('SENTINEL', 'GET-MASTER-ADDR-BY-NAME', 'mymaster');
  const m = resp('SENTINEL', 'MASTER', 'mymaster');
  const out = await exchange(port, q + m + resp('HELLO', '3') + q + m + resp('PING'), (s) => s.endsWith('+PONG\r\n'));
  const addr = `*2\r\n$9\r\n127.0.0.1\r\n$${String(master!.port).length}\r\n${master!.port}\r\n`;
  const first = out.indexOf(addr);
  const second = out.indexOf(addr, first + 1);
  assert.equal(first, 0, 'the first answer, RESP2');
  assert.ok(second > first, 'the address again after HELLO');
  // RESP2 flattens SENTINEL MASTER into an array; RESP3 sends a map.
  const before = out.slice(first + addr.length, out.indexOf('%', first));
  assert.match(before, /^\*\d+\r\n\$4\r\nname\r\n/, 'SENTINEL MASTER before HELLO is a RESP2 array');
  assert.match(out.slice(second + addr.length), /^%\d+\r\n\$4\r\nname\r\n/, 'after HELLO 3 it is a RESP3 map');
});

test('a kept answer is not shown to a client the ACL denies, nor for an unknown master', async () => {
  const port = sentinel!.port;
  assert.equal(await rawCommand(port, resp('ACL', 'SETUSER', 'pinger', 'on', '>pw', '+ping', '+auth')), '+OK\r\n');
  const q = resp('SENTINEL', 'MASTER', 'mymaster');
  // The default user's answer is kept; the same question from pinger, in the same batch, is refused.
  const out = await exchange(port, q + resp('AUTH', 'pinger', 'pw') + q + resp('PING'), (s) => s.endsWith('+PONG\r\n'));
  assert.match(out, /^\*\d+\r\n\$4\r\nname\r\n/);
  assert.match(out, /\+OK\r\n-NOPERM this user has no permissions to run the 'sentinel\|master' command\r\n\+PONG\r\n$/);
  assert.equal(await rawCommand(port, resp('SENTINEL', 'GET-MASTER-ADDR-BY-NAME', 'nosuch')), '*-1\r\n');
  assert.match(await rawCommand(port, resp('SENTINEL', 'MASTER', 'nosuch')), /^-ERR No such master with that name\r\n$/);
});

test('repeated identical requests (the repeat shortcut) see a change made between them at once: REMOVE, MONITOR', async () => {
  const port = sentinel!.port;
  const get = resp('SENTINEL', 'GET-MASTER-ADDR-BY-NAME', 'mymaster');
  const info = resp('INFO', 'sentinel');
  const batch =
    get + get + info + info + resp('SENTINEL', 'REMOVE', 'mymaster') + get + get + info + info +
    resp('SENTINEL', 'MONITOR', 'mymaster', '127.0.0.1', String(master!.port), '1') + resp('SENTINEL', 'SET', 'mymaster', 'down-after-milliseconds', '5000') + get + get + resp('PING');
  const out = await exchange(port, batch, (s) => s.endsWith('+PONG\r\n'));
  const addr = `*2\r\n$9\r\n127.0.0.1\r\n$${String(master!.port).length}\r\n${master!.port}\r\n`;
  const masters = [...out.matchAll(/sentinel_masters:(\d)/g)].map((m) => m[1]);
  assert.deepEqual(masters, ['1', '1', '0', '0'], 'INFO sentinel before and after REMOVE');
  const afterRemove = out.indexOf('+OK\r\n');
  assert.equal(out.slice(0, afterRemove).split(addr).length - 1, 2, 'two addresses before REMOVE');
  const nulls = out.slice(afterRemove).split('*-1\r\n').length - 1;
  assert.equal(nulls, 2, 'no address while removed');
  assert.ok(out.endsWith(addr + addr + '+PONG\r\n'), 'the address again once monitored');
});

test('SENTINEL MASTERS (its field maps written from the state as it runs) pipelined around SET, REMOVE, HELLO 3 and MONITOR', async () => {
  const port = sentinel!.port;
  const masters = resp('SENTINEL', 'MASTERS');
  const batch =
    masters + resp('SENTINEL', 'SET', 'mymaster', 'quorum', '3') + masters + resp('SENTINEL', 'REMOVE', 'mymaster') + masters +
    resp('HELLO', '3') + resp('SENTINEL', 'MONITOR', 'mymaster', '127.0.0.1', String(master!.port), '2') + masters + resp('PING');
  const out = await exchange(port, batch, (s) => s.endsWith('+PONG\r\n'));
  const quorums = [...out.matchAll(/\$6\r\nquorum\r\n\$1\r\n(\d)\r\n/g)].map((m) => m[1]);
  assert.deepEqual(quorums, ['1', '3', '2'], 'each MASTERS shows the quorum of its turn');
  assert.ok(out.startsWith('*1\r\n*'), 'the first answer: one master, a RESP2 array');
  const removed = out.indexOf('+OK\r\n', out.indexOf('+OK\r\n') + 1);
  assert.ok(out.startsWith('*0\r\n', removed + 5), 'no master right after REMOVE');
  const monitored = out.indexOf('+OK\r\n', removed + 5);
  assert.ok(out.startsWith('*1\r\n%', monitored + 5), 'after HELLO 3 and MONITOR: one master, a RESP3 map');
  await rawCommand(port, resp('SENTINEL', 'SET', 'mymaster', 'down-after-milliseconds', '5000'));
  await rawCommand(port, resp('SENTINEL', 'SET', 'mymaster', 'quorum', '1'));
});
