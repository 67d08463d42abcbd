import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { rawCommand, startSentinel, tsOnly } from '../helpers/processes.js';

// 7.0.15 words NOPERM errors without the user and channel names; sentinel-ts has the 7.2 wording.
const nopermWording = tsOnly('7.2 NOPERM wording (7.0.15 says "this user has no permissions ...")');

const cmd = (...args: string[]): string => `*${args.length}\r\n${args.map((a) => `$${Buffer.byteLength(a)}\r\n${a}\r\n`).join('')}`;

test('ACL users: created, enforced, written to the config file and loaded again after a restart', { skip: nopermWording }, async () => {
  const s = await startSentinel({ lines: [] });
  try {
    assert.equal(await rawCommand(s.port, cmd('ACL', 'SETUSER', 'ops', 'on', '>s3cret', '+@all', '&*')), '+OK\r\n');
    assert.equal(await rawCommand(s.port, cmd('ACL', 'SETUSER', 'viewer', 'on', '>v', '-@all', '+ping')), '+OK\r\n');
    assert.equal(await rawCommand(s.port, cmd('ACL', 'SETUSER', 'default', 'off')), '+OK\r\n');
    assert.equal(await rawCommand(s.port, cmd('PING')), '-NOAUTH Authentication required.\r\n');
    assert.equal(await rawCommand(s.port, cmd('AUTH', 'ops', 'wrong')), '-WRONGPASS invalid username-password pair or user is disabled.\r\n');
    assert.equal(await rawCommand(s.port, cmd('AUTH', 'ops', 's3cret') + cmd('ACL', 'WHOAMI')), '+OK\r\n$3\r\nops\r\n');
    assert.equal(
      await rawCommand(s.port, cmd('AUTH', 'viewer', 'v') + cmd('SENTINEL', 'MASTERS')),
      "+OK\r\n-NOPERM User viewer has no permissions to run the 'sentinel|masters' command\r\n",
    );
    assert.equal(await rawCommand(s.port, cmd('AUTH', 'ops', 's3cret') + cmd('SENTINEL', 'FLUSHCONFIG')), '+OK\r\n+OK\r\n');
    const conf = fs.readFileSync(s.confPath, 'utf8');
    assert.match(conf, /^user default off /m);
    assert.match(conf, /^user ops on #[0-9a-f]{64} /m);
    assert.doesNotMatch(conf, /s3cret/);
    await s.restart();
    assert.equal(await rawCommand(s.port, cmd('PING')), '-NOAUTH Authentication required.\r\n');
    assert.equal(await rawCommand(s.port, cmd('AUTH', 'ops', 's3cret') + cmd('ACL', 'DELUSER', 'viewer')), '+OK\r\n:1\r\n');
    assert.equal(s.stderr(), '');
  } finally {
    await s.stop();
  }
});

test('channel permissions: a user without &* cannot subscribe to events', { skip: nopermWording }, async () => {
  const s = await startSentinel({ lines: [] });
  try {
    await rawCommand(s.port, cmd('ACL', 'SETUSER', 'nochan', 'on', '>p', '+@all'));
    await rawCommand(s.port, cmd('ACL', 'SETUSER', 'somechan', 'on', '>p', '+@all', '&+switch-master'));
    assert.equal(
      await rawCommand(s.port, cmd('AUTH', 'nochan', 'p') + cmd('SUBSCRIBE', '+sdown')),
      "+OK\r\n-NOPERM User nochan has no permissions to access the '+sdown' channel\r\n",
    );
    assert.equal(
      await rawCommand(s.port, cmd('AUTH', 'somechan', 'p') + cmd('SUBSCRIBE', '+switch-master')),
      '+OK\r\n*3\r\n$9\r\nsubscribe\r\n$14\r\n+switch-master\r\n:1\r\n',
    );
  } finally {
    await s.stop();
  }
});
