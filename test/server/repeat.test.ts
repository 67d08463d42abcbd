/**
 * The repeat shortcut (src/server/repeat.ts): a request identical to the previous one on the
 * connection gets the previous reply without being run, but only while nothing it depends on
 * changed. The fake hooks count every SENTINEL call that reaches them, so each test can tell a
 * repeated reply from one built again.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { req, startServer } from './harness.js';
import type { Harness } from './harness.js';
import type { RawClient } from './raw-client.js';

let h: Harness;
before(async () => {
  h = await startServer();
});
after(async () => {
  await h.stop();
});

const ASK = req('SENTINEL', 'get-master-addr-by-name', 'mymaster');
const ADDR_42001 = '*2\r\n$9\r\n127.0.0.1\r\n$5\r\n42001\r\n';
const ADDR_42002 = '*2\r\n$9\r\n127.0.0.1\r\n$5\r\n42002\r\n';

function asked(): number {
  return h.hooks.calls.filter((c) => c.sub === 'get-master-addr-by-name').length;
}

async function totalCommands(c: RawClient): Promise<number> {
  c.write(req('INFO', 'stats'));
  const info = String(await c.value());
  return Number(/total_commands_processed:(\d+)/.exec(info)![1]);
}

function reset(): void {
  h.hooks.calls.length = 0;
  h.hooks.masterAddr = ['127.0.0.1', '42001'];
  h.hooks.keptVersion++;
}

test('a pipelined batch of one kept query is run once, answered every time, and counted every time', async () => {
  reset();
  const c = await h.connect();
  const before = await totalCommands(c);
  c.write(ASK.repeat(50));
  assert.equal(await c.expect(ADDR_42001.repeat(50)), ADDR_42001.repeat(50));
  assert.equal(asked(), 1);
  // 50 counted, plus the INFO that reads the count (counted once run, as in redis).
  assert.equal((await totalCommands(c)) - before, 51);
  c.close();
});

test('a new version of the kept answers is built and sent at the next identical request', async () => {
  reset();
  const c = await h.connect();
  c.write(ASK + ASK);
  await c.expect(ADDR_42001 + ADDR_42001);
  assert.equal(asked(), 1);
  h.hooks.masterAddr = ['127.0.0.1', '42002'];
  h.hooks.keptVersion++;
  c.write(ASK + ASK);
  assert.equal(await c.expect(ADDR_42002 + ADDR_42002), ADDR_42002 + ADDR_42002);
  assert.equal(asked(), 2);
  c.close();
});

test('a request that differs by one byte, or comes split over two reads, is run in full', async () => {
  reset();
  const c = await h.connect();
  const other = req('SENTINEL', 'get-master-addr-by-name', 'mymastes');
  c.write(ASK + other + ASK);
  assert.equal(await c.expect(ADDR_42001 + '*-1\r\n' + ADDR_42001), ADDR_42001 + '*-1\r\n' + ADDR_42001);
  assert.equal(h.hooks.calls.length, 3);
  // Split: the request has no whole bytes to remember, and a split repeat is parsed.
  c.write(ASK.slice(0, 10));
  await new Promise((r) => setTimeout(r, 20));
  c.write(ASK.slice(10) + ASK);
  await c.expect(ADDR_42001 + ADDR_42001);
  assert.equal(h.hooks.calls.length, 4, 'the whole request after the split one repeats it');
  c.close();
});

test('a change of protocol on the connection is seen by the next identical request (RESP3 map, RESP2 array)', async () => {
  reset();
  const c = await h.connect();
  c.write(req('PING') + req('PING'));
  await c.expect('+PONG\r\n+PONG\r\n');
  c.write(ASK + req('HELLO', '3'));
  await c.expect(ADDR_42001);
  await c.value(); // the HELLO map
  c.write(ASK + ASK);
  // The fake hooks answer with a plain array in both protocols: what must differ is that it
  // was run again under RESP3 (the sentinel's own answers are encoded per protocol).
  await c.expect(ADDR_42001 + ADDR_42001);
  assert.equal(asked(), 2);
  c.write(req('SUBSCRIBE', 'x') + req('PING') + req('PING'));
  await c.value(); // the subscribe push
  await c.expect('+PONG\r\n+PONG\r\n'); // a RESP3 subscriber's PING is plain
  c.write(req('HELLO', '2') + req('PING') + req('PING'));
  await c.value();
  // A RESP2 subscriber gets PING's pub/sub form, never the +PONG remembered before.
  const pong = '*2\r\n$4\r\npong\r\n$0\r\n\r\n';
  assert.equal(await c.expect(pong + pong), pong + pong);
  c.close();
});

test('any other command, from any client, voids what every client remembered (ACL change seen at once)', async () => {
  reset();
  const admin = await h.connect();
  admin.write(req('ACL', 'SETUSER', 'reader', 'on', 'nopass', '+sentinel|get-master-addr-by-name', '+auth', '+ping'));
  assert.equal(await admin.value(), 'OK');
  const c = await h.connect();
  c.write(req('AUTH', 'reader', 'x'));
  assert.equal(await c.value(), 'OK');
  c.write(ASK + ASK);
  await c.expect(ADDR_42001 + ADDR_42001);
  admin.write(req('ACL', 'SETUSER', 'reader', '-sentinel|get-master-addr-by-name'));
  assert.equal(await admin.value(), 'OK');
  const denied = "-NOPERM this user has no permissions to run the 'sentinel|get-master-addr-by-name' command\r\n";
  c.write(ASK);
  assert.equal(await c.expect(denied), denied);
  admin.write(req('ACL', 'DELUSER', 'reader'));
  await admin.value();
  admin.close();
});

test('CLIENT REPLY OFF silences an identical request; SKIP skips one, then the repeats are answered', async () => {
  reset();
  const c = await h.connect();
  c.write(ASK + ASK + req('CLIENT', 'REPLY', 'OFF') + ASK + ASK + req('CLIENT', 'REPLY', 'ON') + ASK);
  assert.equal(await c.expect(ADDR_42001 + ADDR_42001 + '+OK\r\n' + ADDR_42001), ADDR_42001 + ADDR_42001 + '+OK\r\n' + ADDR_42001);
  c.write(req('CLIENT', 'REPLY', 'SKIP') + ASK + ASK + ASK);
  assert.equal(await c.expect(ADDR_42001 + ADDR_42001), ADDR_42001 + ADDR_42001);
  await new Promise((r) => setTimeout(r, 20));
  assert.equal(c.pending(), '', 'nothing more');
  c.close();
});

test('INFO sentinel is repeated while the kept answers hold; INFO of other sections is always built', async () => {
  reset();
  const c = await h.connect();
  const before = h.hooks.infoBuilds;
  c.write(req('INFO', 'sentinel').repeat(5));
  for (let i = 0; i < 5; i++) assert.match(String(await c.value()), /^# Sentinel\r\nsentinel_masters:1/);
  assert.equal(h.hooks.infoBuilds - before, 1);
  h.hooks.keptVersion++;
  c.write(req('INFO', 'sentinel').repeat(2) + req('INFO').repeat(2));
  for (let i = 0; i < 4; i++) await c.value();
  assert.equal(h.hooks.infoBuilds - before, 4, 'once more after the change, and once per full INFO');
  c.close();
});
