/**
 * Access control on a real sentinel process: ACL users in the config file and in an ACL file
 * (ACL SAVE / LOAD), command and channel permissions (SUBSCRIBE and PUBLISH), acllog-max-len,
 * acl-pubsub-default, and protected mode. Replies are compared byte for byte with what
 * redis-sentinel 7.0.15 gives; SENTINEL_IMPL=redis runs the same file against it.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { tempDir } from '../helpers/pids.js';
import { startSentinel } from '../helpers/sentinels.js';
import { sleep, waitFor } from '../helpers/wait.js';
import { rawCommand } from '../helpers/wire.js';
import { freePort } from '../helpers/ports.js';

const cmd = (...args: string[]): string => `*${args.length}\r\n${args.map((a) => `$${Buffer.byteLength(a)}\r\n${a}\r\n`).join('')}`;
const OK = '+OK\r\n';
const sha256 = (s: string): string => createHash('sha256').update(s).digest('hex');
const NOPERM_CHANNEL = '-NOPERM this user has no permissions to access one of the channels used as arguments\r\n';

/** Sends one command as a fresh connection authenticated as `user`, returns the reply after +OK. */
async function as(port: number, user: string, pass: string, ...args: string[]): Promise<string> {
  const out = await rawCommand(port, cmd('AUTH', user, pass) + cmd(...args));
  assert.ok(out.startsWith(OK), `AUTH ${user} failed: ${out}`);
  return out.slice(OK.length);
}

/** An open connection, to see whether the server closes it. */
function openConnection(port: number, ...setup: string[][]): Promise<{ socket: net.Socket; closed: Promise<void>; replies: () => string }> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1');
    let data = '';
    const closed = new Promise<void>((r) => socket.on('close', () => r()));
    socket.on('data', (d) => (data += d.toString()));
    socket.on('error', reject);
    socket.on('connect', () => {
      socket.write(setup.map((a) => cmd(...a)).join(''));
      resolve({ socket, closed, replies: () => data });
    });
  });
}

test('ACL users: created, enforced, written to the config file and loaded again after a restart', async () => {
  const s = await startSentinel({ lines: [] });
  try {
    assert.equal(await rawCommand(s.port, cmd('ACL', 'SETUSER', 'ops', 'on', '>s3cret', '+@all', '&*')), OK);
    assert.equal(await rawCommand(s.port, cmd('ACL', 'SETUSER', 'viewer', 'on', '>v', '-@all', '+ping')), OK);
    assert.equal(await rawCommand(s.port, cmd('ACL', 'SETUSER', 'default', 'off')), OK);
    assert.equal(await rawCommand(s.port, cmd('PING')), '-NOAUTH Authentication required.\r\n');
    assert.equal(await rawCommand(s.port, cmd('AUTH', 'ops', 'wrong')), '-WRONGPASS invalid username-password pair or user is disabled.\r\n');
    assert.equal(await as(s.port, 'ops', 's3cret', 'ACL', 'WHOAMI'), '$3\r\nops\r\n');
    assert.equal(await as(s.port, 'viewer', 'v', 'SENTINEL', 'MASTERS'), "-NOPERM this user has no permissions to run the 'sentinel|masters' command\r\n");
    assert.equal(await as(s.port, 'ops', 's3cret', 'SENTINEL', 'FLUSHCONFIG'), OK);
    const conf = s.conf();
    assert.match(conf, /^user default off /m);
    assert.match(conf, /^user ops on #[0-9a-f]{64} /m);
    assert.doesNotMatch(conf, /s3cret/);
    await s.restart();
    assert.equal(await rawCommand(s.port, cmd('PING')), '-NOAUTH Authentication required.\r\n');
    assert.equal(await as(s.port, 'ops', 's3cret', 'ACL', 'DELUSER', 'viewer'), ':1\r\n');
    assert.equal(s.stderr(), '');
  } finally {
    await s.stop();
  }
});

test('ACL LIST describes users as redis does: name order, flags, passwords, keys, channels, commands', async () => {
  const s = await startSentinel({ lines: [] });
  try {
    const set = (...rules: string[]): Promise<string> => rawCommand(s.port, cmd('ACL', 'SETUSER', ...rules));
    assert.equal(await set('zoe', 'on', '>pw', '+ping', '&foo*', '~k', '%R~r', '%W~w', '%RW~rw'), OK);
    assert.equal(await set('bob'), OK);
    assert.equal(await set('carol', 'reset'), OK);
    assert.equal(await set('dave', 'on', 'nopass', 'skip-sanitize-payload', 'allkeys', 'allchannels', 'allcommands'), OK);
    const hash = sha256('pw');
    const lines = [
      'user bob off resetchannels -@all',
      'user carol off sanitize-payload resetchannels -@all',
      'user dave on nopass skip-sanitize-payload ~* &* +@all',
      'user default on nopass ~* &* +@all',
      `user zoe on #${hash} ~k %R~r %W~w ~rw resetchannels &foo* -@all +ping`,
    ];
    assert.equal(await rawCommand(s.port, cmd('ACL', 'LIST')), `*5\r\n${lines.map((l) => `$${l.length}\r\n${l}\r\n`).join('')}`);
    // Refused rules name the rule and change nothing.
    const refused: [string[], string][] = [
      [['zoe', '~*', '~y'], "Adding a pattern after the * pattern (or the 'allkeys' flag) is not valid and does not have any effect. Try 'resetkeys' to start with an empty list of patterns"],
      [['zoe', '&*', '&x'], "Adding a pattern after the * pattern (or the 'allchannels' flag) is not valid and does not have any effect. Try 'resetchannels' to start with an empty list of channels"],
      [['zoe', '<nope'], 'The password you are trying to remove from the user does not exist'],
      [['zoe', '#abc'], 'The password hash must be exactly 64 characters and contain only lowercase hexadecimal characters'],
      [['zoe', '+client|kill|x'], 'Allowing first-arg of a subcommand is not supported'],
      [['zoe', '+nosuch'], 'Unknown command or category name in ACL'],
    ];
    for (const [[name, ...rules], why] of refused) {
      assert.equal(await set(name!, ...rules), `-ERR Error in ACL SETUSER modifier '${rules.at(-1)}': ${why}\r\n`);
    }
    assert.equal(await set('a b', 'on'), "-ERR Usernames can't contain spaces or null characters\r\n");
    assert.equal(await rawCommand(s.port, cmd('ACL', 'GETUSER', 'zoe')).then((r) => r.includes('~k %R~r %W~w ~rw')), true);
  } finally {
    await s.stop();
  }
});

test('channel permissions: SUBSCRIBE and PUBLISH need the channel; denials go to ACL LOG, which keeps acllog-max-len entries', async () => {
  const s = await startSentinel({ lines: ['acllog-max-len 2'] });
  try {
    await rawCommand(s.port, cmd('ACL', 'SETUSER', 'nochan', 'on', '>p', '+@all'));
    await rawCommand(s.port, cmd('ACL', 'SETUSER', 'somechan', 'on', '>p', '+@all', '&+switch-master', '&__sentinel__:*'));
    assert.equal(await as(s.port, 'nochan', 'p', 'SUBSCRIBE', '+sdown'), NOPERM_CHANNEL);
    assert.equal(await as(s.port, 'nochan', 'p', 'PSUBSCRIBE', '*'), NOPERM_CHANNEL);
    assert.equal(await as(s.port, 'somechan', 'p', 'SUBSCRIBE', '+switch-master'), '*3\r\n$9\r\nsubscribe\r\n$14\r\n+switch-master\r\n:1\r\n');
    // The permission check comes before the sentinel's own "only hello messages" rule.
    assert.equal(await as(s.port, 'nochan', 'p', 'PUBLISH', 'other', 'x'), NOPERM_CHANNEL);
    assert.equal(await as(s.port, 'somechan', 'p', 'PUBLISH', 'other', 'x'), NOPERM_CHANNEL);
    assert.equal(await as(s.port, 'somechan', 'p', 'PUBLISH', '__sentinel__:x', 'x'), '-ERR Only HELLO messages are accepted by Sentinel instances.\r\n');
    const log = await rawCommand(s.port, cmd('ACL', 'LOG'));
    assert.match(log, /^\*2\r\n/, 'acllog-max-len 2 keeps two entries');
    assert.match(log, /\$6\r\nobject\r\n\$5\r\nother\r\n/);
  } finally {
    await s.stop();
  }
});

test('selectors: a command is allowed when one selector allows it with its channels; ACL LIST, GETUSER and DRYRUN show them', async () => {
  const s = await startSentinel({ lines: [] });
  try {
    const rules = ['on', '>pw', '+ping', '(+sentinel|masters', '&a*)', '(+publish', '&__sentinel__:*)', 'resetchannels', '&b'];
    assert.equal(await rawCommand(s.port, cmd('ACL', 'SETUSER', 'sel', ...rules)), OK);
    const line = `user sel on #${sha256('pw')} resetchannels &b -@all +ping (resetchannels &a* -@all +sentinel|masters) (resetchannels &__sentinel__:* -@all +publish)`;
    assert.equal(await rawCommand(s.port, cmd('ACL', 'LIST')), `*2\r\n$34\r\nuser default on nopass ~* &* +@all\r\n$${line.length}\r\n${line}\r\n`);
    assert.match(await as(s.port, 'sel', 'pw', 'SENTINEL', 'MASTERS'), /^\*0\r\n$/);
    assert.equal(await as(s.port, 'sel', 'pw', 'SENTINEL', 'CKQUORUM', 'x'), "-NOPERM this user has no permissions to run the 'sentinel|ckquorum' command\r\n");
    // The selector that allows PUBLISH allows only the hello channel; the root one has &b but no PUBLISH.
    assert.equal(await as(s.port, 'sel', 'pw', 'PUBLISH', 'b', 'x'), NOPERM_CHANNEL);
    assert.equal(await as(s.port, 'sel', 'pw', 'PUBLISH', '__sentinel__:x', 'x'), '-ERR Only HELLO messages are accepted by Sentinel instances.\r\n');
    const dry = (...args: string[]): Promise<string> => rawCommand(s.port, cmd('ACL', 'DRYRUN', 'sel', ...args));
    assert.equal(await dry('SENTINEL', 'MASTERS'), OK);
    assert.equal(await dry('SENTINEL', 'CKQUORUM'), "-ERR wrong number of arguments for 'sentinel|ckquorum' command\r\n");
    assert.equal(await dry('PUBLISH', 'b', 'x'), "$54\r\nThis user has no permissions to access the 'b' channel\r\n");
    assert.match(await rawCommand(s.port, cmd('ACL', 'GETUSER', 'sel')), /\$9\r\nselectors\r\n\*2\r\n\*6\r\n\$8\r\ncommands\r\n\$23\r\n-@all \+sentinel\|masters\r\n/);
    assert.equal(await rawCommand(s.port, cmd('ACL', 'SETUSER', 'sel', '(+ping', '&x')), "-ERR Unmatched parenthesis in acl selector starting at '(+ping'.\r\n");
    assert.equal(await rawCommand(s.port, cmd('ACL', 'SETUSER', 'sel', '(on)')), "-ERR Error in ACL SETUSER modifier '(on)': Syntax error\r\n");
    assert.equal(await rawCommand(s.port, cmd('ACL', 'SETUSER', 'sel', 'clearselectors')), OK);
    assert.equal(await as(s.port, 'sel', 'pw', 'SENTINEL', 'MASTERS'), "-NOPERM this user has no permissions to run the 'sentinel|masters' command\r\n");
  } finally {
    await s.stop();
  }
});

test('ACL SETUSER that takes a channel away closes the connections subscribed to it, and only those', async () => {
  const s = await startSentinel({ lines: [] });
  try {
    assert.equal(await rawCommand(s.port, cmd('ACL', 'SETUSER', 'sub', 'on', '>p', '+@all', '&+sdown', '&+odown')), OK);
    const onSdown = await openConnection(s.port, ['AUTH', 'sub', 'p'], ['SUBSCRIBE', '+sdown']);
    const onOdown = await openConnection(s.port, ['AUTH', 'sub', 'p'], ['SUBSCRIBE', '+odown']);
    await waitFor(() => onSdown.replies().includes('subscribe') && onOdown.replies().includes('subscribe'), 2000, 'both subscribed');
    assert.equal(await rawCommand(s.port, cmd('ACL', 'SETUSER', 'sub', 'resetchannels', '&+odown')), OK);
    await Promise.race([onSdown.closed, sleep(3000).then(() => assert.fail('the +sdown subscriber stayed connected'))]);
    const still = await Promise.race([onOdown.closed.then(() => 'closed'), sleep(300).then(() => 'open')]);
    assert.equal(still, 'open');
    onOdown.socket.destroy();
  } finally {
    await s.stop();
  }
});

test('CLIENT KILL USER closes the connections of that user; ACL DELUSER closes them too', async () => {
  const s = await startSentinel({ lines: ['user ops on >p +@all &*', 'user temp on >t +@all'] });
  try {
    const ops = await openConnection(s.port, ['AUTH', 'ops', 'p']);
    const temp = await openConnection(s.port, ['AUTH', 'temp', 't']);
    await waitFor(() => ops.replies() === OK && temp.replies() === OK, 2000, 'both authenticated');
    assert.equal(await rawCommand(s.port, cmd('CLIENT', 'KILL', 'USER', 'ops')), ':1\r\n');
    await Promise.race([ops.closed, sleep(3000).then(() => assert.fail('the ops connection stayed open'))]);
    assert.equal(await rawCommand(s.port, cmd('CLIENT', 'KILL', 'USER', 'nobody')), "-ERR No such user 'nobody'\r\n");
    assert.equal(await rawCommand(s.port, cmd('ACL', 'DELUSER', 'temp')), ':1\r\n');
    await Promise.race([temp.closed, sleep(3000).then(() => assert.fail('the connection of the deleted user stayed open'))]);
  } finally {
    await s.stop();
  }
});

test('acl-pubsub-default allchannels: new and reset users start with every channel', async () => {
  const s = await startSentinel({ lines: ['acl-pubsub-default allchannels'] });
  try {
    await rawCommand(s.port, cmd('ACL', 'SETUSER', 'newbie', 'on', '>p', '+subscribe'));
    await rawCommand(s.port, cmd('ACL', 'SETUSER', 'again', 'reset'));
    const list = await rawCommand(s.port, cmd('ACL', 'LIST'));
    assert.match(list, /user again off sanitize-payload &\* -@all\r\n/);
    assert.match(list, /user newbie on #[0-9a-f]{64} &\* -@all \+subscribe\r\n/);
    assert.equal(await as(s.port, 'newbie', 'p', 'SUBSCRIBE', 'anything'), '*3\r\n$9\r\nsubscribe\r\n$8\r\nanything\r\n:1\r\n');
  } finally {
    await s.stop();
  }
});

test('aclfile: users loaded at start, ACL SAVE writes them in name order, ACL LOAD is all or nothing and closes changed users', async () => {
  const d = tempDir('acl-');
  const file = path.join(d, 'users.acl');
  fs.writeFileSync(file, 'user default on nopass ~* &* +@all\nuser zed on >zz +@all\n');
  const s = await startSentinel({ lines: [`aclfile ${file}`] });
  try {
    assert.equal(await as(s.port, 'zed', 'zz', 'ACL', 'WHOAMI'), '$3\r\nzed\r\n');
    assert.equal(await rawCommand(s.port, cmd('ACL', 'SETUSER', 'amy', 'on', '>a', '+ping')), OK);
    assert.equal(await rawCommand(s.port, cmd('ACL', 'SAVE')), OK);
    assert.equal(
      fs.readFileSync(file, 'utf8'),
      `user amy on #${sha256('a')} resetchannels -@all +ping\n` +
        'user default on nopass ~* &* +@all\n' +
        `user zed on #${sha256('zz')} resetchannels +@all\n`,
    );
    // Users live in the ACL file: a config rewrite writes no user line.
    assert.equal(await rawCommand(s.port, cmd('SENTINEL', 'FLUSHCONFIG')), OK);
    assert.doesNotMatch(s.conf(), /^user /m);

    // A broken file changes nothing; the error lists every problem.
    const good = fs.readFileSync(file, 'utf8');
    fs.writeFileSync(file, 'user zed off\nuser zed on\nnot a user line\nuser q on +nosuch\n');
    assert.equal(
      await rawCommand(s.port, cmd('ACL', 'LOAD')),
      `-ERR WARNING: Duplicate user 'zed' found on line 2. ${file}:3 should start with user keyword followed by the username. ` +
        `${file}:4: Error in applying operation '+nosuch': Unknown command or category name in ACL. ` +
        'WARNING: ACL errors detected, no change to the previously active ACL rules was performed\r\n',
    );
    assert.equal(await as(s.port, 'amy', 'a', 'PING'), '+PONG\r\n');

    // A good file replaces every user; connections of a user whose rules changed are closed.
    const zedConn = await openConnection(s.port, ['AUTH', 'zed', 'zz']);
    await waitFor(() => zedConn.replies() === OK, 2000, 'zed authenticated');
    fs.writeFileSync(file, good.replace(/^user amy .*\n/m, '').replace(/^(user zed .*)$/m, '$1 -acl'));
    assert.equal(await rawCommand(s.port, cmd('ACL', 'LOAD')), OK);
    await Promise.race([zedConn.closed, sleep(3000).then(() => assert.fail('the connection of zed, whose rules changed, stayed open'))]);
    assert.equal(await rawCommand(s.port, cmd('AUTH', 'amy', 'a')), '-WRONGPASS invalid username-password pair or user is disabled.\r\n');
    assert.equal(await as(s.port, 'zed', 'zz', 'ACL', 'WHOAMI'), "-NOPERM this user has no permissions to run the 'acl|whoami' command\r\n");

    await s.restart();
    assert.equal(await as(s.port, 'zed', 'zz', 'PING'), '+PONG\r\n');
    assert.equal(s.stderr(), '');
  } finally {
    await s.stop();
    fs.rmSync(d, { recursive: true, force: true });
  }
});

test('without an aclfile, ACL SAVE and ACL LOAD explain that users live in the config file', async () => {
  const s = await startSentinel({ lines: [] });
  try {
    const reply = await rawCommand(s.port, cmd('ACL', 'SAVE'));
    assert.match(reply, /^-ERR This Redis instance is not configured to use an ACL file\./);
    assert.equal(await rawCommand(s.port, cmd('ACL', 'LOAD')), reply);
  } finally {
    await s.stop();
  }
});

test('start-up refuses users in both the config file and an aclfile, and an aclfile with errors', async () => {
  const d = tempDir('acl-');
  const file = path.join(d, 'users.acl');
  try {
    fs.writeFileSync(file, 'user default on nopass ~* &* +@all\n');
    const both = await startSentinel({ lines: [`aclfile ${file}`, 'user extra on'], waitReady: false });
    await waitFor(() => both.exited, 10000, 'exit');
    assert.equal(both.exitCode, 1);
    assert.match(both.log(), both.impl === 'ts' ? /Users are defined both by 'user' lines in the config file and in the ACL file/ : /users defined in redis\.conf and at the same setting an ACL file/);

    fs.writeFileSync(file, 'user a on <nothere\n');
    const broken = await startSentinel({ lines: [`aclfile ${file}`], waitReady: false });
    await waitFor(() => broken.exited, 10000, 'exit');
    assert.equal(broken.exitCode, 1);
    // The errors themselves are worded as ACL LOAD gives them.
    assert.match(broken.log(), new RegExp(`${file.replace(/[.]/g, '\\.')}:1: The password you are trying to remove from the user does not exist\\.`));
  } finally {
    fs.rmSync(d, { recursive: true, force: true });
  }
});

/** A non-loopback IPv4 address of this machine, to connect from something other than 127.0.0.1. */
function externalAddress(): string | undefined {
  for (const addrs of Object.values(os.networkInterfaces())) {
    for (const a of addrs ?? []) if (a.family === 'IPv4' && !a.internal) return a.address;
  }
  return undefined;
}

const EXTERNAL = externalAddress();

test('protected-mode yes without a password: only loopback clients are served', { skip: EXTERNAL ? false : 'no non-loopback IPv4 address on this machine' }, async () => {
  const ip = EXTERNAL!;
  const port = await freePort();
  const s = await startSentinel({ port, lines: ['protected-mode yes', `bind 127.0.0.1 ${ip}`] });
  try {
    const refused = await new Promise<string>((resolve, reject) => {
      const c = net.connect({ port, host: ip });
      let out = '';
      c.on('data', (d) => (out += d.toString()));
      c.on('close', () => resolve(out));
      c.on('error', reject);
      c.on('connect', () => c.write(cmd('PING')));
    });
    assert.match(refused, /^-DENIED Redis is running in protected mode because protected mode is enabled and no password is set for the default user\. /);
    assert.equal(await rawCommand(port, cmd('PING')), '+PONG\r\n');
    const stats = await rawCommand(port, cmd('INFO', 'stats'));
    assert.match(stats, /rejected_connections:1\r\n/);
    // With a password for the default user, remote clients may connect (and must authenticate).
    assert.equal(await rawCommand(port, cmd('ACL', 'SETUSER', 'default', 'resetpass', '>pw')), OK);
    const remote = await new Promise<string>((resolve, reject) => {
      const c = net.connect({ port, host: ip });
      c.on('data', (d) => {
        resolve(d.toString());
        c.destroy();
      });
      c.on('error', reject);
      c.on('connect', () => c.write(cmd('PING')));
    });
    assert.equal(remote, '-NOAUTH Authentication required.\r\n');
  } finally {
    await s.stop();
  }
});
