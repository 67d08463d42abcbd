import { test } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { helloReply, req, startServer } from './harness.js';
import { RawClient } from './raw-client.js';

test('malformed input: an error reply, then the connection closes; another client keeps being served', async () => {
  const h = await startServer();
  try {
    const cases: [string | Buffer, string][] = [
      ['*x\r\n', '-ERR Protocol error: invalid multibulk length\r\n'],
      ['*1\r\n$-1\r\n', '-ERR Protocol error: invalid bulk length\r\n'],
      ['*1\r\nPING\r\n', "-ERR Protocol error: expected '$', got 'P'\r\n"],
      // The offending byte is echoed raw, CR/LF as a space, as redis does.
      [Buffer.from('*1\r\n\xe9PING\r\n', 'latin1'), "-ERR Protocol error: expected '$', got '\xe9'\r\n"],
      ['*1\r\n\r\n', "-ERR Protocol error: expected '$', got ' '\r\n"],
      ['PING "oops\r\n', '-ERR Protocol error: unbalanced quotes in request\r\n'],
      ['x'.repeat(70 * 1024), '-ERR Protocol error: too big inline request\r\n'],
      ['*' + '9'.repeat(70 * 1024), '-ERR Protocol error: too big mbulk count string\r\n'],
      // Replies to the requests before the bad one come first; nothing after it runs.
      [req('PING') + '*1\r\n$x\r\n' + req('PING'), '+PONG\r\n-ERR Protocol error: invalid bulk length\r\n'],
    ];
    const other = await h.connect();
    for (const [input, expected] of cases) {
      const bad = await h.connect();
      bad.write(input);
      assert.equal(await bad.expect(expected), expected);
      await bad.waitClosed();
      assert.equal(bad.pending(), '');
      other.write(req('PING', 'still'));
      assert.equal(await other.expect('$5\r\nstill\r\n'), '$5\r\nstill\r\n');
    }
    assert.ok(h.logs.some((l) => l.includes('Protocol error (Protocol error: invalid multibulk length)')));
    assert.equal(h.server.clients.size, 1);
  } finally {
    await h.stop();
  }
});

test('the query buffer limit closes the client without a reply (as redis does)', async () => {
  const h = await startServer({ clientQueryBufferLimit: 100_000 });
  try {
    const big = await h.connect();
    const other = await h.connect();
    big.write(req('PING') + '*1\r\n$200000\r\n' + 'z'.repeat(150_000));
    assert.equal(await big.expect('+PONG\r\n'), '+PONG\r\n');
    await big.waitClosed();
    assert.equal(big.pending(), '');
    assert.ok(h.logs.some((l) => l.startsWith('warning Closing client that reached max query buffer length')));
    other.write(req('PING'));
    assert.equal(await other.expect('+PONG\r\n'), '+PONG\r\n');
  } finally {
    await h.stop();
  }
});

test('requirepass: NOAUTH, unauthenticated length limits, WRONGPASS, AUTH and HELLO AUTH', async () => {
  const h = await startServer({ requirepass: 'secret' });
  try {
    const c = await h.connect();
    const cases: [string, string][] = [
      [req('PING'), '-NOAUTH Authentication required.\r\n'],
      [req('SENTINEL', 'masters'), '-NOAUTH Authentication required.\r\n'],
      // Unknown commands and arity errors come before the authentication check, as in redis.
      [req('FOO'), "-ERR unknown command 'FOO', with args beginning with: \r\n"],
      [req('SENTINEL', 'foo'), "-ERR unknown subcommand 'foo'. Try SENTINEL HELP.\r\n"],
      [
        req('HELLO', '3'),
        '-NOAUTH HELLO must be called with the client already authenticated, otherwise the HELLO AUTH <user> <pass> option can be used to authenticate the client and select the RESP protocol version at the same time\r\n',
      ],
      [req('HELLO', '3', 'AUTH', 'default', 'wrong'), '-WRONGPASS invalid username-password pair or user is disabled.\r\n'],
      [req('AUTH', 'wrong'), '-WRONGPASS invalid username-password pair or user is disabled.\r\n'],
      [req('AUTH', 'bob', 'secret'), '-WRONGPASS invalid username-password pair or user is disabled.\r\n'],
      [req('AUTH'), "-ERR wrong number of arguments for 'auth' command\r\n"],
    ];
    for (const [input, expected] of cases) {
      c.write(input);
      assert.equal(await c.expect(expected), expected, input);
    }
    c.write(req('AUTH', 'secret') + req('PING') + req('ACL', 'WHOAMI'));
    assert.equal(await c.expect('+OK\r\n+PONG\r\n$7\r\ndefault\r\n'), '+OK\r\n+PONG\r\n$7\r\ndefault\r\n');
    // Authenticated: the 10-argument limit no longer applies.
    c.write(`*12\r\n${'$1\r\nx\r\n'.repeat(12)}`);
    const unknown = `-ERR unknown command 'x', with args beginning with: ${"'x' ".repeat(11)}\r\n`;
    assert.equal(await c.expect(unknown), unknown);

    const d = await h.connect();
    d.write(req('HELLO', '3', 'AUTH', 'default', 'secret'));
    const id = ((await d.value()) as unknown[])[7] as number;
    d.write(req('HELLO', '2'));
    assert.equal(await d.expect(helloReply(id, 2)), helloReply(id, 2));

    const e = await h.connect();
    e.write('*11\r\n');
    assert.equal(await e.expect('-ERR Protocol error: unauthenticated multibulk length\r\n'), '-ERR Protocol error: unauthenticated multibulk length\r\n');
    await e.waitClosed();
    const f = await h.connect();
    f.write('*1\r\n$16385\r\n');
    assert.equal(await f.expect('-ERR Protocol error: unauthenticated bulk length\r\n'), '-ERR Protocol error: unauthenticated bulk length\r\n');
    await f.waitClosed();
  } finally {
    await h.stop();
  }
});

test('maxclients: the connection over the limit gets the redis error and is closed; it counts as rejected only', async () => {
  const h = await startServer({ maxclients: 2 });
  try {
    const a = await h.connect();
    const b = await h.connect();
    const c = await h.connect();
    assert.equal(await c.expect('-ERR max number of clients reached\r\n'), '-ERR max number of clients reached\r\n');
    await c.waitClosed();
    assert.equal(h.server.stats.rejectedConnections, 1);
    assert.equal(h.server.stats.connectionsReceived, 2);
    a.write(req('INFO', 'stats'));
    const stats = (await a.value()) as string;
    assert.match(stats, /\r\ntotal_connections_received:2\r\n/);
    assert.match(stats, /\r\nrejected_connections:1\r\n/);
    // Once a slot frees up, a new client is accepted.
    b.close();
    let d: RawClient | undefined;
    for (let i = 0; i < 100 && !d; i++) {
      await new Promise((r) => setTimeout(r, 10));
      if (h.server.clients.size < 2) d = await h.connect();
    }
    assert.ok(d, 'a slot was freed');
    d.write(req('PING'));
    assert.equal(await d.expect('+PONG\r\n'), '+PONG\r\n');
  } finally {
    await h.stop();
  }
});

test('CLIENT KILL: ID, ADDR (old form), TYPE, USER with SKIPME no (the caller gets its reply, then is closed)', async () => {
  const h = await startServer();
  try {
    const killer = await h.connect();
    const victim = await h.connect();
    victim.write(req('CLIENT', 'ID'));
    const victimId = (await victim.value()) as number;
    killer.write(req('CLIENT', 'KILL', 'ID', String(victimId)));
    assert.equal(await killer.expect(':1\r\n'), ':1\r\n');
    await victim.waitClosed();
    killer.write(req('CLIENT', 'KILL', 'ID', String(victimId)) + req('CLIENT', 'KILL', '1.2.3.4:5') + req('CLIENT', 'KILL', 'ID', 'x'));
    const errs = ':0\r\n-ERR No such client\r\n-ERR client-id should be greater than 0\r\n';
    assert.equal(await killer.expect(errs), errs);

    const old = await h.connect();
    const addr = `${old.socket.localAddress}:${old.socket.localPort}`;
    killer.write(req('CLIENT', 'KILL', addr));
    assert.equal(await killer.expect('+OK\r\n'), '+OK\r\n');
    await old.waitClosed();

    const sub = await h.connect();
    sub.write(req('SUBSCRIBE', 'x'));
    await sub.value();
    const normal = await h.connect();
    killer.write(req('CLIENT', 'KILL', 'TYPE', 'pubsub'));
    assert.equal(await killer.expect(':1\r\n'), ':1\r\n');
    await sub.waitClosed();
    assert.equal(normal.closed, false);

    // SKIPME yes (the default) spares the caller.
    killer.write(req('CLIENT', 'KILL', 'USER', 'default'));
    assert.equal(await killer.expect(':1\r\n'), ':1\r\n');
    await normal.waitClosed();
    const again = await h.connect();
    killer.write(req('CLIENT', 'KILL', 'USER', 'default', 'SKIPME', 'no') + req('PING'));
    assert.equal(await killer.expect(':2\r\n'), ':2\r\n');
    await killer.waitClosed();
    await again.waitClosed();
    assert.equal(killer.pending(), '', 'nothing after the reply: the PING pipelined behind was not run');
    assert.equal(h.server.clients.size, 0);
  } finally {
    await h.stop();
  }
});

test('an IPv6 client is shown as [addr]:port in CLIENT LIST, as redis formats it', async (t) => {
  const probe = net.createServer();
  const ok = await new Promise<boolean>((resolve) => {
    probe.once('error', () => resolve(false));
    probe.listen(0, '::1', () => resolve(true));
  });
  probe.close();
  if (!ok) {
    t.skip('no IPv6 loopback here');
    return;
  }
  const h = await startServer({ bind: ['::1'] });
  try {
    const c = await RawClient.connect(h.port, '::1');
    c.write(req('CLIENT', 'INFO'));
    const line = (await c.value()) as string;
    assert.match(line, new RegExp(`^id=\\d+ addr=\\[::1\\]:\\d+ laddr=\\[::1\\]:${h.port} `));
    const addr = line.split(' ')[1]!.slice('addr='.length);
    const k = await RawClient.connect(h.port, '::1');
    k.write(req('CLIENT', 'KILL', 'ADDR', addr));
    assert.equal(await k.expect(':1\r\n'), ':1\r\n');
    await c.waitClosed();
    k.close();
  } finally {
    await h.stop();
  }
});

test('total_commands_processed counts executed commands only, not rejected ones', async () => {
  const h = await startServer();
  try {
    const c = await h.connect();
    c.write(req('NOPE') + req('PING', 'a', 'b') + req('SENTINEL', 'nope') + req('PING') + req('INFO', 'stats'));
    await c.value();
    await c.value();
    await c.value();
    await c.value();
    const stats = (await c.value()) as string;
    // `PING a b` runs (and fails inside the command, as in redis), then PING; INFO counts once done.
    assert.match(stats, /\r\ntotal_commands_processed:2\r\n/);
    assert.match(stats, /\r\ntotal_error_replies:3\r\n/);
  } finally {
    await h.stop();
  }
});
