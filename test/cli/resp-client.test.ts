/**
 * The drill's RESP client against a scripted in-process server (node:net): encoding, pipelined
 * replies in order, error replies, and what happens to pending calls when the stream breaks.
 * Its AUTH and TLS against real redis-servers are in test/integration/drill.test.ts.
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { RespClient } from '../../src/cli/resp-client.js';
import { encodeRequest } from '../../src/protocol/encode.js';
import { ConnectionError, RespReplyError } from '../../src/util/errors.js';

const servers: net.Server[] = [];
after(() => {
  for (const s of servers) s.close();
});

/** A server that answers each chunk it receives by `answer(chunk, socket)`. */
async function fakeServer(answer: (data: string, socket: net.Socket) => void): Promise<number> {
  const server = net.createServer((socket) => {
    socket.on('error', () => {});
    socket.on('data', (d) => answer(d.toString('utf8'), socket));
  });
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return (server.address() as net.AddressInfo).port;
}

test('encodeRequest: a RESP array of bulk strings with byte lengths', () => {
  assert.equal(encodeRequest(['SET', 'k', 42]).toString(), '*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$2\r\n42\r\n');
  assert.equal(encodeRequest(['é']).toString(), '*1\r\n$2\r\né\r\n');
  assert.equal(encodeRequest([]).toString(), '*0\r\n');
});

test('pipelined calls get their replies in order, whatever chunks they arrive in; error replies reject only their call', async () => {
  let received = '';
  const port = await fakeServer((d, s) => {
    received += d;
    // Three commands: answer once all are in, split mid-reply.
    if ((received.match(/\*/g) ?? []).length === 3) {
      s.write('+OK\r\n-READONLY You can\'t write against a read only replica.\r\n*2\r\n$1');
      setTimeout(() => s.write('\r\na\r\n:7\r\n'), 20);
    }
  });
  const c = await RespClient.connect({ host: '127.0.0.1', port });
  const a = c.call('SET', 'k', 'v');
  const b = c.call('SET', 'k2', 'v');
  const d = c.call('MGET', 'a', 'b');
  assert.equal(c.inFlight, 3);
  assert.equal(await a, 'OK');
  await assert.rejects(b, (e: unknown) => e instanceof RespReplyError && e.prefix === 'READONLY' && /read only replica/.test(e.message));
  assert.deepEqual(await d, ['a', 7]);
  assert.equal(c.inFlight, 0);
  c.close();
});

test('the server closing the connection rejects every pending call with CONNECTION_LOST, and later calls at once', async () => {
  const port = await fakeServer((_d, s) => s.destroy());
  const c = await RespClient.connect({ host: '127.0.0.1', port });
  let closedWith: ConnectionError | null = null;
  c.onClose((e) => (closedWith = e));
  const calls = [c.call('PING'), c.call('PING')];
  for (const p of calls) await assert.rejects(p, (e: unknown) => e instanceof ConnectionError && e.code === 'CONNECTION_LOST');
  assert.equal(c.closed, true);
  assert.equal((closedWith as ConnectionError | null)?.code, 'CONNECTION_LOST');
  await assert.rejects(c.call('PING'), (e: unknown) => e instanceof ConnectionError);
});

test('close() rejects pending calls with CONNECTION_CLOSED (ours, not the server\'s doing)', async () => {
  const port = await fakeServer(() => {});
  const c = await RespClient.connect({ host: '127.0.0.1', port });
  const p = c.call('PING');
  c.close();
  await assert.rejects(p, (e: unknown) => e instanceof ConnectionError && e.code === 'CONNECTION_CLOSED');
});

test('a reply later than the command timeout ends the connection (replies cannot be skipped)', async () => {
  const port = await fakeServer(() => {});
  const c = await RespClient.connect({ host: '127.0.0.1', port, commandTimeoutMs: 50 });
  const p = c.call('PING');
  const q = c.call('PING');
  await assert.rejects(p, (e: unknown) => e instanceof ConnectionError && e.code === 'COMMAND_TIMEOUT');
  await assert.rejects(q, (e: unknown) => e instanceof ConnectionError && e.code === 'COMMAND_TIMEOUT');
  assert.equal(c.closed, true);
});

test('garbage from the server is a protocol error: the connection ends', async () => {
  const port = await fakeServer((_d, s) => s.write('hello\r\n'));
  const c = await RespClient.connect({ host: '127.0.0.1', port });
  await assert.rejects(c.call('PING'), (e: unknown) => e instanceof ConnectionError && e.code === 'CONNECTION_LOST' && /protocol error/.test(e.message));
  assert.equal(c.closed, true);
});

test('AUTH is sent on connect: user and password, or the password alone; a refusal rejects the connect', async () => {
  const seen: string[] = [];
  const port = await fakeServer((d, s) => {
    seen.push(d);
    s.write(d.includes('bad') ? '-WRONGPASS invalid username-password pair or user is disabled.\r\n' : '+OK\r\n');
  });
  (await RespClient.connect({ host: '127.0.0.1', port, user: 'u', password: 'p' })).close();
  (await RespClient.connect({ host: '127.0.0.1', port, password: 'p' })).close();
  (await RespClient.connect({ host: '127.0.0.1', port, user: 'u' })).close(); // no password: no AUTH
  assert.deepEqual(seen, ['*3\r\n$4\r\nAUTH\r\n$1\r\nu\r\n$1\r\np\r\n', '*2\r\n$4\r\nAUTH\r\n$1\r\np\r\n']);
  await assert.rejects(RespClient.connect({ host: '127.0.0.1', port, password: 'bad' }), (e: unknown) => e instanceof RespReplyError && e.prefix === 'WRONGPASS');
});

test('connect failures: refused is CONNECT_FAILED; a server that never accepts the handshake is CONNECT_TIMEOUT', async () => {
  const closed = net.createServer();
  await new Promise<void>((r) => closed.listen(0, '127.0.0.1', r));
  const deadPort = (closed.address() as net.AddressInfo).port;
  await new Promise<void>((r) => closed.close(() => r()));
  await assert.rejects(RespClient.connect({ host: '127.0.0.1', port: deadPort }), (e: unknown) => e instanceof ConnectionError && e.code === 'CONNECT_FAILED');
  // A plain TCP server never answers a TLS ClientHello.
  const port = await fakeServer(() => {});
  await assert.rejects(
    RespClient.connect({ host: '127.0.0.1', port, connectTimeoutMs: 100, tls: { insecure: true } }),
    (e: unknown) => e instanceof ConnectionError && e.code === 'CONNECT_TIMEOUT',
  );
});
