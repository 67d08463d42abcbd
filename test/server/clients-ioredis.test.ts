/**
 * A real client library against the in-process server: ioredis 6 opens with its pipelined
 * HELLO 3 + CLIENT SETINFO handshake, then uses the sentinel's commands and events.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Redis } from 'ioredis';
import { startServer } from './harness.js';

test('ioredis 6: handshake, call("ping"), info(), SENTINEL and a subscription', async () => {
  const h = await startServer();
  const c = new Redis({ port: h.port, host: '127.0.0.1', maxRetriesPerRequest: 1, lazyConnect: true });
  const sub = new Redis({ port: h.port, host: '127.0.0.1', maxRetriesPerRequest: 1, lazyConnect: true });
  try {
    await c.connect();
    assert.equal(await c.call('ping'), 'PONG');
    const info = await c.info();
    assert.match(info, /^# Server\r\nredis_version:7\.2\.4\r\n/);
    assert.match(info, /\r\nredis_mode:sentinel\r\n/);
    assert.match(await c.info('sentinel'), /^# Sentinel\r\nsentinel_masters:1\r\n/);
    assert.deepEqual(await c.call('sentinel', 'get-master-addr-by-name', 'mymaster'), ['127.0.0.1', '42001']);
    assert.equal(await c.call('sentinel', 'get-master-addr-by-name', 'nope'), null);
    assert.deepEqual(await c.call('role'), ['sentinel', ['mymaster']]);
    // Its handshake went through: the library is named in CLIENT INFO.
    assert.match(String(await c.call('client', 'info')), / lib-name=ioredis lib-ver=\S+\n$/);

    await sub.connect();
    const got = new Promise<[string, string]>((resolve) => sub.on('message', (ch: string, msg: string) => resolve([ch, msg])));
    await sub.subscribe('+switch-master');
    assert.equal(h.server.publish('+switch-master', 'mymaster 127.0.0.1 42001 127.0.0.1 42003'), 1);
    assert.deepEqual(await got, ['+switch-master', 'mymaster 127.0.0.1 42001 127.0.0.1 42003']);
  } finally {
    c.disconnect();
    sub.disconnect();
    await h.stop();
  }
});

test('ioredis 6 with a password: AUTH through HELLO, then commands', async () => {
  const h = await startServer({ requirepass: 's3cret' });
  const c = new Redis({ port: h.port, host: '127.0.0.1', password: 's3cret', maxRetriesPerRequest: 1, lazyConnect: true });
  try {
    await c.connect();
    assert.equal(await c.call('ping'), 'PONG');
    assert.equal(await c.call('acl', 'whoami'), 'default');
  } finally {
    c.disconnect();
    await h.stop();
  }
});
