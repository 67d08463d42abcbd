/**
 * Real clients against sentinels that require a password (requirepass) and an ACL user, with a
 * password-protected master: ioredis (sentinelPassword / sentinelUsername), node-redis
 * (sentinelClientOptions), redis-py (sentinel_kwargs) and redis-cli (--user/--pass) find the
 * master and write through it. Wrong credentials are refused with redis's errors.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { Redis } from 'ioredis';
import { createSentinel } from 'redis';
import { PYTHON3 } from '../helpers/paths.js';
import { startRedis } from '../helpers/redis-server.js';
import type { RedisServer } from '../helpers/redis-server.js';
import { startSentinel } from '../helpers/sentinels.js';
import type { SentinelProcess } from '../helpers/sentinels.js';
import { waitFor } from '../helpers/wait.js';
import { rawCommand, redisCli } from '../helpers/wire.js';

let master: RedisServer;
let sentinel: SentinelProcess;

before(async () => {
  master = await startRedis({ args: ['--requirepass', 'masterpw'] });
  sentinel = await startSentinel({
    lines: [
      'requirepass sentinelpw',
      'user app on >apppw +@all &*',
      `sentinel monitor mymaster 127.0.0.1 ${master.port} 1`,
      'sentinel auth-pass mymaster masterpw',
    ],
  });
  await waitFor(async () => (await redisCli(sentinel.port, '-a', 'sentinelpw', '--no-auth-warning', 'sentinel', 'master', 'mymaster')).includes('flags\nmaster\n'), 10000, 'the sentinel to reach the master');
});

after(async () => {
  await sentinel?.stop();
  await master?.stop();
});

test('without credentials: NOAUTH; wrong ones: WRONGPASS', async () => {
  assert.equal(await rawCommand(sentinel.port, 'SENTINEL MASTERS\r\n'), '-NOAUTH Authentication required.\r\n');
  assert.equal(await rawCommand(sentinel.port, 'AUTH nope\r\n'), '-WRONGPASS invalid username-password pair or user is disabled.\r\n');
  assert.equal(await rawCommand(sentinel.port, 'AUTH app nope\r\n'), '-WRONGPASS invalid username-password pair or user is disabled.\r\n');
});

test('redis-cli with a password and with a user', async () => {
  const addr = `127.0.0.1\n${master.port}\n`;
  assert.equal(await redisCli(sentinel.port, '-a', 'sentinelpw', '--no-auth-warning', 'sentinel', 'get-master-addr-by-name', 'mymaster'), addr);
  assert.equal(await redisCli(sentinel.port, '--user', 'app', '--pass', 'apppw', '--no-auth-warning', 'sentinel', 'get-master-addr-by-name', 'mymaster'), addr);
});

test('ioredis: sentinelPassword, and sentinelUsername with it', async () => {
  for (const creds of [{ sentinelPassword: 'sentinelpw' }, { sentinelUsername: 'app', sentinelPassword: 'apppw' }]) {
    const c = new Redis({ sentinels: [{ host: '127.0.0.1', port: sentinel.port }], name: 'mymaster', password: 'masterpw', ...creds, maxRetriesPerRequest: 2 });
    c.on('error', () => {});
    try {
      await c.set('io-auth', JSON.stringify(creds));
      assert.equal(await c.get('io-auth'), JSON.stringify(creds));
      assert.deepEqual(await c.config('GET', 'port'), ['port', String(master.port)]);
    } finally {
      c.disconnect();
    }
  }
});

test('node-redis: createSentinel with sentinelClientOptions credentials', async () => {
  const s = createSentinel({
    name: 'mymaster',
    sentinelRootNodes: [{ host: '127.0.0.1', port: sentinel.port }],
    sentinelClientOptions: { username: 'app', password: 'apppw' },
    nodeClientOptions: { password: 'masterpw' },
  });
  s.on('error', () => {});
  await s.connect();
  try {
    await s.set('node-auth', 'yes');
    assert.equal(await s.get('node-auth'), 'yes');
  } finally {
    s.destroy();
  }
});

test('redis-py: Sentinel with sentinel_kwargs credentials', async () => {
  const out = await new Promise<string>((resolve, reject) => {
    const script = [
      'from redis.sentinel import Sentinel',
      `s = Sentinel([('127.0.0.1', ${sentinel.port})], socket_timeout=2, sentinel_kwargs={'username': 'app', 'password': 'apppw'})`,
      "print('master', s.discover_master('mymaster'))",
      "m = s.master_for('mymaster', socket_timeout=2, password='masterpw')",
      "m.set('py-auth', 'yes')",
      "print('read', m.get('py-auth').decode())",
    ].join('\n');
    execFile(PYTHON3, ['-c', script], { timeout: 20000 }, (err, stdout, stderr) => (err ? reject(new Error(`${err.message}\n${stderr}`)) : resolve(stdout)));
  });
  assert.match(out, new RegExp(`^master \\('127\\.0\\.0\\.1', ${master.port}\\)$`, 'm'));
  assert.match(out, /^read yes$/m);
  assert.equal(sentinel.stderr(), '');
});
