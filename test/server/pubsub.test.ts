import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { req, startServer } from './harness.js';
import type { Harness } from './harness.js';

let h: Harness;
before(async () => {
  h = await startServer();
});
after(async () => {
  await h.stop();
});

const b = (s: string): string => `$${Buffer.byteLength(s)}\r\n${s}\r\n`;

test('RESP3 SUBSCRIBE: push frames, events as pushes, PING is a plain +PONG, any command allowed', async () => {
  const c = await h.connect();
  c.write(req('HELLO', '3'));
  await c.value();
  c.write(req('SUBSCRIBE', '+switch-master', '+sdown'));
  const frames = `>3\r\n$9\r\nsubscribe\r\n$14\r\n+switch-master\r\n:1\r\n>3\r\n$9\r\nsubscribe\r\n$6\r\n+sdown\r\n:2\r\n`;
  assert.equal(await c.expect(frames), frames);
  assert.equal(h.server.publish('+switch-master', 'mymaster 127.0.0.1 42001 127.0.0.1 42003'), 1);
  const msg = `>3\r\n${b('message')}${b('+switch-master')}${b('mymaster 127.0.0.1 42001 127.0.0.1 42003')}`;
  assert.equal(await c.expect(msg), msg);
  c.write(req('PING') + req('SENTINEL', 'get-master-addr-by-name', 'nope') + req('ROLE'));
  const rest = '+PONG\r\n_\r\n*2\r\n$8\r\nsentinel\r\n*1\r\n$8\r\nmymaster\r\n';
  assert.equal(await c.expect(rest), rest);
  c.write(req('UNSUBSCRIBE'));
  const unsub = `>3\r\n$11\r\nunsubscribe\r\n$14\r\n+switch-master\r\n:1\r\n>3\r\n$11\r\nunsubscribe\r\n$6\r\n+sdown\r\n:0\r\n`;
  assert.equal(await c.expect(unsub), unsub);
  c.write(req('UNSUBSCRIBE'));
  assert.equal(await c.expect('>3\r\n$11\r\nunsubscribe\r\n_\r\n:0\r\n'), '>3\r\n$11\r\nunsubscribe\r\n_\r\n:0\r\n');
});

test('RESP2 subscribed mode: PING gives ["pong", msg], other commands the redis error, counts per kind', async () => {
  const c = await h.connect();
  c.write(req('UNSUBSCRIBE') + req('PUNSUBSCRIBE', 'x'));
  const none = '*3\r\n$11\r\nunsubscribe\r\n$-1\r\n:0\r\n*3\r\n$12\r\npunsubscribe\r\n$1\r\nx\r\n:0\r\n';
  assert.equal(await c.expect(none), none);
  c.write(req('SUBSCRIBE', 'a', 'a') + req('PSUBSCRIBE', '*'));
  const subs = '*3\r\n$9\r\nsubscribe\r\n$1\r\na\r\n:1\r\n*3\r\n$9\r\nsubscribe\r\n$1\r\na\r\n:1\r\n*3\r\n$10\r\npsubscribe\r\n$1\r\n*\r\n:2\r\n';
  assert.equal(await c.expect(subs), subs);
  c.write(req('PING') + req('PING', 'x'));
  assert.equal(await c.expect('*2\r\n$4\r\npong\r\n$0\r\n\r\n*2\r\n$4\r\npong\r\n$1\r\nx\r\n'), '*2\r\n$4\r\npong\r\n$0\r\n\r\n*2\r\n$4\r\npong\r\n$1\r\nx\r\n');
  for (const [cmd, name] of [
    [req('SENTINEL', 'MASTERS'), 'sentinel|masters'],
    [req('CLIENT', 'ID'), 'client|id'],
    [req('INFO'), 'info'],
    [req('PUBLISH', '__sentinel__:hello', 'x'), 'publish'],
  ] as const) {
    c.write(cmd);
    const e = `-ERR Can't execute '${name}': only (P|S)SUBSCRIBE / (P|S)UNSUBSCRIBE / PING / QUIT / RESET are allowed in this context\r\n`;
    assert.equal(await c.expect(e), e);
  }
  // Errors before the subscribed-mode check keep their own text.
  c.write(req('NOPE'));
  assert.equal(await c.expect("-ERR unknown command 'NOPE', with args beginning with: \r\n"), "-ERR unknown command 'NOPE', with args beginning with: \r\n");
  // A channel match and a pattern match are two deliveries.
  assert.equal(h.server.publish('a', 'hi'), 2);
  const both = `*3\r\n${b('message')}${b('a')}${b('hi')}*4\r\n${b('pmessage')}${b('*')}${b('a')}${b('hi')}`;
  assert.equal(await c.expect(both), both);
  c.write(req('PUNSUBSCRIBE') + req('UNSUBSCRIBE', 'a', 'zz'));
  const out = '*3\r\n$12\r\npunsubscribe\r\n$1\r\n*\r\n:1\r\n*3\r\n$11\r\nunsubscribe\r\n$1\r\na\r\n:0\r\n*3\r\n$11\r\nunsubscribe\r\n$2\r\nzz\r\n:0\r\n';
  assert.equal(await c.expect(out), out);
  // Out of subscribed mode: everything runs again.
  c.write(req('PING'));
  assert.equal(await c.expect('+PONG\r\n'), '+PONG\r\n');
});

test('PSUBSCRIBE with redis globs: [-+]sdown, *, ?, escapes; PUBLISH from clients never reaches subscribers', async () => {
  const sd = await h.connect();
  const all = await h.connect();
  const q = await h.connect();
  sd.write(req('PSUBSCRIBE', '[-+]sdown', '[-+]odown'));
  await sd.value();
  await sd.value();
  all.write(req('PSUBSCRIBE', '*'));
  await all.value();
  q.write(req('PSUBSCRIBE', '?switch-master', '\\*x'));
  await q.value();
  await q.value();
  const events: [string, string][] = [
    ['+sdown', 'master mymaster 127.0.0.1 42001'],
    ['+odown', 'master mymaster 127.0.0.1 42001 #quorum 2/2'],
    ['-sdown', 'master mymaster 127.0.0.1 42001'],
    ['*sdown', 'not an event'],
    ['+switch-master', 'mymaster 127.0.0.1 42001 127.0.0.1 42003'],
    ['*x', 'literal star'],
  ];
  for (const [ch, msg] of events) h.server.publish(ch, msg);
  const pm = (pattern: string, ch: string, msg: string): string => `*4\r\n${b('pmessage')}${b(pattern)}${b(ch)}${b(msg)}`;
  const sdExpected = pm('[-+]sdown', ...events[0]!) + pm('[-+]odown', ...events[1]!) + pm('[-+]sdown', ...events[2]!);
  assert.equal(await sd.expect(sdExpected), sdExpected);
  const allExpected = events.map(([ch, msg]) => pm('*', ch, msg)).join('');
  assert.equal(await all.expect(allExpected), allExpected);
  const qExpected = pm('?switch-master', ...events[4]!) + pm('\\*x', ...events[5]!);
  assert.equal(await q.expect(qExpected), qExpected);
  // A peer's PUBLISH __sentinel__:hello is consumed by the sentinel, not forwarded.
  const p = await h.connect();
  p.write(req('PUBLISH', '__sentinel__:hello', 'payload'));
  assert.equal(await p.expect(':1\r\n'), ':1\r\n');
  h.server.publish('+sdown', 'marker');
  assert.equal(await all.expect(pm('*', '+sdown', 'marker')), pm('*', '+sdown', 'marker'));
});

test('a subscriber that never reads is dropped at the hard pub/sub output limit; the others keep being served', async () => {
  const hh = await startServer({ pubsubOutputHardLimit: 256 * 1024, pubsubOutputSoftLimit: 0 });
  try {
    const slow = await hh.connect();
    const fast = await hh.connect();
    const plain = await hh.connect();
    slow.write(req('SUBSCRIBE', 'ev'));
    await slow.value();
    fast.write(req('SUBSCRIBE', 'ev'));
    await fast.value();
    slow.socket.pause(); // never reads again: the kernel buffers fill, then ours
    const payload = 'x'.repeat(16 * 1024);
    let rounds = 0;
    // Publish until the server gives up on the slow subscriber (bounded: 64 MiB at most).
    while (hh.server.clients.size === 3 && rounds < 4096) {
      for (let i = 0; i < 16; i++) hh.server.publish('ev', payload);
      rounds++;
      // Let the fast subscriber drain between bursts.
      await new Promise((r) => setImmediate(r));
    }
    assert.equal(hh.server.clients.size, 2, 'the slow subscriber was dropped');
    assert.ok(hh.logs.some((l) => l.startsWith('warning ') && l.includes('closed for overcoming of output buffer limits')));
    slow.socket.resume();
    await slow.waitClosed();
    // The fast one got every message, in order, and the server still answers.
    const frame = `*3\r\n${b('message')}${b('ev')}${b(payload)}`;
    const total = rounds * 16;
    const got = await fast.take(frame.length * total);
    assert.equal(got, frame.repeat(total));
    plain.write(req('PING'));
    assert.equal(await plain.expect('+PONG\r\n'), '+PONG\r\n');
  } finally {
    await hh.stop();
  }
});

test('the soft pub/sub limit drops a subscriber only after staying over it for the configured time (virtual clock)', async () => {
  const hh = await startServer({ pubsubOutputHardLimit: 0, pubsubOutputSoftLimit: 64 * 1024, pubsubOutputSoftSeconds: 10 });
  try {
    const slow = await hh.connect();
    slow.write(req('SUBSCRIBE', 'ev'));
    await slow.value();
    slow.socket.pause();
    const payload = 'y'.repeat(64 * 1024);
    // Fill every buffer until our own output queue is over the soft limit.
    const client = [...hh.server.clients.values()][0]!;
    for (let i = 0; i < 4096 && client.socket.writableLength <= 64 * 1024; i++) hh.server.publish('ev', payload);
    assert.ok(client.socket.writableLength > 64 * 1024);
    assert.equal(hh.server.clients.size, 1, 'over the soft limit, but not for long yet');
    hh.now.ms += 9_000;
    hh.server.publish('ev', payload);
    assert.equal(hh.server.clients.size, 1, 'still within 10 s');
    hh.now.ms += 2_000;
    hh.server.publish('ev', payload);
    assert.equal(hh.server.clients.size, 0, 'over the soft limit for more than 10 s');
    slow.socket.resume();
    await slow.waitClosed();
  } finally {
    await hh.stop();
  }
});
