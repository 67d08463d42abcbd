import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { ConfigError, cliArgsToLines, loadConfig, parseMemory } from '../../src/config/load.js';
import { MYID, removeSandbox, sandbox, writeConf } from './helpers.js';

const dirs: string[] = [];
after(() => dirs.forEach(removeSandbox));
function box(): string {
  const d = sandbox();
  dirs.push(d);
  return d;
}

function load(text: string, cli: string[] = []): ReturnType<typeof loadConfig> {
  const d = box();
  writeConf(d, text);
  return loadConfig('sentinel.conf', cli, { cwd: d });
}

/** Loads `text` expecting a ConfigError; returns [line, reason, text of the line]. */
function failure(text: string, cli: string[] = []): [number, string, string] {
  try {
    load(text, cli);
  } catch (err) {
    assert.ok(err instanceof ConfigError, `not a ConfigError: ${String(err)}`);
    return [err.line, err.reason, err.text];
  }
  assert.fail(`no error for ${JSON.stringify(text)}`);
}

const M = 'sentinel monitor m 127.0.0.1 6379 2\n';

test('defaults for an almost empty file', () => {
  const c = load('sentinel monitor mymaster 127.0.0.1 6379 2\n');
  assert.equal(c.server.port, 26379);
  assert.deepEqual(c.server.bind, []);
  assert.equal(c.server.protectedMode, false);
  assert.equal(c.server.maxclients, 10000);
  assert.equal(c.server.loglevel, 'notice');
  assert.equal(c.server.pubsubOutputHardLimit, 32 * 1024 * 1024);
  assert.deepEqual(c.sentinel, { currentEpoch: 0, announcePort: 0, denyScriptsReconfig: true, resolveHostnames: false, announceHostnames: false });
  assert.equal(c.masters.length, 1);
  const m = c.masters[0]!;
  assert.deepEqual(
    [m.name, m.host, m.port, m.quorum, m.downAfterMs, m.failoverTimeoutMs, m.parallelSyncs, m.masterRebootDownAfterPeriodMs, m.configEpoch, m.leaderEpoch],
    ['mymaster', '127.0.0.1', 6379, 2, 30000, 180000, 1, 0, 0, 0],
  );
});

test('generic directives the sentinel uses', () => {
  const d = box();
  fs.mkdirSync(path.join(d, 'work'));
  writeConf(
    d,
    [
      'port 26390',
      'bind 127.0.0.1 -::1',
      'dir work',
      'logfile "s.log"',
      'loglevel WARNING',
      'requirepass "p w"',
      'protected-mode yes',
      'maxclients 3',
      'client-output-buffer-limit normal 0 0 0 pubsub 1mb 512kb 5',
      'proto-max-bulk-len 2mb',
      'client-query-buffer-limit 1gb',
      'some-unknown-directive 1 2 3',
      'daemonize yes',
    ].join('\r\n'),
  );
  const c = loadConfig('sentinel.conf', [], { cwd: d });
  assert.equal(c.path, path.join(d, 'sentinel.conf'));
  assert.equal(c.server.port, 26390);
  assert.deepEqual(c.server.bind, ['127.0.0.1', '-::1']);
  assert.equal(c.server.dir, path.join(d, 'work'));
  assert.equal(c.server.logfile, 's.log');
  assert.equal(c.server.loglevel, 'warning');
  assert.equal(c.server.requirepass, 'p w');
  assert.equal(c.server.protectedMode, true);
  assert.equal(c.server.maxclients, 3);
  assert.deepEqual([c.server.pubsubOutputHardLimit, c.server.pubsubOutputSoftLimit, c.server.pubsubOutputSoftSeconds], [1024 * 1024, 512 * 1024, 5]);
  assert.equal(c.server.protoMaxBulkLen, 2 * 1024 * 1024);
  assert.equal(c.server.clientQueryBufferLimit, 1024 * 1024 * 1024);
  assert.equal(c.server.daemonize, true);
  assert.equal(c.server.pidfile, '/var/run/redis.pid'); // redis's default for a daemon
  assert.equal(load('requirepass ""\n').server.requirepass, undefined);
});

test('every sentinel directive, in any order, keyword in any case', () => {
  const c = load(
    [
      'SENTINEL down-after-milliseconds m 5000', // before its monitor line
      'sentinel KNOWN-SLAVE m 127.0.0.1 6380',
      'sentinel known-replica m 127.0.0.1 6381',
      'sentinel known-sentinel m 127.0.0.1 26380 aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa',
      'sentinel known-sentinel m 127.0.0.1 26381', // legacy form: ignored
      'sentinel monitor m 127.0.0.1 6379 2',
      'sentinel failover-timeout m 60000',
      'sentinel parallel-syncs m 0',
      'sentinel auth-pass m "s e"',
      'sentinel auth-user m bob',
      'sentinel master-reboot-down-after-period m 7000',
      'sentinel rename-command m config cfg',
      'sentinel config-epoch m 7',
      'sentinel leader-epoch m 6',
      `sentinel myid ${MYID}`,
      'sentinel current-epoch 3',
      'sentinel announce-ip 10.0.0.5',
      'sentinel announce-port 26999',
      'sentinel deny-scripts-reconfig no',
      'sentinel sentinel-user su',
      'sentinel sentinel-pass sp',
      'sentinel resolve-hostnames yes',
      'sentinel announce-hostnames YES',
      'sentinel monitor h some.host.example 6379 1', // hostname accepted with resolve-hostnames (pass 1)
    ].join('\n'),
  );
  assert.deepEqual(c.sentinel, {
    myid: MYID,
    currentEpoch: 7, // raised by config-epoch, never lowered by current-epoch
    announceIp: '10.0.0.5',
    announcePort: 26999,
    denyScriptsReconfig: false,
    resolveHostnames: true,
    announceHostnames: true,
    sentinelUser: 'su',
    sentinelPass: 'sp',
  });
  const m = c.masters[0]!;
  assert.equal(m.downAfterMs, 5000);
  assert.equal(m.failoverTimeoutMs, 60000);
  assert.equal(m.parallelSyncs, 0); // accepted at load, as redis does
  assert.equal(m.authPass, 's e');
  assert.equal(m.authUser, 'bob');
  assert.equal(m.masterRebootDownAfterPeriodMs, 7000);
  assert.deepEqual(m.renamedCommands, [['CONFIG', 'cfg']]);
  assert.deepEqual([m.configEpoch, m.leaderEpoch], [7, 6]);
  assert.deepEqual(m.knownReplicas, [
    { host: '127.0.0.1', port: 6380 },
    { host: '127.0.0.1', port: 6381 },
  ]);
  assert.deepEqual(m.knownSentinels, [{ host: '127.0.0.1', port: 26380, runid: 'a'.repeat(40) }]);
  assert.deepEqual(c.masters.map((x) => x.name), ['m', 'h']);
});

test('lenient values redis accepts: atoi ports and epochs, empty announce-ip / sentinel-user / sentinel-pass', () => {
  const c = load('sentinel monitor m 127.0.0.1 abc 2\nsentinel announce-ip ""\nsentinel sentinel-user ""\nsentinel sentinel-pass ""\nsentinel announce-port 12x\n');
  assert.equal(c.masters[0]!.port, 0); // never connected, as in redis
  assert.equal(c.sentinel.announceIp, undefined);
  assert.equal(c.sentinel.sentinelUser, undefined);
  assert.equal(c.sentinel.sentinelPass, undefined);
  assert.equal(c.sentinel.announcePort, 12);
  assert.equal(load('sentinel\n').masters.length, 0); // a bare `sentinel` line only selects the mode
});

test('sentinel directive errors, with the line of the offending directive', () => {
  const cases: [string, number, string][] = [
    ['sentinel failover-timeout x 1\n' + M, 1, 'No such master with specified name.'],
    ['sentinel down-after-milliseconds m 5000\n' + M + 'sentinel failover-timeout x 1\n', 3, 'No such master with specified name.'],
    [M + 'sentinel monitor q 127.0.0.1 1 0\n', 2, 'Quorum must be 1 or greater.'],
    [M + 'sentinel monitor q 127.0.0.1 1 x\n', 2, 'Quorum must be 1 or greater.'],
    [M + 'sentinel monitor q 127.0.0.1 70000 1\n', 2, 'Invalid port number.'],
    [M + 'sentinel monitor q 127.0.0.1 -1 1\n', 2, 'Invalid port number.'],
    [M + 'sentinel monitor q localhost 1 1\n', 2, "Can't resolve instance hostname."],
    [M + 'sentinel monitor m 127.0.0.2 1 1\n', 2, 'Duplicate master name.'],
    [M + 'sentinel monitor m 127.0.0.1 1\n', 2, 'Unrecognized sentinel configuration statement.'],
    [M + 'sentinel myid abc\n', 2, 'Malformed Sentinel id in myid option.'],
    [M + 'sentinel down-after-milliseconds m 0\n', 2, 'negative or zero time parameter.'],
    [M + 'sentinel failover-timeout m -5\n', 2, 'negative or zero time parameter.'],
    [M + 'sentinel master-reboot-down-after-period m -1\n', 2, 'negative time parameter.'],
    [M + 'sentinel rename-command m ping a\nsentinel rename-command m PING b\n', 3, 'Same command renamed multiple times with rename-command.'],
    [M + 'sentinel notification-script m /nonexistent/script\n', 2, 'Notification script seems non existing or non executable.'],
    [M + 'sentinel client-reconfig-script m /nonexistent/script\n', 2, 'Client reconfiguration script seems non existing or non executable.'],
    [M + 'sentinel known-replica m 127.0.0.1 70000\n', 2, 'Invalid port number.'],
    [M + 'sentinel known-replica m localhost 5\n', 2, "Can't resolve instance hostname."],
    [M + 'sentinel known-replica m 127.0.0.1 5\nsentinel known-slave m 127.0.0.1 5\n', 3, 'Duplicate hostname and port for replica.'],
    [M + 'sentinel known-sentinel m 127.0.0.1 70000 ' + 'a'.repeat(40) + '\n', 2, 'Invalid port number.'],
    // Address errors come before duplicate errors, as redis creates the instance.
    [M + `sentinel known-sentinel m 127.0.0.1 7 ${'a'.repeat(40)}\nsentinel known-sentinel m localhost 8 ${'a'.repeat(40)}\n`, 3, "Can't resolve instance hostname."],
    [M + `sentinel known-sentinel m 127.0.0.1 7 ${'a'.repeat(40)}\nsentinel known-sentinel m 127.0.0.2 8 ${'a'.repeat(40)}\n`, 3, 'Duplicate runid for sentinel.'],
    [M + 'sentinel deny-scripts-reconfig maybe\n', 2, 'Please specify yes or no for the deny-scripts-reconfig options.'],
    [M + 'sentinel resolve-hostnames 1\n', 2, 'Please specify yes or no for the resolve-hostnames option.'],
    [M + 'sentinel announce-hostnames x\n', 2, 'Please specify yes or no for the announce-hostnames option.'],
    [M + 'sentinel foo\n', 2, 'Unrecognized sentinel configuration statement.'],
    [M + 'sentinel parallel-syncs m\n', 2, 'Unrecognized sentinel configuration statement.'],
    [M + 'sentinel current-epoch\n', 2, 'Unrecognized sentinel configuration statement.'],
    [M + 'sentinel myid a b\n', 2, 'Unrecognized sentinel configuration statement.'],
  ];
  for (const [text, line, reason] of cases) {
    const [l, r, t] = failure(text);
    assert.deepEqual([l, r], [line, reason], JSON.stringify(text));
    assert.equal(t, text.split('\n')[line - 1]!.trim());
  }
});

test('errors are reported in pass order: globals, then monitor lines, then the rest', () => {
  // Line 1's error (pass 3) is not reached: line 3's myid (pass 1) fails first.
  assert.deepEqual(failure('sentinel down-after-milliseconds x 5\nsentinel monitor m 127.0.0.1 1 0\nsentinel myid short\n').slice(0, 2), [3, 'Malformed Sentinel id in myid option.']);
  assert.deepEqual(failure('sentinel down-after-milliseconds x 5\nsentinel monitor m 127.0.0.1 1 0\n').slice(0, 2), [2, 'Quorum must be 1 or greater.']);
  // resolve-hostnames applies (pass 1) before monitor lines wherever it is written.
  assert.equal(load('sentinel monitor h localhost 6379 1\nsentinel resolve-hostnames yes\n').masters[0]!.host, 'localhost');
});

test('generic directive errors, in redis words', () => {
  const cases: [string, number, string][] = [
    ['port 26379\nport abc\n', 2, "argument couldn't be parsed into an integer"],
    ['port 70000\n', 1, 'argument must be between 0 and 65535 inclusive'],
    ['port 0123\n', 1, "argument couldn't be parsed into an integer"],
    ['port 1 2\n', 1, 'wrong number of arguments'],
    ['maxclients 0\n', 1, 'argument must be between 1 and 4294967295 inclusive'],
    ['maxclients -1\n', 1, 'argument must be between 1 and 4294967295 inclusive'],
    ['maxclients abc\n', 1, "argument couldn't be parsed into an integer"],
    ['loglevel foo\n', 1, 'argument(s) must be one of the following: debug, verbose, notice, warning, nothing'],
    ['loglevel\n', 1, 'wrong number of arguments'],
    ['daemonize maybe\n', 1, "argument must be 'yes' or 'no'"],
    ['protected-mode\n', 1, 'wrong number of arguments'],
    ['dir /nonexistent/sentinel-ts-dir\n', 1, 'No such file or directory'],
    ['requirepass a b\n', 1, 'wrong number of arguments'],
    ['proto-max-bulk-len 10\n', 1, 'argument must be between 1048576 and 9223372036854775807 inclusive'],
    ['client-query-buffer-limit 1xb\n', 1, 'argument must be a memory value'],
    ['client-output-buffer-limit pubsub 32mb 8mb\n', 1, 'Wrong number of arguments in buffer limit configuration.'],
    ['client-output-buffer-limit foo 32mb 8mb 60\n', 1, 'Invalid client class specified in buffer limit configuration.'],
    ['client-output-buffer-limit pubsub 32xb 8mb 60\n', 1, 'Error in hard, soft or soft_seconds setting in buffer limit configuration.'],
    ['# c\n\nfoo "bar\n', 3, 'Unbalanced quotes in configuration line'],
    ['include\n', 1, 'Bad directive or wrong number of arguments'],
  ];
  for (const [text, line, reason] of cases) {
    assert.deepEqual(failure(text).slice(0, 2), [line, reason], JSON.stringify(text));
  }
  const d = box();
  writeConf(d, 'not a dir', 'x');
  writeConf(d, 'dir x\n', 'a.conf');
  assert.throws(() => loadConfig('a.conf', [], { cwd: d }), (e: ConfigError) => e.reason === 'Not a directory' && e.line === 1);
});

test('command-line options are appended as lines after the file, values quoted as redis does', () => {
  assert.deepEqual(cliArgsToLines(['--port', '26380', '--sentinel', '--sentinel', 'monitor', 'm', '127.0.0.1', '1', '2', '--loglevel', 'deb ug']), [
    'port "26380"',
    'sentinel "monitor" "m" "127.0.0.1" "1" "2"',
    'loglevel "deb ug"',
  ]);
  // File "port 26379\n" has 2 lines (the last one empty): the first option is line 3.
  assert.deepEqual(failure('port 26379\n', ['--port', 'abc']), [3, "argument couldn't be parsed into an integer", 'port "abc"']);
  assert.deepEqual(failure('port 26379', ['--port', '70000']), [2, 'argument must be between 0 and 65535 inclusive', 'port "70000"']);
  assert.deepEqual(failure(M, ['--sentinel', 'monitor', 'm', '127.0.0.1', '2', '2']), [3, 'Duplicate master name.', 'sentinel "monitor" "m" "127.0.0.1" "2" "2"']);
  assert.equal(load('port 26379\n', ['--port', '26390']).server.port, 26390); // the last port wins
  assert.equal(load(M, ['--sentinel']).masters.length, 1);
});

test('include: relative to the current dir, errors name the included file and its line', () => {
  const d = box();
  fs.mkdirSync(path.join(d, 'conf.d'));
  fs.writeFileSync(path.join(d, 'conf.d', 'extra.conf'), '# extra\nsentinel down-after-milliseconds m 1234\n');
  fs.writeFileSync(path.join(d, 'conf.d', 'bad.conf'), '\n\nsentinel monitor x 127.0.0.1 1 0\n');
  writeConf(d, 'dir conf.d\ninclude extra.conf\n' + M);
  const c = loadConfig('sentinel.conf', [], { cwd: d });
  assert.equal(c.masters[0]!.downAfterMs, 1234);
  writeConf(d, 'dir conf.d\ninclude bad.conf\n' + M);
  assert.throws(
    () => loadConfig('sentinel.conf', [], { cwd: d }),
    (e: ConfigError) => e.file === path.join(d, 'conf.d', 'bad.conf') && e.line === 3 && e.reason === 'Quorum must be 1 or greater.',
  );
  writeConf(d, 'include missing.conf\n');
  assert.throws(
    () => loadConfig('sentinel.conf', [], { cwd: d }),
    (e: ConfigError) => e.line === 1 && e.reason === `Fatal error, can't open config file '${path.join(d, 'missing.conf')}': No such file or directory`,
  );
});

test('a missing file or a directory in its place is SENTINEL_CONFIG_MISSING; the error message format', () => {
  const d = box();
  assert.throws(() => loadConfig('nope.conf', [], { cwd: d }), (e: ConfigError) => e.code === 'SENTINEL_CONFIG_MISSING' && e.line === 0 && /No such file or directory/.test(e.message));
  fs.mkdirSync(path.join(d, 'dir.conf'));
  assert.throws(() => loadConfig('dir.conf', [], { cwd: d }), (e: ConfigError) => e.code === 'SENTINEL_CONFIG_MISSING' && /Is a directory/.test(e.reason));
  writeConf(d, '# one\nsentinel monitor m 127.0.0.1 1 0\n');
  try {
    loadConfig('sentinel.conf', [], { cwd: d });
    assert.fail('expected an error');
  } catch (e) {
    assert.ok(e instanceof ConfigError);
    assert.equal(e.code, 'SENTINEL_CONFIG_BAD_LINE');
    assert.equal(
      e.message,
      "\n*** FATAL CONFIG FILE ERROR (sentinel-ts) ***\nReading the configuration file, at line 2\n>>> 'sentinel monitor m 127.0.0.1 1 0'\nQuorum must be 1 or greater.",
    );
    assert.equal(e.location, `${path.join(d, 'sentinel.conf')}:2: Quorum must be 1 or greater.`);
  }
});

test('parseMemory accepts redis units', () => {
  assert.equal(parseMemory('100'), 100);
  assert.equal(parseMemory('1k'), 1000);
  assert.equal(parseMemory('1KB'), 1024);
  assert.equal(parseMemory('2mb'), 2 * 1024 * 1024);
  assert.equal(parseMemory('1g'), 1e9);
  assert.equal(parseMemory('1gb'), 1024 ** 3);
  assert.equal(parseMemory('-1'), null);
  assert.equal(parseMemory('1tb'), null);
});

test('fuzz: random garbage lines only ever give a ConfigError (seeded)', () => {
  let seed = 99;
  const rnd = (n: number): number => {
    seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0;
    return seed % n;
  };
  const words = [
    'sentinel', 'SENTINEL', 'monitor', 'm', 'known-replica', 'known-sentinel', 'known-slave', 'myid', 'current-epoch', 'config-epoch',
    'down-after-milliseconds', 'rename-command', 'auth-pass', 'announce-ip', 'resolve-hostnames', 'yes', 'no', 'port', 'dir', 'include',
    'maxclients', 'loglevel', 'client-output-buffer-limit', 'pubsub', 'bind', 'requirepass', '127.0.0.1', 'localhost', '6379', '-1', '0',
    '99999999999999999999', '"', "'", '"a b"', '\\x41', '#', '\t', 'é', '\0', 'a'.repeat(40), '1mb', '""',
  ];
  const d = box();
  let errors = 0;
  let loaded = 0;
  for (let i = 0; i < 1500; i++) {
    const lines: string[] = [];
    const n = 1 + rnd(6);
    for (let j = 0; j < n; j++) {
      const k = rnd(7);
      const parts: string[] = [];
      for (let w = 0; w < k; w++) parts.push(words[rnd(words.length)]!);
      lines.push(parts.join(rnd(5) === 0 ? '' : ' '));
    }
    writeConf(d, lines.join(rnd(3) === 0 ? '\r\n' : '\n'));
    try {
      loadConfig('sentinel.conf', [], { cwd: d });
      loaded++;
    } catch (err) {
      assert.ok(err instanceof ConfigError, `${JSON.stringify(lines)} threw ${String(err)}`);
      errors++;
    }
  }
  assert.ok(errors > 100 && loaded > 100, `errors=${errors} loaded=${loaded}`);
});
