/**
 * What keeps one bad client, pattern or bug from hurting the others: request splitting,
 * backpressure on clients that do not read, abusive glob patterns, failing handlers, and the
 * listening rules (optional bind addresses, OS errors handed to the caller).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import os from 'node:os';
import { defaultServerOptions } from '../../src/config/server-directives.js';
import type { ServerOptions } from '../../src/config/model.js';
import { RespServer, listenAddresses } from '../../src/server/server.js';
import { globMatch } from '../../src/util/glob.js';
import { FakeHooks, helloReply, req, startServer } from './harness.js';
import { RawClient } from './raw-client.js';

test('a pipelined handshake split in two at every byte position gets the same bytes back', async () => {
  const h = await startServer();
  try {
    const input =
      req('HELLO', '3') +
      req('CLIENT', 'SETINFO', 'LIB-NAME', 'node-redis') +
      'PING\r\n' +
      req('SENTINEL', 'get-master-addr-by-name', 'nope') +
      req('PING', 'x');
    for (let cut = 1; cut < input.length; cut++) {
      const c = await h.connect();
      c.write(req('CLIENT', 'ID'));
      const id = (await c.value()) as number;
      const expected = helloReply(id, 3) + '+OK\r\n+PONG\r\n_\r\n$1\r\nx\r\n';
      c.write(input.slice(0, cut));
      await new Promise((r) => setImmediate(r));
      c.write(input.slice(cut));
      assert.equal(await c.expect(expected), expected, `cut at ${cut}`);
      c.close();
    }
  } finally {
    await h.stop();
  }
});

test('a client that pipelines without reading is paused, not buffered without bound; it then gets every reply in order', async () => {
  const h = await startServer();
  try {
    const c = await h.connect();
    c.write(req('CLIENT', 'ID'));
    const id = (await c.value()) as number;
    // Stop reading: the kernel buffers fill, then our socket's write queue.
    c.socket.pause();
    const n = 4000; // about 34 MB of COMMAND replies
    let batch = '';
    for (let i = 0; i < n; i++) batch += req('COMMAND');
    batch += req('PING', 'last');
    c.write(batch);
    const client = h.server.clients.get(id)!;
    for (let i = 0; i < 500 && !client.paused; i++) await new Promise((r) => setTimeout(r, 10));
    assert.ok(client.paused, 'reading from the client was paused');
    // Held output stays near the pause threshold (4 MiB) instead of the whole 34 MB.
    assert.ok(client.socket.writableLength < 5 * 1024 * 1024, `held ${client.socket.writableLength} bytes`);
    // Others are served meanwhile.
    const other = await h.connect();
    other.write(req('PING'));
    assert.equal(await other.expect('+PONG\r\n'), '+PONG\r\n');
    // The bytes of one COMMAND reply, from the other client.
    other.write(req('COMMAND') + req('PING', 'end'));
    const marker = '$3\r\nend\r\n';
    for (let i = 0; i < 500 && !other.pending().endsWith(marker); i++) await new Promise((r) => setTimeout(r, 10));
    const one = other.pending().slice(0, -marker.length);
    assert.ok(one.startsWith('*15\r\n'));
    // Reading again lets everything through, in order.
    c.socket.resume();
    const all = await c.take(n * one.length + '$4\r\nlast\r\n'.length);
    assert.ok(all === one.repeat(n) + '$4\r\nlast\r\n', 'every reply, in order');
    assert.equal(client.paused, false);
  } finally {
    await h.stop();
  }
});

test('a PSUBSCRIBE pattern nested too deep matches nothing instead of overflowing the stack', async () => {
  const deep = '*a'.repeat(20_000) + 'b';
  assert.equal(globMatch(deep, 'a'.repeat(30_000)), false);
  // The limit (1000 nested stars, as redis 7.4) still lets ordinary patterns match.
  assert.equal(globMatch('*a'.repeat(900) + '*', 'a'.repeat(950)), true);
  assert.equal(globMatch('*a'.repeat(1100) + '*', 'a'.repeat(1200)), false);

  const h = await startServer();
  try {
    const bad = await h.connect();
    const good = await h.connect();
    bad.write(req('PSUBSCRIBE', deep));
    await bad.value();
    good.write(req('PSUBSCRIBE', '+*'));
    await good.value();
    assert.equal(h.server.publish('+sdown', 'master mymaster 127.0.0.1 42001'), 1);
    const v = (await good.value()) as string[];
    assert.deepEqual(v, ['pmessage', '+*', '+sdown', 'master mymaster 127.0.0.1 42001']);
  } finally {
    await h.stop();
  }
});

test('a command that throws is answered with an error and logged; the server and the connection go on', async () => {
  const h = await startServer();
  try {
    const c = await h.connect();
    const original = h.hooks.sentinelCommand;
    h.hooks.sentinelCommand = () => {
      throw new Error('boom');
    };
    c.write(req('SENTINEL', 'masters') + req('PING'));
    const e = "-ERR internal error while running 'SENTINEL', see the sentinel log\r\n";
    assert.equal(await c.expect(e + '+PONG\r\n'), e + '+PONG\r\n');
    assert.ok(h.logs.some((l) => l.startsWith("warning Internal error running 'SENTINEL'") && l.includes('boom')));
    h.hooks.sentinelCommand = original;
    c.write(req('SENTINEL', 'masters'));
    assert.ok(Array.isArray(await c.value()));
  } finally {
    await h.stop();
  }
});

test('bind list: "*" and "::*" are every interface, a leading "-" makes an address optional', () => {
  assert.deepEqual(listenAddresses([]), [
    { host: '0.0.0.0', optional: false },
    { host: '::', optional: true },
  ]);
  assert.deepEqual(listenAddresses(['*', '-::*']), listenAddresses([]));
  assert.deepEqual(listenAddresses(['127.0.0.1', '-::1']), [
    { host: '127.0.0.1', optional: false },
    { host: '::1', optional: true },
  ]);
});

function makeServer(options: Partial<ServerOptions>): RespServer {
  return new RespServer({
    options: { ...defaultServerOptions(os.tmpdir()), port: 0, ...options },
    hooks: new FakeHooks(),
    log: () => {},
    version: '7.2.4',
    runId: 'r'.repeat(40),
    configFile: '/tmp/x.conf',
    executable: '/usr/bin/x',
  });
}

test('listen(): an unavailable optional address is skipped, a required one is an error, as is a port in use', async () => {
  // 192.0.2.1 (TEST-NET-1) is on no interface here.
  const a = makeServer({ bind: ['127.0.0.1', '-192.0.2.1'] });
  await a.listen();
  try {
    const c = await RawClient.connect(a.port);
    c.write(req('PING'));
    assert.equal(await c.expect('+PONG\r\n'), '+PONG\r\n');
    c.close();
    // INFO lists the listener with the bind list as configured (redis 7.2).
    const i = await RawClient.connect(a.port);
    i.write(req('INFO', 'server'));
    const info = (await i.value()) as string;
    assert.ok(info.endsWith(`\r\nlistener0:name=tcp,bind=127.0.0.1,bind=-192.0.2.1,port=${a.port}\r\n`), info);
    i.close();

    const b = makeServer({ bind: ['192.0.2.1'] });
    await assert.rejects(b.listen(), { code: 'EADDRNOTAVAIL' });
    const d = makeServer({ bind: ['127.0.0.1'], port: a.port });
    await assert.rejects(d.listen(), { code: 'EADDRINUSE' });
    // The first server is unaffected.
    const e = await RawClient.connect(a.port);
    e.write(req('PING'));
    assert.equal(await e.expect('+PONG\r\n'), '+PONG\r\n');
    e.close();
  } finally {
    await a.close();
  }
  const all = makeServer({ bind: ['*'] });
  await all.listen();
  try {
    const c = await RawClient.connect(all.port);
    c.write(req('PING'));
    assert.equal(await c.expect('+PONG\r\n'), '+PONG\r\n');
    c.close();
  } finally {
    await all.close();
  }
});
