/**
 * Details checked against redis-sentinel's behaviour (7.0.15 binary, 7.2.4 source): CLIENT
 * TRACKING state, CLIENT REPLY/KILL edge cases, the command CLIENT LIST shows, SHUTDOWN flag
 * combinations, HELLO's option order, ACL LOG and the 7.2 INFO fields, HELP and COMMAND DOCS.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { RespError } from '../../src/protocol/reply-parser.js';
import type { RespValue } from '../../src/protocol/reply-parser.js';
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

async function send(c: RawClient, ...argv: string[]): Promise<RespValue> {
  c.write(req(...argv));
  return c.value();
}

async function expectBytes(c: RawClient, input: string, expected: string): Promise<void> {
  c.write(input);
  assert.equal(await c.expect(expected), expected, JSON.stringify(input));
}

/** field=value pairs of a CLIENT INFO line. */
function fields(line: string): Record<string, string> {
  return Object.fromEntries(line.trim().split(' ').map((kv) => [kv.slice(0, kv.indexOf('=')), kv.slice(kv.indexOf('=') + 1)]));
}

test('CLIENT TRACKING: options and their errors, TRACKINGINFO (a set in RESP3), CACHING for one command, flags in CLIENT LIST', async () => {
  const c = await h.connect();
  const errors: [string[], string][] = [
    [['CLIENT', 'TRACKING', 'on', 'PREFIX', 'a'], 'ERR PREFIX option requires BCAST mode to be enabled'],
    [['CLIENT', 'TRACKING', 'on', 'BCAST', 'OPTIN'], 'ERR OPTIN and OPTOUT are not compatible with BCAST'],
    [['CLIENT', 'TRACKING', 'on', 'OPTIN', 'OPTOUT'], "ERR You can't specify both OPTIN mode and OPTOUT mode"],
    [['CLIENT', 'TRACKING', 'on', 'REDIRECT', '999999'], 'ERR The client ID you want redirect to does not exist'],
    [['CLIENT', 'TRACKING', 'on', 'REDIRECT', 'x'], 'ERR value is not an integer or out of range'],
    [['CLIENT', 'TRACKING', 'on', 'NOPE'], 'ERR syntax error'],
    [['CLIENT', 'TRACKING', 'maybe'], 'ERR syntax error'],
    [['CLIENT', 'CACHING', 'yes'], 'ERR CLIENT CACHING can be called only when the client is in tracking mode with OPTIN or OPTOUT mode enabled'],
  ];
  for (const [argv, message] of errors) assert.deepEqual(await send(c, ...argv), new RespError(message), argv.join(' '));

  const id = (await send(c, 'CLIENT', 'ID')) as number;
  assert.equal(await send(c, 'CLIENT', 'TRACKING', 'on', 'OPTIN', 'NOLOOP', 'REDIRECT', String(id)), 'OK');
  assert.equal(await send(c, 'CLIENT', 'GETREDIR'), id);
  assert.deepEqual(await send(c, 'CLIENT', 'CACHING', 'no'), new RespError('ERR CLIENT CACHING NO is only valid when tracking is enabled in OPTOUT mode.'));
  assert.equal(await send(c, 'CLIENT', 'CACHING', 'yes'), 'OK');
  // CLIENT subcommands keep the CACHING flag; any other command uses it up.
  assert.deepEqual(await send(c, 'CLIENT', 'TRACKINGINFO'), ['flags', ['on', 'optin', 'caching-yes', 'noloop'], 'redirect', id, 'prefixes', []]);
  await send(c, 'PING');
  assert.deepEqual(await send(c, 'CLIENT', 'TRACKINGINFO'), ['flags', ['on', 'optin', 'noloop'], 'redirect', id, 'prefixes', []]);
  assert.deepEqual(await send(c, 'CLIENT', 'TRACKING', 'on', 'OPTOUT'), new RespError("ERR You can't switch OPTIN/OPTOUT mode before disabling tracking for this client, and then re-enabling it with a different mode."));
  assert.deepEqual(await send(c, 'CLIENT', 'TRACKING', 'on', 'BCAST'), new RespError("ERR You can't switch BCAST mode on/off before disabling tracking for this client, and then re-enabling it with a different mode."));
  assert.equal(await send(c, 'CLIENT', 'TRACKING', 'off'), 'OK');
  await expectBytes(c, req('CLIENT', 'TRACKINGINFO'), '*6\r\n$5\r\nflags\r\n*1\r\n$3\r\noff\r\n$8\r\nredirect\r\n:-1\r\n$8\r\nprefixes\r\n*0\r\n');

  // BCAST: no prefix means the empty prefix; prefixes accumulate, sorted, and may not overlap.
  assert.equal(await send(c, 'CLIENT', 'TRACKING', 'on', 'BCAST', 'PREFIX', 'b', 'PREFIX', 'a'), 'OK');
  assert.deepEqual(await send(c, 'CLIENT', 'TRACKING', 'on', 'BCAST', 'PREFIX', 'ab'), new RespError("ERR Prefix 'ab' overlaps with an existing prefix 'a'. Prefixes for a single client must not overlap."));
  assert.deepEqual(await send(c, 'CLIENT', 'TRACKING', 'on', 'BCAST', 'PREFIX', 'x', 'PREFIX', 'xy'), new RespError("ERR Prefix 'x' overlaps with another provided prefix 'xy'. Prefixes for a single client must not overlap."));
  assert.equal(await send(c, 'CLIENT', 'TRACKING', 'on', 'BCAST', 'PREFIX', 'c'), 'OK');
  assert.equal(await send(c, 'CLIENT', 'NO-EVICT', 'on'), 'OK');
  const info = fields((await send(c, 'CLIENT', 'INFO')) as string);
  assert.equal(info.flags, 'tBe');
  assert.equal(info.redir, '0');
  const stats = (await send(c, 'INFO', 'clients')) as string;
  assert.match(stats, /\r\ntracking_clients:1\r\n/);
  assert.match((await send(c, 'INFO', 'stats')) as string, /\r\ntracking_total_prefixes:3\r\n/);
  await send(c, 'HELLO', '3');
  c.write(req('CLIENT', 'TRACKINGINFO'));
  const r3 = '%3\r\n$5\r\nflags\r\n~2\r\n$2\r\non\r\n$5\r\nbcast\r\n$8\r\nredirect\r\n:0\r\n$8\r\nprefixes\r\n*3\r\n$1\r\na\r\n$1\r\nb\r\n$1\r\nc\r\n';
  assert.equal(await c.expect(r3), r3);
  c.close();

  const d = await h.connect();
  assert.equal(await send(d, 'CLIENT', 'TRACKING', 'on', 'BCAST'), 'OK');
  assert.deepEqual(await send(d, 'CLIENT', 'TRACKINGINFO'), ['flags', ['on', 'bcast'], 'redirect', 0, 'prefixes', ['']]);
});

test('CLIENT REPLY SKIP while OFF keeps replies off; CLIENT KILL filters are read left to right; MAXAGE', async () => {
  const c = await h.connect();
  c.write(req('CLIENT', 'REPLY', 'OFF') + req('CLIENT', 'REPLY', 'SKIP') + req('PING', 'a') + req('PING', 'b') + req('CLIENT', 'REPLY', 'ON') + req('PING', 'c'));
  assert.equal(await c.expect('+OK\r\n$1\r\nc\r\n'), '+OK\r\n$1\r\nc\r\n');
  const cases: [string[], string][] = [
    [['CLIENT', 'KILL', 'ID', 'x', 'SKIPME'], 'ERR client-id should be greater than 0'],
    [['CLIENT', 'KILL', 'TYPE', 'x', 'ID'], "ERR Unknown client type 'x'"],
    [['CLIENT', 'KILL', 'SKIPME', 'no', 'ID'], 'ERR syntax error'],
    [['CLIENT', 'KILL', 'MAXAGE', 'x'], 'ERR maxage is not an integer or out of range'],
    [['CLIENT', 'KILL', 'MAXAGE', '0'], 'ERR maxage should be greater than 0'],
  ];
  for (const [argv, message] of cases) assert.deepEqual(await send(c, ...argv), new RespError(message), argv.join(' '));
  // MAXAGE: only connections at least that old (virtual clock).
  const old = await h.connect();
  old.write(req('PING'));
  await old.value();
  h.now.ms += 10_000;
  const young = await h.connect();
  young.write(req('PING'));
  await young.value();
  const oldId = (await send(old, 'CLIENT', 'ID')) as number;
  assert.equal(await send(c, 'CLIENT', 'KILL', 'MAXAGE', '5', 'ID', String(oldId)), 1);
  await old.waitClosed();
  const youngId = (await send(young, 'CLIENT', 'ID')) as number;
  assert.equal(await send(c, 'CLIENT', 'KILL', 'MAXAGE', '5', 'ID', String(youngId)), 0);
  assert.equal(young.closed, false);
});

test('CLIENT LIST shows the command as soon as it is looked up: cmd=NULL after an unknown one, the name after a rejected one', async () => {
  const c = await h.connect();
  const watcher = await h.connect();
  const id = (await send(c, 'CLIENT', 'ID')) as number;
  const cmdOf = async (): Promise<string> => fields((await send(watcher, 'CLIENT', 'LIST', 'ID', String(id))) as string).cmd!;
  const steps: [string[], string][] = [
    [['NOPE'], 'NULL'],
    [['SENTINEL'], 'sentinel'],
    [['CLIENT', 'NOPE'], 'NULL'],
    [['SENTINEL', 'master'], 'sentinel|master'],
    [['SUBSCRIBE', 'x'], 'subscribe'],
    [['SENTINEL', 'MASTERS'], 'sentinel|masters'], // refused in subscribed mode, still recorded
  ];
  for (const [argv, cmd] of steps) {
    await send(c, ...argv);
    assert.equal(await cmdOf(), cmd, argv.join(' '));
  }
});

test('SHUTDOWN with both SAVE and NOSAVE is a syntax error and does not shut down', async () => {
  const c = await h.connect();
  const n = h.hooks.shutdowns;
  assert.deepEqual(await send(c, 'SHUTDOWN', 'SAVE', 'NOSAVE'), new RespError('ERR syntax error'));
  assert.deepEqual(await send(c, 'SHUTDOWN', 'FOO'), new RespError('ERR syntax error'));
  assert.equal(h.hooks.shutdowns, n);
});

test('HELLO checks every option before applying any: AUTH before a bad option authenticates nobody; the name needs authentication', async () => {
  const p = await startServer({ requirepass: 'pw' });
  try {
    const c = await p.connect();
    assert.deepEqual(await send(c, 'HELLO', '3', 'AUTH', 'default', 'pw', 'BOGUS'), new RespError("ERR Syntax error in HELLO option 'BOGUS'"));
    assert.deepEqual(await send(c, 'PING'), new RespError('NOAUTH Authentication required.'));
    const r = (await send(c, 'HELLO', '2', 'SETNAME', 'early')) as RespError;
    assert.match(r.message, /^NOAUTH HELLO must be called with the client already authenticated/);
    assert.deepEqual(await send(c, 'AUTH', 'pw'), 'OK');
    assert.equal(await send(c, 'CLIENT', 'GETNAME'), null);
  } finally {
    await p.stop();
  }
});

test('ACL LOG: failed AUTH/HELLO, refused commands and channels, grouped; INFO acl_access_denied_*; GENPASS arguments', async () => {
  const p = await startServer({ requirepass: 'pw' });
  try {
    const c = await p.connect();
    await send(c, 'AUTH', 'bob', 'x');
    await send(c, 'AUTH', 'bob', 'x');
    await send(c, 'HELLO', '3', 'AUTH', 'default', 'nope');
    assert.equal(await send(c, 'AUTH', 'pw'), 'OK');
    assert.equal(await send(c, 'ACL', 'SETUSER', 'limited', 'on', '>lpw', '+ping', '+subscribe', '+acl|log', 'resetchannels', '&allowed'), 'OK');
    const l = await p.connect();
    assert.equal(await send(l, 'AUTH', 'limited', 'lpw'), 'OK');
    assert.deepEqual(await send(l, 'SENTINEL', 'MASTERS'), new RespError("NOPERM this user has no permissions to run the 'sentinel|masters' command"));
    assert.deepEqual(await send(l, 'SUBSCRIBE', 'allowed', 'secret'), new RespError('NOPERM this user has no permissions to access one of the channels used as arguments'));

    const log = (await send(c, 'ACL', 'LOG')) as RespValue[][];
    const entries = log.map((e) => Object.fromEntries(Array.from({ length: e.length / 2 }, (_, i) => [e[2 * i] as string, e[2 * i + 1]])));
    assert.deepEqual(
      entries.map((e) => [e.count, e.reason, e.context, e.object, e.username]),
      [
        [1, 'channel', 'toplevel', 'secret', 'limited'],
        [1, 'command', 'toplevel', 'sentinel|masters', 'limited'],
        [1, 'auth', 'toplevel', 'HELLO', 'default'],
        [2, 'auth', 'toplevel', 'AUTH', 'bob'], // two identical failures: one entry
      ],
    );
    const first = entries[0]!;
    assert.deepEqual(Object.keys(first), [
      'count', 'reason', 'context', 'object', 'username', 'age-seconds', 'client-info', 'entry-id', 'timestamp-created', 'timestamp-last-updated',
    ]);
    assert.equal(first['entry-id'], 3);
    assert.equal(first['age-seconds'], '0');
    assert.match(first['client-info'] as string, /^id=\d+ addr=.* cmd=subscribe user=limited /);
    assert.equal(first['timestamp-created'], p.now.ms);
    assert.equal(((await send(c, 'ACL', 'LOG', '1')) as RespValue[]).length, 1);
    assert.deepEqual(await send(c, 'ACL', 'LOG', '-5'), []);
    assert.deepEqual(await send(c, 'ACL', 'LOG', 'x'), new RespError('ERR value is not an integer or out of range'));
    assert.deepEqual(await send(c, 'ACL', 'LOG', '1', '2'), new RespError("ERR unknown subcommand or wrong number of arguments for 'LOG'. Try ACL HELP."));
    // RESP3: age-seconds is a double.
    await send(c, 'HELLO', '3');
    p.now.ms += 1500;
    const [e3] = (await send(c, 'ACL', 'LOG', '1')) as RespValue[][];
    assert.equal(e3![10], 'age-seconds');
    assert.equal(e3![11], 1.5);
    await send(c, 'HELLO', '2');

    const stats = (await send(c, 'INFO', 'stats')) as string;
    assert.match(stats, /\r\nacl_access_denied_auth:3\r\nacl_access_denied_cmd:1\r\nacl_access_denied_key:0\r\nacl_access_denied_channel:1\r\n$/);
    assert.equal(await send(c, 'ACL', 'LOG', 'RESET'), 'OK');
    assert.deepEqual(await send(c, 'ACL', 'LOG'), []);

    assert.deepEqual(await send(c, 'ACL', 'GENPASS', 'x'), new RespError('ERR value is not an integer or out of range'));
    assert.deepEqual(await send(c, 'ACL', 'GENPASS', '0'), new RespError('ERR ACL GENPASS argument must be the number of bits for the output password, a positive number up to 4096'));
    assert.deepEqual(await send(c, 'acl', 'genpass', '1', '2'), new RespError("ERR unknown subcommand or wrong number of arguments for 'genpass'. Try ACL HELP."));
    assert.match((await send(c, 'ACL', 'GENPASS', '5')) as string, /^[0-9a-f]{2}$/);
    assert.match((await send(c, 'ACL', 'GENPASS')) as string, /^[0-9a-f]{64}$/);
  } finally {
    await p.stop();
  }
});

test('INFO has the 7.2 fields: listener line, event loop and ACL counters, reads and writes', async () => {
  const c = await h.connect();
  const server = (await send(c, 'INFO', 'server')) as string;
  assert.ok(server.endsWith(`\r\nio_threads_active:0\r\nlistener0:name=tcp,bind=127.0.0.1,port=${h.port}\r\n`), server);
  const stats = (await send(c, 'INFO', 'stats')) as string;
  const names = stats.split('\r\n').filter((l) => l.includes(':')).map((l) => l.split(':')[0]);
  assert.deepEqual(names.slice(-10), [
    'reply_buffer_expands', 'eventloop_cycles', 'eventloop_duration_sum', 'eventloop_duration_cmd_sum',
    'instantaneous_eventloop_cycles_per_sec', 'instantaneous_eventloop_duration_usec',
    'acl_access_denied_auth', 'acl_access_denied_cmd', 'acl_access_denied_key', 'acl_access_denied_channel',
  ]);
  assert.equal(names.length, 59); // 50 fields of 7.0 + 9 of 7.2
  assert.ok(Number(/\r\ntotal_reads_processed:(\d+)/.exec(stats)![1]) > 0);
  assert.ok(Number(/\r\ntotal_writes_processed:(\d+)/.exec(stats)![1]) > 0);
  const clients = (await send(c, 'INFO', 'clients')) as string;
  assert.ok(clients.endsWith('\r\ntotal_blocking_keys:0\r\ntotal_blocking_keys_on_nokey:0\r\n'));
});

test('HELP of every container: an array of simple strings, a synopsis line, every listed subcommand explained', async () => {
  const c = await h.connect();
  const listed = (await send(c, 'COMMAND', 'LIST')) as string[];
  for (const container of ['SENTINEL', 'CLIENT', 'COMMAND', 'ACL']) {
    const help = (await send(c, container, 'HELP')) as string[];
    assert.match(help[0]!, new RegExp(`^${container} <subcommand> `));
    assert.deepEqual(help.slice(-2), ['HELP', '    Show this list.']);
    // The syntax lines (not indented) name each subcommand.
    const syntax = help.filter((l) => !l.startsWith(' ')).map((l) => l.split(' ')[0]!.toLowerCase());
    for (const name of listed.filter((n) => n.startsWith(`${container.toLowerCase()}|`))) {
      const sub = name.split('|')[1]!;
      assert.ok(syntax.includes(sub), `${container} HELP explains ${sub}`);
    }
    // Raw bytes: every line is a simple string.
    c.write(req(container, 'HELP'));
    const bytes = await c.take(`*${help.length}\r\n`.length + help.reduce((n, l) => n + Buffer.byteLength(l) + 3, 0));
    assert.equal(bytes, `*${help.length}\r\n` + help.map((l) => `+${l}\r\n`).join(''));
  }
});

test('COMMAND: DOCS marks SENTINEL SLAVES deprecated; 7.2 tips; GETKEYS looks the command up like redis; INFO by full name only', async () => {
  const c = await h.connect();
  const docs = (await send(c, 'COMMAND', 'DOCS', 'sentinel|slaves')) as RespValue[];
  assert.equal(docs[0], 'sentinel|slaves');
  const d = docs[1] as RespValue[];
  const keys = d.filter((_, i) => i % 2 === 0);
  assert.deepEqual(keys, ['summary', 'since', 'group', 'doc_flags', 'deprecated_since', 'replaced_by']);
  assert.deepEqual(d.slice(6), ['doc_flags', ['deprecated'], 'deprecated_since', '5.0.0', 'replaced_by', '`SENTINEL REPLICAS`']);
  const [setname] = (await send(c, 'COMMAND', 'INFO', 'client|setname')) as RespValue[][];
  assert.deepEqual(setname![7], ['request_policy:all_nodes', 'response_policy:all_succeeded']);
  const [getkeys] = (await send(c, 'COMMAND', 'INFO', 'command|getkeys')) as RespValue[][];
  assert.equal(getkeys![1], -3);
  const cases: [string[], string][] = [
    [['COMMAND', 'GETKEYS', 'client', 'nope'], 'ERR Invalid command specified'],
    [['COMMAND', 'GETKEYS', 'sentinel|masters'], 'ERR Invalid command specified'],
    [['COMMAND', 'GETKEYS', 'get', 'k'], 'ERR Invalid command specified'],
    [['COMMAND', 'GETKEYS', 'sentinel', 'masters'], 'ERR The command has no key arguments'],
    [['COMMAND', 'GETKEYSANDFLAGS', 'ping'], 'ERR The command has no key arguments'],
  ];
  for (const [argv, message] of cases) assert.deepEqual(await send(c, ...argv), new RespError(message), argv.join(' '));
  const infos = (await send(c, 'COMMAND', 'INFO', 'client|kill|x', 'ping|x', 'Client|Kill', 'client|')) as RespValue[];
  assert.deepEqual([infos[0], infos[1], infos[3]], [null, null, null]);
  assert.equal((infos[2] as RespValue[])[0], 'client|kill');
});
