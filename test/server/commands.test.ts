import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import type { RespValue } from '../../src/protocol/reply-parser.js';
import { INFO_SENTINEL, helloReply, req, startServer } from './harness.js';
import type { Harness } from './harness.js';
import type { RawClient } from './raw-client.js';

let h: Harness;
before(async () => {
  h = await startServer();
});
after(async () => {
  await h.stop();
});

async function idOf(c: RawClient): Promise<number> {
  c.write(req('CLIENT', 'ID'));
  return (await c.value()) as number;
}

async function send(c: RawClient, data: string): Promise<RespValue> {
  c.write(data);
  return c.value();
}

test('HELLO 3, HELLO 2, bare HELLO and NOPROTO, byte for byte', async () => {
  const c = await h.connect();
  const id = await idOf(c);
  c.write(req('HELLO', '3'));
  assert.equal(await c.expect(helloReply(id, 3)), helloReply(id, 3));
  c.write(req('HELLO'));
  assert.equal(await c.expect(helloReply(id, 3)), helloReply(id, 3)); // no version: protocol unchanged
  c.write(req('HELLO', '2'));
  assert.equal(await c.expect(helloReply(id, 2)), helloReply(id, 2));
  for (const v of ['4', '1', '0', '-3']) {
    c.write(req('HELLO', v));
    assert.equal(await c.expect('-NOPROTO unsupported protocol version\r\n'), '-NOPROTO unsupported protocol version\r\n');
  }
  for (const v of ['x', '03', '+3', '3.0', '']) {
    c.write(req('HELLO', v));
    const e = '-ERR Protocol version is not an integer or out of range\r\n';
    assert.equal(await c.expect(e), e, v);
  }
  c.write(req('HELLO', '3', 'foo'));
  assert.equal(await c.expect("-ERR Syntax error in HELLO option 'foo'\r\n"), "-ERR Syntax error in HELLO option 'foo'\r\n");
  c.write(req('HELLO', '3', 'SETNAME', 'a b'));
  const bad = '-ERR Client names cannot contain spaces, newlines or special characters.\r\n';
  assert.equal(await c.expect(bad), bad);
  // Still RESP2 after the failed attempts.
  c.write(req('HELLO', '3', 'AUTH', 'default', 'whatever', 'SETNAME', 'node-redis'));
  assert.equal(await c.expect(helloReply(id, 3)), helloReply(id, 3));
  c.write(req('CLIENT', 'GETNAME'));
  assert.equal(await c.expect('$10\r\nnode-redis\r\n'), '$10\r\nnode-redis\r\n');
});

test('ROLE, PUBLISH to the hello channel and to anything else, PING', async () => {
  const c = await h.connect();
  c.write(req('ROLE'));
  assert.equal(await c.expect('*2\r\n$8\r\nsentinel\r\n*1\r\n$8\r\nmymaster\r\n'), '*2\r\n$8\r\nsentinel\r\n*1\r\n$8\r\nmymaster\r\n');
  c.write(req('PUBLISH', 'foo', 'bar'));
  const only = '-ERR Only HELLO messages are accepted by Sentinel instances.\r\n';
  assert.equal(await c.expect(only), only);
  const before = h.hooks.hellos.length;
  c.write(req('PUBLISH', '__sentinel__:hello', 'x'));
  assert.equal(await c.expect(':1\r\n'), ':1\r\n');
  assert.deepEqual(h.hooks.hellos.slice(before), ['x']);
  c.write('PING\r\nPING hello\r\n');
  assert.equal(await c.expect('+PONG\r\n$5\r\nhello\r\n'), '+PONG\r\n$5\r\nhello\r\n');
});

test('SENTINEL subcommands go to the hooks (lower case, arguments after the subcommand); null array per protocol', async () => {
  const c = await h.connect();
  c.write(req('SENTINEL', 'GET-MASTER-ADDR-BY-NAME', 'mymaster'));
  assert.equal(await c.expect('*2\r\n$9\r\n127.0.0.1\r\n$5\r\n42001\r\n'), '*2\r\n$9\r\n127.0.0.1\r\n$5\r\n42001\r\n');
  const call = h.hooks.calls.at(-1)!;
  assert.equal(call.sub, 'get-master-addr-by-name');
  assert.deepEqual(call.args, ['mymaster']);
  c.write(req('SENTINEL', 'get-master-addr-by-name', 'nope'));
  assert.equal(await c.expect('*-1\r\n'), '*-1\r\n');
  c.write(req('HELLO', '3'));
  await c.value();
  c.write(req('SENTINEL', 'get-master-addr-by-name', 'nope'));
  assert.equal(await c.expect('_\r\n'), '_\r\n');
  c.write(req('SENTINEL', 'MASTER', 'mymaster'));
  assert.equal(await c.expect('%3\r\n$4\r\nname\r\n$8\r\nmymaster\r\n$2\r\nip\r\n$9\r\n127.0.0.1\r\n$4\r\nport\r\n$5\r\n42001\r\n'), '%3\r\n$4\r\nname\r\n$8\r\nmymaster\r\n$2\r\nip\r\n$9\r\n127.0.0.1\r\n$4\r\nport\r\n$5\r\n42001\r\n');
  // Valkey's spelling is dispatched as the redis one.
  c.write(req('SENTINEL', 'GET-PRIMARY-ADDR-BY-NAME', 'mymaster'));
  await c.value();
  assert.equal(h.hooks.calls.at(-1)!.sub, 'get-master-addr-by-name');
  c.write(req('SENTINEL', 'HELP'));
  const help = (await c.value()) as string[];
  assert.ok(help.length > 10 && help.every((l) => typeof l === 'string'));
});

test('unknown command, unknown subcommand and arity errors (texts of redis-sentinel 7.0.15)', async () => {
  const c = await h.connect();
  const cases: [string, string][] = [
    [req('GET', 'a', 'b', 'c'), "-ERR unknown command 'GET', with args beginning with: 'a' 'b' 'c' \r\n"],
    [req('GET'), "-ERR unknown command 'GET', with args beginning with: \r\n"],
    ['SELECT 0\r\n', "-ERR unknown command 'SELECT', with args beginning with: '0' \r\n"],
    [req('SENTINEL', 'foo'), "-ERR unknown subcommand 'foo'. Try SENTINEL HELP.\r\n"],
    [req('sentinel', 'FOO', 'x'), "-ERR unknown subcommand 'FOO'. Try SENTINEL HELP.\r\n"],
    [req('SENTINEL', 'master'), "-ERR wrong number of arguments for 'sentinel|master' command\r\n"],
    [req('SENTINEL', 'masters', 'x'), "-ERR wrong number of arguments for 'sentinel|masters' command\r\n"],
    [req('SENTINEL', 'set', 'mymaster', 'fakeoption'), "-ERR wrong number of arguments for 'sentinel|set' command\r\n"],
    [req('SENTINEL'), "-ERR wrong number of arguments for 'sentinel' command\r\n"],
    [req('CLIENT'), "-ERR wrong number of arguments for 'client' command\r\n"],
    [req('CLIENT', 'foo', 'bar'), "-ERR unknown subcommand 'foo'. Try CLIENT HELP.\r\n"],
    [req('CLIENT', 'SETINFO'), "-ERR wrong number of arguments for 'client|setinfo' command\r\n"],
    [req('COMMAND', 'foo'), "-ERR unknown subcommand 'foo'. Try COMMAND HELP.\r\n"],
    [req('ACL', 'foo'), "-ERR unknown subcommand 'foo'. Try ACL HELP.\r\n"],
    [req('ROLE', 'x'), "-ERR wrong number of arguments for 'role' command\r\n"],
    [req('PING', 'a', 'b'), "-ERR wrong number of arguments for 'ping' command\r\n"],
    [req('PUBLISH', 'x'), "-ERR wrong number of arguments for 'publish' command\r\n"],
    [req('SUBSCRIBE'), "-ERR wrong number of arguments for 'subscribe' command\r\n"],
    [req('AUTH', 'a', 'b', 'c'), '-ERR syntax error\r\n'],
    // Newlines in echoed arguments become spaces: the error stays one line.
    [req('NO\r\nPE', 'a\nb'), "-ERR unknown command 'NO  PE', with args beginning with: 'a b' \r\n"],
  ];
  for (const [input, expected] of cases) {
    c.write(input);
    assert.equal(await c.expect(expected), expected, JSON.stringify(input));
  }
});

test('long arguments in "unknown command" are cut at 128 characters, as redis does', async () => {
  const c = await h.connect();
  c.write(req('N'.repeat(200), 'x'.repeat(200), 'y'));
  const v = (await c.value()) as { message: string };
  assert.equal(v.message, `ERR unknown command '${'N'.repeat(128)}', with args beginning with: '${'x'.repeat(128)}' `);
});

test('the one-argument AUTH text with no password configured; AUTH as default (nopass) and as an unknown user', async () => {
  const c = await h.connect();
  const one = '-ERR AUTH <password> called without any password configured for the default user. Are you sure your configuration is correct?\r\n';
  c.write(req('AUTH', 'x'));
  assert.equal(await c.expect(one), one);
  c.write(req('AUTH', 'default', 'anything'));
  assert.equal(await c.expect('+OK\r\n'), '+OK\r\n');
  const wrong = '-WRONGPASS invalid username-password pair or user is disabled.\r\n';
  c.write(req('AUTH', 'bob', 'x'));
  assert.equal(await c.expect(wrong), wrong);
});

test('INFO: a plain bulk string in both protocols, section selection rules', async () => {
  const c = await h.connect();
  const sentinelOnly = `# Sentinel\r\n${INFO_SENTINEL}\r\n`;
  const bulkOf = (s: string): string => `$${Buffer.byteLength(s)}\r\n${s}\r\n`;
  c.write(req('INFO', 'sentinel'));
  assert.equal(await c.expect(bulkOf(sentinelOnly)), bulkOf(sentinelOnly));
  c.write(req('HELLO', '3'));
  await c.value();
  c.write(req('INFO', 'SENTINEL'));
  assert.equal(await c.expect(bulkOf(sentinelOnly)), bulkOf(sentinelOnly)); // not a verbatim string
  c.write(req('INFO', 'keyspace'));
  assert.equal(await c.expect('$0\r\n\r\n'), '$0\r\n\r\n');
  const headers = async (...args: string[]): Promise<string[]> => {
    c.write(req('INFO', ...args));
    const text = (await c.value()) as string;
    return text.split('\r\n').filter((l) => l.startsWith('# '));
  };
  const all = ['# Server', '# Clients', '# Stats', '# CPU', '# Sentinel'];
  assert.deepEqual(await headers(), all);
  assert.deepEqual(await headers('all'), all);
  assert.deepEqual(await headers('default'), all);
  assert.deepEqual(await headers('everything'), all);
  assert.deepEqual(await headers('cpu', 'ALL'), all);
  assert.deepEqual(await headers('cpu'), ['# CPU']);
  assert.deepEqual(await headers('server', 'sentinel', 'replication'), ['# Server', '# Sentinel']);
  assert.deepEqual(await headers('sentinel', 'server'), ['# Server', '# Sentinel']); // fixed order
  c.write(req('INFO'));
  const full = (await c.value()) as string;
  for (const field of ['redis_version:7.2.4', 'redis_mode:sentinel', 'maxclients:10000', 'used_cpu_user:', 'sentinel_tilt:0', 'tcp_port:']) {
    assert.ok(full.includes(field), field);
  }
  for (const absent of ['used_memory', 'rdb_last_bgsave', 'master_repl_offset', 'cluster_enabled']) assert.ok(!full.includes(absent), absent);
  assert.ok(full.endsWith(`${INFO_SENTINEL}\r\n`));
  assert.ok(full.includes('\r\n\r\n# Clients\r\n'));
});

test('COMMAND COUNT, COMMAND LIST (exactly the 72 names), COMMAND INFO and DOCS shapes', async () => {
  const c = await h.connect();
  assert.equal(await send(c, req('COMMAND', 'COUNT')), 15);
  const names = (await send(c, req('COMMAND', 'LIST'))) as string[];
  const expected = [
    ...'acl auth client command hello info ping psubscribe publish punsubscribe role sentinel shutdown subscribe unsubscribe'.split(' '),
    ...'cat deluser dryrun genpass getuser help list load log save setuser users whoami'.split(' ').map((s) => `acl|${s}`),
    ...'caching getname getredir help id info kill list no-evict pause reply setname tracking trackinginfo unblock unpause'.split(' ').map((s) => `client|${s}`),
    ...'count docs getkeys getkeysandflags help info list'.split(' ').map((s) => `command|${s}`),
    ...'ckquorum config debug failover flushconfig get-master-addr-by-name help info-cache is-master-down-by-addr master masters monitor myid pending-scripts remove replicas reset sentinels set simulate-failure slaves'
      .split(' ')
      .map((s) => `sentinel|${s}`),
  ];
  assert.equal(expected.length, 72);
  assert.equal(names.length, 72);
  assert.deepEqual([...names].sort(), [...expected].sort());
  assert.deepEqual(((await send(c, req('COMMAND', 'LIST', 'FILTERBY', 'PATTERN', 'SENTINEL|M*'))) as string[]).sort(), ['sentinel|master', 'sentinel|masters', 'sentinel|monitor', 'sentinel|myid']);
  assert.deepEqual(((await send(c, req('COMMAND', 'LIST', 'FILTERBY', 'ACLCAT', 'pubsub'))) as string[]).sort(), ['psubscribe', 'publish', 'punsubscribe', 'subscribe', 'unsubscribe']);
  assert.deepEqual(await send(c, req('COMMAND', 'LIST', 'FILTERBY', 'MODULE', 'x')), []);

  // COMMAND INFO: 10 fields per command; subcommands nested; unknown names give a null.
  c.write(req('COMMAND', 'INFO', 'ping', 'nope'));
  assert.equal(
    await c.expect(
      '*2\r\n*10\r\n$4\r\nping\r\n:-1\r\n*1\r\n+fast\r\n:0\r\n:0\r\n:0\r\n*2\r\n+@fast\r\n+@connection\r\n*2\r\n$25\r\nrequest_policy:all_shards\r\n$29\r\nresponse_policy:all_succeeded\r\n*0\r\n*0\r\n$-1\r\n',
    ),
    '*2\r\n*10\r\n$4\r\nping\r\n:-1\r\n*1\r\n+fast\r\n:0\r\n:0\r\n:0\r\n*2\r\n+@fast\r\n+@connection\r\n*2\r\n$25\r\nrequest_policy:all_shards\r\n$29\r\nresponse_policy:all_succeeded\r\n*0\r\n*0\r\n$-1\r\n',
  );
  const [sentinelInfo] = (await send(c, req('COMMAND', 'INFO', 'sentinel'))) as RespValue[][];
  assert.equal(sentinelInfo!.length, 10);
  assert.deepEqual(sentinelInfo!.slice(0, 2), ['sentinel', -2]);
  assert.deepEqual(sentinelInfo![6], ['@admin', '@slow', '@dangerous']);
  assert.equal((sentinelInfo![9] as RespValue[]).length, 21);
  assert.equal(((await send(c, req('COMMAND'))) as RespValue[]).length, 15);
  // RESP3: flags, categories, tips and key specs are sets, as in redis (same bytes, '~' headers).
  c.write(req('HELLO', '3'));
  await c.value();
  c.write(req('COMMAND', 'INFO', 'ping'));
  const p3 = '*1\r\n*10\r\n$4\r\nping\r\n:-1\r\n~1\r\n+fast\r\n:0\r\n:0\r\n:0\r\n~2\r\n+@fast\r\n+@connection\r\n~2\r\n$25\r\nrequest_policy:all_shards\r\n$29\r\nresponse_policy:all_succeeded\r\n~0\r\n~0\r\n';
  assert.equal(await c.expect(p3), p3);
  c.write(req('HELLO', '2'));
  await c.value();

  // COMMAND DOCS: a map name -> doc map (summary, since, group, and subcommands for containers).
  const docs = (await send(c, req('COMMAND', 'DOCS', 'ping', 'client', 'nope'))) as RespValue[];
  assert.equal(docs.length, 4);
  assert.equal(docs[0], 'ping');
  const pingDoc = docs[1] as RespValue[];
  assert.deepEqual([pingDoc[0], pingDoc[2], pingDoc[4]], ['summary', 'since', 'group']);
  assert.equal(pingDoc[5], 'connection');
  assert.equal(docs[2], 'client');
  const clientDoc = docs[3] as RespValue[];
  const subIdx = clientDoc.indexOf('subcommands');
  assert.ok(subIdx > 0);
  const subs = clientDoc[subIdx + 1] as RespValue[];
  assert.equal(subs.length, 32); // 16 listed subcommands, name + doc each
  assert.ok(!subs.includes('client|setinfo'));
  assert.equal(((await send(c, req('COMMAND', 'DOCS'))) as RespValue[]).length, 30);
});

test('a node-redis handshake pipelined in one packet is answered in order', async () => {
  const c = await h.connect();
  const id = await idOf(c);
  c.write(
    req('HELLO', '3') +
      req('CLIENT', 'SETINFO', 'LIB-VER', '5.8.2') +
      req('CLIENT', 'SETINFO', 'LIB-NAME', 'node-redis') +
      req('CLIENT', 'MAINT_NOTIFICATIONS', 'ON', 'moving-endpoint-type', 'none'),
  );
  const expected = helloReply(id, 3) + '+OK\r\n+OK\r\n' + "-ERR unknown subcommand 'MAINT_NOTIFICATIONS'. Try CLIENT HELP.\r\n";
  assert.equal(await c.expect(expected), expected);
  c.write(req('CLIENT', 'INFO'));
  const info = (await c.value()) as string;
  assert.match(info, / lib-name=node-redis lib-ver=5\.8\.2\n$/);
  c.write(req('CLIENT', 'SETINFO', 'LIB-FOO', 'x') + req('CLIENT', 'SETINFO', 'LIB-NAME', 'a b'));
  const errs = "-ERR Unrecognized option 'LIB-FOO'\r\n-ERR lib-name cannot contain spaces, newlines or special characters.\r\n";
  assert.equal(await c.expect(errs), errs);
});

test('inline commands and a request sent one byte at a time', async () => {
  const c = await h.connect();
  c.write('PING\r\n\nINFO   keyspace\r\nPING "a b"\n');
  assert.equal(await c.expect('+PONG\r\n$0\r\n\r\n$3\r\na b\r\n'), '+PONG\r\n$0\r\n\r\n$3\r\na b\r\n');
  const bytes = req('SENTINEL', 'get-master-addr-by-name', 'mymaster') + 'ROLE\r\n';
  for (const b of bytes) {
    c.write(b);
    await new Promise((r) => setImmediate(r));
  }
  const expected = '*2\r\n$9\r\n127.0.0.1\r\n$5\r\n42001\r\n*2\r\n$8\r\nsentinel\r\n*1\r\n$8\r\nmymaster\r\n';
  assert.equal(await c.expect(expected), expected);
});

test('CLIENT SETNAME / GETNAME / ID / REPLY / NO-EVICT / PAUSE / UNBLOCK / LIST argument checks', async () => {
  const c = await h.connect();
  const cases: [string, string][] = [
    [req('CLIENT', 'GETNAME'), '$-1\r\n'],
    [req('CLIENT', 'SETNAME', 'a b'), '-ERR Client names cannot contain spaces, newlines or special characters.\r\n'],
    [req('CLIENT', 'SETNAME', 'app'), '+OK\r\n'],
    [req('CLIENT', 'GETNAME'), '$3\r\napp\r\n'],
    [req('CLIENT', 'SETNAME', ''), '+OK\r\n'],
    [req('CLIENT', 'GETNAME'), '$-1\r\n'],
    [req('CLIENT', 'NO-EVICT', 'maybe'), '-ERR syntax error\r\n'],
    [req('CLIENT', 'NO-EVICT', 'on'), '+OK\r\n'],
    [req('CLIENT', 'PAUSE', 'x'), '-ERR timeout is not an integer or out of range\r\n'],
    [req('CLIENT', 'PAUSE', '-1'), '-ERR timeout is negative\r\n'],
    [req('CLIENT', 'PAUSE', '10', 'some'), '-ERR CLIENT PAUSE mode must be WRITE or ALL\r\n'],
    [req('CLIENT', 'UNPAUSE'), '+OK\r\n'],
    [req('CLIENT', 'UNBLOCK', 'x'), '-ERR value is not an integer or out of range\r\n'],
    [req('CLIENT', 'UNBLOCK', '5', 'later'), '-ERR CLIENT UNBLOCK reason should be TIMEOUT or ERROR\r\n'],
    [req('CLIENT', 'UNBLOCK', '5'), ':0\r\n'],
    [req('CLIENT', 'LIST', 'ID', 'x'), '-ERR Invalid client ID\r\n'],
    [req('CLIENT', 'LIST', 'TYPE', 'foo'), "-ERR Unknown client type 'foo'\r\n"],
    [req('CLIENT', 'LIST', 'TYPE', 'normal', 'x'), '-ERR syntax error\r\n'],
    [req('CLIENT', 'LIST', 'foo'), '-ERR syntax error\r\n'],
    [req('CLIENT', 'LIST', 'ID', '999999'), '$0\r\n\r\n'],
    [req('CLIENT', 'REPLY', 'foo'), '-ERR syntax error\r\n'],
    // Too many arguments: the subcommand echoed as typed.
    [req('CLIENT', 'PAUSE', '1', 'write', 'x'), "-ERR unknown subcommand or wrong number of arguments for 'PAUSE'. Try CLIENT HELP.\r\n"],
    [req('client', 'unblock', '1', 'timeout', 'x'), "-ERR unknown subcommand or wrong number of arguments for 'unblock'. Try CLIENT HELP.\r\n"],
    [req('CLIENT', 'TRACKING', 'maybe'), '-ERR syntax error\r\n'],
    [req('CLIENT', 'TRACKING', 'on'), '+OK\r\n'],
    [req('CLIENT', 'TRACKINGINFO'), '*6\r\n$5\r\nflags\r\n*1\r\n$2\r\non\r\n$8\r\nredirect\r\n:0\r\n$8\r\nprefixes\r\n*0\r\n'],
    [req('CLIENT', 'GETREDIR'), ':0\r\n'],
    [req('CLIENT', 'TRACKING', 'off'), '+OK\r\n'],
    [req('CLIENT', 'GETREDIR'), ':-1\r\n'],
    [req('CLIENT', 'KILL', 'USER', 'nobody'), "-ERR No such user 'nobody'\r\n"],
    [req('CLIENT', 'KILL', 'ID', '0'), '-ERR client-id should be greater than 0\r\n'],
    [req('CLIENT', 'KILL', 'ID', '-1'), '-ERR client-id should be greater than 0\r\n'],
    [req('CLIENT', 'KILL', 'SKIPME', 'maybe'), '-ERR syntax error\r\n'],
  ];
  for (const [input, expected] of cases) {
    c.write(input);
    assert.equal(await c.expect(expected), expected, input);
  }
  // REPLY OFF: nothing until ON; SKIP: only the next reply is dropped.
  c.write(req('CLIENT', 'REPLY', 'OFF') + req('PING') + req('PING', 'x') + req('CLIENT', 'REPLY', 'ON') + req('PING', 'y'));
  assert.equal(await c.expect('+OK\r\n$1\r\ny\r\n'), '+OK\r\n$1\r\ny\r\n');
  c.write(req('CLIENT', 'REPLY', 'SKIP') + req('PING', 'dropped') + req('PING', 'kept'));
  assert.equal(await c.expect('$4\r\nkept\r\n'), '$4\r\nkept\r\n');
});

test('CLIENT LIST / CLIENT INFO: redis 7.2 field order; a verbatim string in RESP3', async () => {
  const c = await h.connect();
  const id = await idOf(c);
  c.write(req('CLIENT', 'SETNAME', 'lister'));
  await c.value();
  c.write(req('CLIENT', 'INFO'));
  const line = (await c.value()) as string;
  const re = new RegExp(
    `^id=${id} addr=127\\.0\\.0\\.1:\\d+ laddr=127\\.0\\.0\\.1:${h.port} fd=-?\\d+ name=lister age=\\d+ idle=\\d+ flags=N db=0 sub=0 psub=0 ssub=0 ` +
      'multi=-1 qbuf=\\d+ qbuf-free=\\d+ argv-mem=\\d+ multi-mem=0 rbs=\\d+ rbp=\\d+ obl=\\d+ oll=\\d+ omem=\\d+ tot-mem=\\d+ events=r ' +
      'cmd=client\\|info user=default redir=-1 resp=2 lib-name= lib-ver=\\n$',
  );
  assert.match(line, re);
  c.write(req('CLIENT', 'LIST', 'ID', String(id), String(id + 100000)));
  // The caller's own line already shows the running command.
  assert.match((await c.value()) as string, new RegExp(`^id=${id} .* cmd=client\\|list .*\\n$`));
  c.write(req('HELLO', '3'));
  await c.value();
  c.write(req('CLIENT', 'INFO'));
  const raw = await c.take(3);
  assert.equal(raw[0], '=');
  const len = Number(raw.slice(1) + (await readUntilCrlf(c)));
  const body = await c.take(len + 2);
  assert.ok(body.startsWith(`txt:id=${id} `));
  assert.ok(body.endsWith(' resp=3 lib-name= lib-ver=\n\r\n'));
  assert.equal(Buffer.byteLength(body) - 2, len);
  const other = await h.connect();
  other.write(req('SUBSCRIBE', 'x'));
  await other.value();
  c.write(req('CLIENT', 'LIST', 'TYPE', 'pubsub'));
  const list = (await c.value()) as string;
  assert.equal(list.split('\n').filter(Boolean).length, 1);
  assert.match(list, / flags=P db=0 sub=1 psub=0 /);
});

async function readUntilCrlf(c: RawClient): Promise<string> {
  let s = '';
  for (;;) {
    const ch = await c.take(1);
    if (ch === '\r') {
      await c.take(1);
      return s;
    }
    s += ch;
  }
}

test('QUIT answers +OK and closes; SHUTDOWN closes without a reply and tells the hooks', async () => {
  const c = await h.connect();
  c.write(req('QUIT') + req('PING'));
  assert.equal(await c.expect('+OK\r\n'), '+OK\r\n');
  await c.waitClosed();
  assert.equal(c.pending(), '');
  const d = await h.connect();
  const n = h.hooks.shutdowns;
  d.write(req('SHUTDOWN', 'ABORT'));
  assert.equal(await d.expect('-ERR No shutdown in progress.\r\n'), '-ERR No shutdown in progress.\r\n');
  d.write(req('SHUTDOWN', 'NOW', 'ABORT'));
  assert.equal(await d.expect('-ERR syntax error\r\n'), '-ERR syntax error\r\n');
  d.write(req('SHUTDOWN', 'SAVE'));
  await d.waitClosed();
  assert.equal(d.pending(), '');
  assert.equal(h.hooks.shutdowns, n + 1);
});

test('field maps (written from live state) are encoded as their command runs, not after the rest of a pipelined batch', async () => {
  const c = await h.connect();
  const masters = req('SENTINEL', 'MASTERS');
  const set = (n: string): string => req('SENTINEL', 'SET', 'mymaster', 'quorum', n);
  const shown = (q: number): string => `*1\r\n*4\r\n$4\r\nname\r\n$8\r\nmymaster\r\n$6\r\nquorum\r\n$1\r\n${q}\r\n`;
  const want = shown(2) + '+OK\r\n' + shown(5) + '+OK\r\n' + shown(3);
  c.write(masters + set('5') + masters + set('3') + masters);
  assert.equal(await c.expect(want), want);
  c.write(set('2'));
  assert.equal(await c.expect('+OK\r\n'), '+OK\r\n');
  c.close();
});
