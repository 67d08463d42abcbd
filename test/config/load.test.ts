import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadConfig, loadConfigWithLines } from '../../src/config/load.js';
import { cliArgsToLines } from '../../src/config/argv.js';
import { defaultServerOptions, parseMemory } from '../../src/config/server-directives.js';
import { ConfigError } from '../../src/util/errors.js';
import { MYID, box, failure, load, loadError, writeConf } from './helpers.js';

const M = 'sentinel monitor m 127.0.0.1 6379 2\n';
const RUNID = 'a'.repeat(40);

test('defaults for an almost empty file', () => {
  const c = load('sentinel monitor mymaster 127.0.0.1 6379 2\n');
  assert.deepEqual(c.server, defaultServerOptions(c.server.dir));
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

test('generic directives the sentinel uses; others are accepted untouched', () => {
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
      'Daemonize YES',
      // Accepted without being interpreted.
      'repl-diskless-sync-delay 0',
      'enable-protected-configs yes',
      'enable-debug-command yes',
      'latency-tracking-info-percentiles 50 99 99.9',
      'save 900 1',
      'appendonly no',
      'rename-command CONFIG ""',
      'slaveof 127.0.0.1 6379',
      'loadmodule /no/such/module.so arg',
      'mymodule.option 1 2',
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
  assert.equal(load('pidfile ""\n').server.pidfile, '');
});

test('multi-value options: bind and client-output-buffer-limit also take one quoted argument; empty forms', () => {
  assert.deepEqual(load('bind "127.0.0.1 ::1"\n').server.bind, ['127.0.0.1', '::1']);
  assert.deepEqual(load('bind 127.0.0.1\nbind ""\n').server.bind, []);
  assert.deepEqual(load('bind 127.0.0.1\nbind\n').server.bind, []);
  assert.equal(load('client-output-buffer-limit "pubsub 1mb 2mb 3"\n').server.pubsubOutputSoftSeconds, 3);
  assert.equal(load('client-output-buffer-limit\n').server.pubsubOutputHardLimit, 32 * 1024 * 1024);
  // The seconds are parsed with strtoll: leading blanks and a sign pass, an empty value is 0.
  assert.equal(load('client-output-buffer-limit pubsub 1mb 1mb " +7"\n').server.pubsubOutputSoftSeconds, 7);
  assert.equal(load('client-output-buffer-limit pubsub 1mb 1mb ""\n').server.pubsubOutputSoftSeconds, 0);
});

test('tls-* directives and ACL users', () => {
  const c = load(
    'tls-port 26400\ntls-cert-file c.pem\ntls-key-file k.pem\ntls-auth-clients optional\ntls-replication yes\ntls-protocols "TLSv1.2 TLSv1.3"\n' +
      'user default on nopass ~* &* +@all\nuser bob on >secret +@all\n',
  );
  assert.deepEqual([c.server.tls.port, c.server.tls.certFile, c.server.tls.keyFile, c.server.tls.authClients, c.server.tls.replication, c.server.tls.protocols], [
    26400,
    'c.pem',
    'k.pem',
    'optional',
    true,
    'TLSv1.2 TLSv1.3',
  ]);
  assert.deepEqual(c.server.users, [
    ['default', 'on', 'nopass', '~*', '&*', '+@all'],
    ['bob', 'on', '>secret', '+@all'],
  ]);  const t = load('tls-prefer-server-ciphers yes\ntls-session-caching no\ntls-session-cache-timeout 60\ntls-dh-params-file dh.pem\n').server.tls;
  assert.deepEqual([t.preferServerCiphers, t.sessionCaching, t.sessionCacheTimeout, t.dhParamsFile], [true, false, 60, 'dh.pem']);
  const acl = load('aclfile users.acl\nacllog-max-len 5\nacl-pubsub-default allchannels\n').server;
  assert.deepEqual([acl.aclfile, acl.acllogMaxLen, acl.aclPubsubDefault], ['users.acl', 5, 'allchannels']);
  assert.equal(failure('acllog-max-len -1\n')[1], 'argument must be between 0 and 9223372036854775807 inclusive');
  assert.equal(failure('acl-pubsub-default maybe\n')[1], 'argument(s) must be one of the following: allchannels, resetchannels');
  assert.equal(failure('tls-session-cache-timeout -5\n')[1], 'argument must be between 0 and 2147483647 inclusive');
  assert.equal(failure('user u on (+ping\n')[1], "Error in user declaration '(+ping': Unmatched parenthesis in acl selector");
});

test('every sentinel directive, in any order, keyword in any case', () => {
  const c = load(
    [
      'SENTINEL down-after-milliseconds m 5000', // before its monitor line
      'sentinel KNOWN-SLAVE m 127.0.0.1 6380',
      'sentinel known-replica m 127.0.0.1 6381',
      `sentinel known-sentinel m 127.0.0.1 26380 ${RUNID}`,
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
      'sentinel monitor h some.host.example 6379 1', // a name, accepted with resolve-hostnames (pass 1)
      'sentinel primary-reboot-down-after-period h 9', // Valkey's spelling
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
  assert.deepEqual(m.knownSentinels, [{ host: '127.0.0.1', port: 26380, runid: RUNID }]);
  assert.deepEqual(c.masters.map((x) => [x.name, x.host, x.masterRebootDownAfterPeriodMs]), [
    ['m', '127.0.0.1', 7000],
    ['h', 'some.host.example', 9],
  ]);
});

test('lenient numbers, as redis reads them (atoi, strtoull)', () => {
  // atoi: the leading integer, 0 without one, and a value past 32 bits wraps (glibc).
  const c = load('sentinel monitor m 127.0.0.1 abc 2x\nsentinel monitor w 127.0.0.1 4294967297 4294967298\nsentinel announce-port 12x\n');
  assert.deepEqual(c.masters.map((m) => [m.port, m.quorum]), [
    [0, 2], // port 0: never connected, as in redis
    [1, 2],
  ]);
  assert.equal(c.sentinel.announcePort, 12);
  assert.equal(load(M + 'sentinel down-after-milliseconds m " 1500ms"\n').masters[0]!.downAfterMs, 1500);
  // Epochs use strtoull: a negative value wraps around 2^64.
  assert.equal(load('sentinel current-epoch -1\n').sentinel.currentEpoch, 2 ** 64);
  assert.equal(load(M + 'sentinel config-epoch m 18446744073709551616\n').masters[0]!.configEpoch, 2 ** 64);
  assert.equal(load('sentinel current-epoch x\n').sentinel.currentEpoch, 0);
});

test('empty values: announce-ip, sentinel-user and sentinel-pass ignored, auth-pass/auth-user unset, a bare `sentinel` line', () => {
  const c = load(
    'sentinel announce-ip 1.2.3.4\nsentinel announce-ip ""\nsentinel sentinel-user ""\nsentinel sentinel-pass ""\n' + M + 'sentinel auth-pass m ""\nsentinel auth-user m ""\nsentinel\nSENTINEL\n',
  );
  assert.equal(c.sentinel.announceIp, '1.2.3.4'); // an empty one does not unset an earlier one
  assert.equal(c.sentinel.sentinelUser, undefined);
  assert.equal(c.sentinel.sentinelPass, undefined);
  assert.equal(c.masters[0]!.authPass, undefined);
  assert.equal(c.masters[0]!.authUser, undefined);
});

test('numeric hosts are stored the way redis prints them (inet_aton / inet_ntop)', () => {
  const host = (h: string): string => load(`sentinel monitor m ${h} 6379 2\n`).masters[0]!.host;
  assert.equal(host('127.1'), '127.0.0.1');
  assert.equal(host('0x7f.0.0.1'), '127.0.0.1');
  assert.equal(host('010.0.0.1'), '8.0.0.1');
  assert.equal(host('127.000.0.1'), '127.0.0.1');
  assert.equal(host('2130706433'), '127.0.0.1');
  assert.equal(host('1.2.65535'), '1.2.255.255');
  assert.equal(host('0'), '0.0.0.0');
  assert.equal(host('::0001'), '::1');
  assert.equal(host('0:0:0:0:0:0:0:1'), '::1');
  assert.equal(host('::FFFF:1.2.3.4'), '::ffff:1.2.3.4');
  assert.equal(host('::0.0.0.1'), '::1');
  assert.equal(host('1::2:3.4.5.6'), '1::2:304:506');
  assert.equal(host('1:0:0:2:0:0:0:3'), '1:0:0:2::3');
  assert.equal(host('FE80:0:0:0:0:0:0:1%1'), 'fe80::1');
  for (const bad of ['1.2.3.256', '1.2.3.4.5', '0x', '08.0.0.1', '1.', '1..2', '[::1]', '""', 'fe80::1%nosuchif0']) {
    assert.deepEqual(failure(`sentinel monitor m ${bad} 6379 2\n`).slice(0, 2), [1, "Can't resolve instance hostname."], bad);
  }
  // Replicas are compared in that form.
  assert.deepEqual(failure(M + 'sentinel known-replica m 0:0::1 5\nsentinel known-replica m ::1 5\n').slice(0, 2), [3, 'Duplicate hostname and port for replica.']);
  assert.deepEqual(load(M + 'sentinel known-replica m 127.1 5\n').masters[0]!.knownReplicas, [{ host: '127.0.0.1', port: 5 }]);
});

test('sentinel directive errors, with the line and text of the offending directive', () => {
  const cases: [string, number, string][] = [
    ['sentinel failover-timeout x 1\n' + M, 1, 'No such master with specified name.'],
    ['sentinel down-after-milliseconds m 5000\n' + M + 'sentinel failover-timeout x 1\n', 3, 'No such master with specified name.'],
    ['sentinel known-sentinel x 127.0.0.1 1 ' + RUNID + '\n', 1, 'No such master with specified name.'],
    [M + 'sentinel monitor q 127.0.0.1 1 0\n', 2, 'Quorum must be 1 or greater.'],
    [M + 'sentinel monitor q 127.0.0.1 1 x\n', 2, 'Quorum must be 1 or greater.'],
    [M + 'sentinel monitor q 127.0.0.1 1 -2147483648\n', 2, 'Quorum must be 1 or greater.'],
    [M + 'sentinel monitor q localhost 70000 0\n', 2, 'Quorum must be 1 or greater.'], // quorum is checked first
    [M + 'sentinel monitor q 127.0.0.1 70000 1\n', 2, 'Invalid port number.'],
    [M + 'sentinel monitor q 127.0.0.1 -1 1\n', 2, 'Invalid port number.'],
    [M + 'sentinel monitor q localhost 70000 1\n', 2, 'Invalid port number.'], // port before address
    [M + 'sentinel monitor q localhost 1 1\n', 2, "Can't resolve instance hostname."],
    [M + 'sentinel monitor m 127.0.0.2 1 1\n', 2, 'Duplicate master name.'],
    [M + 'sentinel monitor m 127.0.0.1 1\n', 2, 'Unrecognized sentinel configuration statement.'],
    [M + 'sentinel monitor m 127.0.0.1 1 1 1\n', 2, 'Unrecognized sentinel configuration statement.'],
    [M + 'sentinel myid abc\n', 2, 'Malformed Sentinel id in myid option.'],
    [M + `sentinel myid ${MYID}0\n`, 2, 'Malformed Sentinel id in myid option.'],
    [M + 'sentinel down-after-milliseconds m 0\n', 2, 'negative or zero time parameter.'],
    [M + 'sentinel down-after-milliseconds m x\n', 2, 'negative or zero time parameter.'],
    [M + 'sentinel failover-timeout m -5\n', 2, 'negative or zero time parameter.'],
    [M + 'sentinel master-reboot-down-after-period m -1\n', 2, 'negative time parameter.'],
    [M + 'sentinel primary-reboot-down-after-period m -1\n', 2, 'negative time parameter.'],
    [M + 'sentinel rename-command m ping a\nsentinel rename-command m PING b\n', 3, 'Same command renamed multiple times with rename-command.'],
    [M + 'sentinel notification-script m /nonexistent/script\n', 2, 'Notification script seems non existing or non executable.'],
    [M + 'sentinel notification-script m ""\n', 2, 'Notification script seems non existing or non executable.'],
    [M + 'sentinel notification-script m sentinel.conf\n', 2, 'Notification script seems non existing or non executable.'],
    [M + 'sentinel client-reconfig-script m /nonexistent/script\n', 2, 'Client reconfiguration script seems non existing or non executable.'],
    [M + 'sentinel known-replica m 127.0.0.1 70000\n', 2, 'Invalid port number.'],
    [M + 'sentinel known-replica m localhost 5\n', 2, "Can't resolve instance hostname."],
    [M + 'sentinel known-replica m 127.0.0.1 5\nsentinel known-slave m 127.0.0.1 5\n', 3, 'Duplicate hostname and port for replica.'],
    [M + 'sentinel known-replica m 127.0.0.1\n', 2, 'Unrecognized sentinel configuration statement.'],
    [M + `sentinel known-sentinel m 127.0.0.1 70000 ${RUNID}\n`, 2, 'Invalid port number.'],
    // Address errors come before duplicate errors, as redis creates the instance.
    [M + `sentinel known-sentinel m 127.0.0.1 7 ${RUNID}\nsentinel known-sentinel m localhost 8 ${RUNID}\n`, 3, "Can't resolve instance hostname."],
    [M + `sentinel known-sentinel m 127.0.0.1 7 ${RUNID}\nsentinel known-sentinel m 127.0.0.2 8 ${RUNID}\n`, 3, 'Duplicate runid for sentinel.'],
    [M + 'sentinel known-sentinel m 127.0.0.1\n', 2, 'Unrecognized sentinel configuration statement.'],
    [M + 'sentinel deny-scripts-reconfig maybe\n', 2, 'Please specify yes or no for the deny-scripts-reconfig options.'],
    [M + 'sentinel resolve-hostnames 1\n', 2, 'Please specify yes or no for the resolve-hostnames option.'],
    [M + 'sentinel announce-hostnames x\n', 2, 'Please specify yes or no for the announce-hostnames option.'],
    [M + 'sentinel foo\n', 2, 'Unrecognized sentinel configuration statement.'],
    [M + 'sentinel parallel-syncs m\n', 2, 'Unrecognized sentinel configuration statement.'],
    [M + 'sentinel current-epoch\n', 2, 'Unrecognized sentinel configuration statement.'],
    [M + 'sentinel myid a b\n', 2, 'Unrecognized sentinel configuration statement.'],
    [M + 'sentinel announce-ip\n', 2, 'Unrecognized sentinel configuration statement.'],
    [M + 'sentinel rename-command m a\n', 2, 'Unrecognized sentinel configuration statement.'],
    ['# comment\n\n   sentinel   monitor   m 127.0.0.1 1 0   \r\n', 3, 'Quorum must be 1 or greater.'],
  ];
  for (const [text, line, reason] of cases) {
    const [l, r, t] = failure(text);
    assert.deepEqual([l, r], [line, reason], JSON.stringify(text));
    assert.equal(t, text.split('\n')[line - 1]!.trim(), 'the line as redis shows it: trimmed');
  }
});

test('scripts must be executable, relative to the final dir', () => {
  const d = box();
  fs.mkdirSync(path.join(d, 'sub'));
  fs.writeFileSync(path.join(d, 'notify.sh'), '#!/bin/sh\n', { mode: 0o755 });
  writeConf(d, M + 'sentinel notification-script m notify.sh\nsentinel client-reconfig-script m ./notify.sh\n');
  const c = loadConfig('sentinel.conf', [], { cwd: d });
  assert.equal(c.masters[0]!.notificationScript, 'notify.sh'); // kept as written
  assert.equal(c.masters[0]!.clientReconfigScript, './notify.sh');
  // The sentinel lines are applied after the whole file: a later `dir` counts.
  writeConf(d, M + 'sentinel notification-script m notify.sh\ndir sub\n');
  assert.throws(() => loadConfig('sentinel.conf', [], { cwd: d }), (e: ConfigError) => e.line === 2 && /Notification script/.test(e.reason));
});

test('errors are reported in pass order: globals, then monitor lines, then the rest', () => {
  // Line 1's error (pass 3) is not reached: line 3's myid (pass 1) fails first.
  assert.deepEqual(failure('sentinel down-after-milliseconds x 5\nsentinel monitor m 127.0.0.1 1 0\nsentinel myid short\n').slice(0, 2), [3, 'Malformed Sentinel id in myid option.']);
  assert.deepEqual(failure('sentinel down-after-milliseconds x 5\nsentinel monitor m 127.0.0.1 1 0\n').slice(0, 2), [2, 'Quorum must be 1 or greater.']);
  // resolve-hostnames applies (pass 1) before monitor lines wherever it is written.
  assert.equal(load('sentinel monitor h localhost 6379 1\nsentinel resolve-hostnames yes\n').masters[0]!.host, 'localhost');
  // Generic lines fail as they are read, before any sentinel line is applied.
  assert.deepEqual(failure('sentinel monitor m 127.0.0.1 1 0\nport x\n').slice(0, 2), [2, "argument couldn't be parsed into an integer"]);
});

test('generic directive errors, in redis words', () => {
  const cases: [string, number, string][] = [
    ['port 26379\nport abc\n', 2, "argument couldn't be parsed into an integer"],
    ['port 70000\n', 1, 'argument must be between 0 and 65535 inclusive'],
    ['port -1\n', 1, 'argument must be between 0 and 65535 inclusive'],
    ['port 0123\n', 1, "argument couldn't be parsed into an integer"],
    ['port +1\n', 1, "argument couldn't be parsed into an integer"],
    ['port 99999999999999999999\n', 1, "argument couldn't be parsed into an integer"],
    ['port 1 2\n', 1, 'wrong number of arguments'],
    ['PORT\n', 1, 'wrong number of arguments'],
    // sentinel-ts's HTTP side, checked like redis's own options.
    ['http-port 70000\n', 1, 'argument must be between 0 and 65535 inclusive'],
    ['http-port abc\n', 1, "argument couldn't be parsed into an integer"],
    ['http-port 1 2\n', 1, 'wrong number of arguments'],
    ['http-tls maybe\n', 1, "argument must be 'yes' or 'no'"],
    ['http-bind\n', 1, 'wrong number of arguments'],
    ['maxclients 0\n', 1, 'argument must be between 1 and 4294967295 inclusive'],
    ['maxclients -1\n', 1, 'argument must be between 1 and 4294967295 inclusive'],
    ['maxclients 4294967296\n', 1, 'argument must be between 1 and 4294967295 inclusive'],
    ['maxclients abc\n', 1, "argument couldn't be parsed into an integer"],
    ['loglevel foo\n', 1, 'argument(s) must be one of the following: debug, verbose, notice, warning, nothing'],
    ['loglevel\n', 1, 'wrong number of arguments'],
    ['loglevel debug verbose\n', 1, 'wrong number of arguments'],
    ['daemonize maybe\n', 1, "argument must be 'yes' or 'no'"],
    ['protected-mode\n', 1, 'wrong number of arguments'],
    ['dir /nonexistent/sentinel-ts-dir\n', 1, 'No such file or directory'],
    ['dir ""\n', 1, 'No such file or directory'],
    ['dir sentinel.conf\n', 1, 'Not a directory'],
    ['dir a b\n', 1, 'wrong number of arguments'],
    ['requirepass a b\n', 1, 'wrong number of arguments'],
    ['logfile\n', 1, 'wrong number of arguments'],
    ['proto-max-bulk-len 10\n', 1, 'argument must be between 1048576 and 9223372036854775807 inclusive'],
    ['proto-max-bulk-len ""\n', 1, 'argument must be between 1048576 and 9223372036854775807 inclusive'],
    ['proto-max-bulk-len -1\n', 1, 'argument must be a memory value'],
    ['proto-max-bulk-len 9223372036854775808\n', 1, 'argument must be between 1048576 and 9223372036854775807 inclusive'],
    ['client-query-buffer-limit 1xb\n', 1, 'argument must be a memory value'],
    ['client-output-buffer-limit pubsub 32mb 8mb\n', 1, 'Wrong number of arguments in buffer limit configuration.'],
    ['client-output-buffer-limit foo 32mb 8mb 60\n', 1, 'Invalid client class specified in buffer limit configuration.'],
    ['client-output-buffer-limit master 32mb 8mb 60\n', 1, 'Invalid client class specified in buffer limit configuration.'],
    ['client-output-buffer-limit pubsub 32xb 8mb 60\n', 1, 'Error in hard, soft or soft_seconds setting in buffer limit configuration.'],
    ['client-output-buffer-limit pubsub 32mb 8mb -1\n', 1, 'Error in hard, soft or soft_seconds setting in buffer limit configuration.'],
    ['client-output-buffer-limit pubsub 32mb 8mb 6s\n', 1, 'Error in hard, soft or soft_seconds setting in buffer limit configuration.'],
    // All classes are checked before any is applied, the pubsub one included.
    ['client-output-buffer-limit pubsub 1mb 1mb 1 normal x 0 0\n', 1, 'Error in hard, soft or soft_seconds setting in buffer limit configuration.'],
    [`bind ${Array.from({ length: 17 }, (_, i) => `10.0.0.${i}`).join(' ')}\n`, 1, 'Too many bind addresses specified.'],
    ['# c\n\nfoo "bar\n', 3, 'Unbalanced quotes in configuration line'],
    ["foo 'bar'x\n", 1, 'Unbalanced quotes in configuration line'],
    ['include\n', 1, 'Bad directive or wrong number of arguments'],
    ['include a b\n', 1, 'Bad directive or wrong number of arguments'],
    ['user\n', 1, 'Bad directive or wrong number of arguments'],
    ['user bob on\nuser bob off\n', 2, "Error in user declaration 'bob': Duplicate user found. A user can only be defined once in config files"],
    ['user bob on bogus\n', 1, "Error in user declaration 'bogus': Syntax error"],
    ['tls-port 70000\n', 1, 'argument must be between 0 and 65535 inclusive'],
    ['tls-auth-clients maybe\n', 1, "argument must be 'yes', 'no' or 'optional'"],
    ['tls-replication 1\n', 1, "argument must be 'yes' or 'no'"],
    ['tls-cert-file a b\n', 1, 'wrong number of arguments'],
  ];
  for (const [text, line, reason] of cases) {
    assert.deepEqual(failure(text).slice(0, 2), [line, reason], JSON.stringify(text));
  }
});

test('dir applies at once: later relative paths (dir, include, scripts) resolve inside it; the process does not chdir', () => {
  const d = box();
  fs.mkdirSync(path.join(d, 'a/b'), { recursive: true });
  fs.writeFileSync(path.join(d, 'a/b/inc.conf'), 'logfile inner.log\n');
  writeConf(d, 'dir a\ndir b\ninclude inc.conf\n');
  const before = process.cwd();
  const c = loadConfig('sentinel.conf', [], { cwd: d });
  assert.equal(c.server.dir, path.join(d, 'a/b'));
  assert.equal(c.server.logfile, 'inner.log'); // kept relative: the caller chdirs to server.dir
  assert.equal(process.cwd(), before);
  // The config path itself is made absolute against the starting directory.
  assert.equal(c.path, path.join(d, 'sentinel.conf'));
  // ... and `dir` lines resolve against the starting directory, not the file's.
  assert.throws(() => loadConfig(path.join(d, 'sentinel.conf'), [], { cwd: '/' }), (e: ConfigError) => e.line === 1 && e.reason === 'No such file or directory');
  writeConf(d, 'port 1\n', 'abs.conf');
  const c2 = loadConfig(path.join(d, 'abs.conf'), [], { cwd: '/' });
  assert.deepEqual([c2.path, c2.server.dir], [path.join(d, 'abs.conf'), '/']);
});

test('command-line options become lines exactly as redis-server builds them', () => {
  assert.deepEqual(cliArgsToLines(['--port', '26380', '--sentinel', '--sentinel', 'monitor', 'm', '127.0.0.1', '1', '2', '--loglevel', 'deb ug']), [
    'port "26380" ',
    'sentinel ', // --sentinel followed by an option: a line of its own, that only selects the mode
    'sentinel "monitor" "m" "127.0.0.1" "1" "2" ',
    'loglevel "deb ug" ',
  ]);
  // After a bare option name, the next argument is its value even if it starts with --.
  assert.deepEqual(cliArgsToLines(['--requirepass', '--x', '--port', '1']), ['requirepass "--x" ', 'port "1" ']);
  // A name and value in one argument; `--save` without a value gets "".
  assert.deepEqual(cliArgsToLines(['--port 26380', '--save', '--loglevel', 'debug', '--save']), ['port 26380 ', 'save ""', 'loglevel "debug" ', 'save ""']);
  assert.deepEqual(cliArgsToLines(['--sentinel']), ['sentinel ']);
  assert.deepEqual(cliArgsToLines(['stray', '--port', 'a\nb']), ['"stray" ', 'port "a\\nb" ']);
  assert.deepEqual(cliArgsToLines([]), []);
});

test('command-line options load after the file, numbered after its last line', () => {
  // File "port 26379\n" has 2 lines (the last one empty): the first option is line 3.
  assert.deepEqual(failure('port 26379\n', ['--port', 'abc']), [3, "argument couldn't be parsed into an integer", 'port "abc"']);
  assert.deepEqual(failure('port 26379', ['--port', '70000']), [2, 'argument must be between 0 and 65535 inclusive', 'port "70000"']);
  assert.deepEqual(failure('', ['--port', 'x']), [2, "argument couldn't be parsed into an integer", 'port "x"']);
  assert.deepEqual(failure('port 1\n', ['--sentinel', '--port', 'x']), [4, "argument couldn't be parsed into an integer", 'port "x"']);
  assert.deepEqual(failure(M, ['--sentinel', 'monitor', 'm', '127.0.0.1', '2', '2']), [3, 'Duplicate master name.', 'sentinel "monitor" "m" "127.0.0.1" "2" "2"']);
  assert.deepEqual(failure('', ['--sentinel', 'down-after-milliseconds', 'm', '5']), [2, 'No such master with specified name.', 'sentinel "down-after-milliseconds" "m" "5"']);
  const e = loadError('port 1\n', ['--loglevel', 'x']);
  assert.ok(e.file.endsWith('sentinel.conf'), 'command-line lines count as lines of the main file');
  assert.equal(load('port 26379\n', ['--port', '26390']).server.port, 26390); // the last port wins
  assert.equal(load(M, ['--sentinel']).masters.length, 1);
  assert.equal(load('', ['--sentinel', 'monitor', 'x', '127.0.0.1', '1', '1', '--sentinel', 'down-after-milliseconds', 'x', '7']).masters[0]!.downAfterMs, 7);
});

test('include: relative to the current dir, nested, with globs; errors name the included file and its line', () => {
  const d = box();
  fs.mkdirSync(path.join(d, 'conf.d'));
  fs.writeFileSync(path.join(d, 'conf.d', 'extra.conf'), '# extra\nsentinel down-after-milliseconds m 1234\ninclude nested.conf\n');
  fs.writeFileSync(path.join(d, 'conf.d', 'nested.conf'), 'sentinel failover-timeout m 4321\n');
  fs.writeFileSync(path.join(d, 'conf.d', 'bad.conf'), '\n\nsentinel monitor x 127.0.0.1 1 0\n');
  writeConf(d, 'dir conf.d\ninclude extra.conf\n' + M);
  const c = loadConfig('sentinel.conf', [], { cwd: d });
  assert.equal(c.masters[0]!.downAfterMs, 1234);
  assert.equal(c.masters[0]!.failoverTimeoutMs, 4321);

  writeConf(d, 'dir conf.d\ninclude bad.conf\n' + M);
  assert.throws(
    () => loadConfig('sentinel.conf', [], { cwd: d }),
    (e: ConfigError) => e.code === 'SENTINEL_CONFIG_BAD_LINE' && e.file === path.join(d, 'conf.d', 'bad.conf') && e.line === 3 && e.reason === 'Quorum must be 1 or greater.',
  );
  // A file that cannot be read: redis logs it bare, naming the file as written.
  writeConf(d, 'include missing.conf\n');
  assert.throws(
    () => loadConfig('sentinel.conf', [], { cwd: d }),
    (e: ConfigError) =>
      e.code === 'SENTINEL_CONFIG_MISSING' && e.line === 0 && e.message === "Fatal error, can't open config file 'missing.conf': No such file or directory",
  );
  // A cycle is an error, not a stack overflow.
  fs.writeFileSync(path.join(d, 'loop.conf'), 'include loop.conf\n');
  assert.throws(() => loadConfig('loop.conf', [], { cwd: d }), (e: ConfigError) => e.code === 'SENTINEL_CONFIG_BAD_LINE' && /nested includes/.test(e.reason));
});

test('include with a wildcard: matches in name order, hidden files skipped, no match is fine', () => {
  const d = box();
  fs.mkdirSync(path.join(d, 'conf.d'));
  fs.mkdirSync(path.join(d, 'empty.d'));
  fs.writeFileSync(path.join(d, 'conf.d', '20-b.conf'), 'sentinel down-after-milliseconds m 2000\n');
  fs.writeFileSync(path.join(d, 'conf.d', '10-a.conf'), 'sentinel down-after-milliseconds m 1000\nsentinel failover-timeout m 1000\n');
  fs.writeFileSync(path.join(d, 'conf.d', '.30-hidden.conf'), 'sentinel failover-timeout m 3000\n');
  fs.writeFileSync(path.join(d, 'conf.d', 'notes.txt'), 'port x\n');
  writeConf(d, M + 'include conf.d/*.conf\ninclude empty.d/*.conf\ninclude nowhere/*/x.conf\n');
  const { config, lines } = loadConfigWithLines('sentinel.conf', [], { cwd: d });
  assert.equal(config.masters[0]!.downAfterMs, 2000); // 20-b after 10-a
  assert.equal(config.masters[0]!.failoverTimeoutMs, 1000);
  assert.deepEqual([...new Set(lines.map((l) => path.relative(d, l.file)))], ['sentinel.conf', 'conf.d/10-a.conf', 'conf.d/20-b.conf']);
});

test('loadConfigWithLines: every line as read, with its file and number', () => {
  const d = box();
  fs.writeFileSync(path.join(d, 'inc.conf'), '  # included  \n');
  writeConf(d, '# top\r\ninclude inc.conf\n' + M);
  const { config, lines } = loadConfigWithLines('sentinel.conf', ['--port', '26400'], { cwd: d });
  const main = path.join(d, 'sentinel.conf');
  assert.equal(config.server.port, 26400);
  assert.deepEqual(lines, [
    { file: main, line: 1, text: '# top\r' },
    { file: main, line: 2, text: 'include inc.conf' },
    { file: path.join(d, 'inc.conf'), line: 1, text: '  # included  ' },
    { file: path.join(d, 'inc.conf'), line: 2, text: '' },
    { file: main, line: 3, text: M.trim() },
    { file: main, line: 4, text: '' },
    { file: main, line: 5, text: 'port "26400" ' },
  ]);
});

test('the config file itself: missing, a directory, the message format and location', () => {
  const d = box();
  assert.throws(
    () => loadConfig('nope.conf', [], { cwd: d }),
    (e: ConfigError) =>
      e.code === 'SENTINEL_CONFIG_MISSING' && e.line === 0 && e.message === `Fatal error, can't open config file '${path.join(d, 'nope.conf')}': No such file or directory`,
  );
  fs.mkdirSync(path.join(d, 'dir.conf'));
  assert.throws(() => loadConfig('dir.conf', [], { cwd: d }), (e: ConfigError) => e.code === 'SENTINEL_CONFIG_MISSING' && / Is a directory$/.test(e.reason));
  writeConf(d, '# one\nsentinel monitor m 127.0.0.1 1 0\n');
  const e = loadError('# one\nsentinel monitor m 127.0.0.1 1 0\n');
  assert.ok(e instanceof Error && e.name === 'ConfigError');
  assert.equal(e.code, 'SENTINEL_CONFIG_BAD_LINE');
  assert.equal(
    e.message,
    "\n*** FATAL CONFIG FILE ERROR (sentinel-ts) ***\nReading the configuration file, at line 2\n>>> 'sentinel monitor m 127.0.0.1 1 0'\nQuorum must be 1 or greater.",
  );
  assert.equal(e.location, `${e.file}:2: Quorum must be 1 or greater.`);
  assert.equal(new ConfigError('SENTINEL_CONFIG_MISSING', 'gone', '/x.conf').location, '/x.conf: gone');
});

test('a file that cannot be written is refused after it loads (redis checks access(W_OK) last)', () => {
  const d = box();
  const file = writeConf(d, M);
  fs.chmodSync(file, 0o444);
  fs.chmodSync(d, 0o755);
  const loadPath = fileURLToPath(new URL('../../src/config/load.js', import.meta.url));
  const script = `
    const { loadConfig } = await import(${JSON.stringify(loadPath)});
    for (const cli of [[], ['--port', 'x']]) {
      try { loadConfig(${JSON.stringify(file)}, cli); console.log('"loaded"'); }
      catch (e) { console.log(JSON.stringify([e.code, e.line, e.message])); }
    }`;
  // root passes every permission check: run the loader as an unprivileged user then.
  const asRoot = process.getuid?.() === 0;
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], { cwd: d, encoding: 'utf8', ...(asRoot ? { uid: 65534, gid: 65534 } : {}) });
  assert.equal(r.status, 0, r.stderr);
  const [notWritable, badLine] = r.stdout.trim().split('\n').map((l) => JSON.parse(l) as [string, number, string]);
  assert.deepEqual(notWritable, ['SENTINEL_CONFIG_NOT_WRITABLE', 0, `Sentinel config file ${file} is not writable: Permission denied. Exiting...`]);
  assert.deepEqual(badLine!.slice(0, 2), ['SENTINEL_CONFIG_BAD_LINE', 3]);
});

test('parseMemory accepts redis units', () => {
  assert.equal(parseMemory('100'), 100);
  assert.equal(parseMemory('1k'), 1000);
  assert.equal(parseMemory('1KB'), 1024);
  assert.equal(parseMemory('2mb'), 2 * 1024 * 1024);
  assert.equal(parseMemory('1g'), 1e9);
  assert.equal(parseMemory('1gb'), 1024 ** 3);
  assert.equal(parseMemory('5b'), 5);
  assert.equal(parseMemory(''), 0); // as memtoull: no digits is 0
  assert.equal(parseMemory('-1'), null);
  assert.equal(parseMemory('1tb'), null);
  assert.equal(parseMemory(' 1'), null);
  assert.equal(parseMemory('1constructor'), null);
  // Names of Object.prototype members are unknown directives, refused like any other.
  for (const line of ['constructor 1', '__proto__ x', 'toString', 'hasOwnProperty a']) {
    assert.deepEqual(failure(`${line}\n`), [1, 'Bad directive or wrong number of arguments', line]);
  }
});

test('tcp-backlog: unset by default (the listener then uses a larger queue than redis), an integer when set', () => {
  assert.equal(load(M).server.tcpBacklog, null);
  assert.equal(load(`tcp-backlog 1024\n${M}`).server.tcpBacklog, 1024);
  const e = loadError(`tcp-backlog lots\n${M}`);
  assert.equal(e.line, 1);
  assert.equal(e.reason, "argument couldn't be parsed into an integer");
});
