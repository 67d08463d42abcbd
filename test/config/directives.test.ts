/**
 * Which top-level directives the loader accepts: every name redis-server 7.0 knows (with its old
 * aliases and the directives handled outside its config table), with the counts of values
 * redis-sentinel 7.0 insists on; any other name is refused with redis's reason, in the file and
 * on the command line. The same refusals are compared with /usr/bin/redis-sentinel's output in
 * test/integration/config-directives.test.ts.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BAD_DIRECTIVE, directiveCountError, multiValues } from '../../src/config/directives.js';
import { failure, load } from './helpers.js';

const M = 'sentinel monitor m 127.0.0.1 6379 2\n';
const WRONG = 'wrong number of arguments';

test('redis-server directives the sentinel does not use are accepted, old aliases and any case included', () => {
  const lines = [
    'maxmemory 100mb',
    'appendonly yes',
    'appendfsync everysec',
    'save 900 1 300 10',
    'save ""',
    'save',
    'databases 16',
    'hz 10',
    'timeout 0',
    'tcp-keepalive 300',
    'unixsocket /tmp/x.sock',
    'supervised no',
    'always-show-logo no',
    'server_cpulist 0-3',
    'notify-keyspace-events ""',
    'masterauth secret',
    'replicaof 10.0.0.1 6379',
    'replicaof "10.0.0.1 6379"',
    'slaveof no one',
    'slave-priority 5',
    'SLAVE-READ-ONLY yes',
    'min-slaves-to-write 1',
    'lua-time-limit 5000',
    'hash-max-ziplist-entries 512',
    'list-max-ziplist-size -2',
    'list-max-ziplist-entries 128',
    'lua-replicate-commands yes',
    'oom-score-adj-values 0 200 800',
    'latency-tracking-info-percentiles 50 99 99.9',
    'shutdown-on-sigterm save now',
    'cluster-enabled no',
    'tls-cluster no',
    'tls-session-cache-size 100',
    'key-load-delay 0',
    'use-exit-on-panic no',
    'rename-command PING ""',
    'loadmodule /no/such/module.so a b',
    'mymodule.option 1',
    'sentinel',
  ];
  const c = load(M + lines.join('\n') + '\n');
  assert.equal(c.server.port, 26379);
  assert.equal(c.masters.length, 1);
  // The same on the command line.
  assert.equal(load(M, ['--maxmemory', '100mb', '--appendonly', 'yes', '--slaveof', '10.0.0.1', '6379', '--save', '--port', '26400']).server.port, 26400);
});

test('unknown directives are refused with redis reason: a typo no longer leaves the sentinel open', () => {
  for (const line of ['bogus-directive 1', 'requirepas secret', 'bogus', 'requirepass-typo', 'sentinels monitor m 127.0.0.1 6379 2', 'replica-of 1.2.3.4 6379']) {
    assert.deepEqual(failure(M + line + '\n'), [2, BAD_DIRECTIVE, line], line);
  }
  // The first bad line is the one named, even after good ones.
  assert.deepEqual(failure('port 26400\nmaxmemory 1mb\nrequirepas secret\nbogus 2\n'), [3, BAD_DIRECTIVE, 'requirepas secret']);
});

test('counts of values redis refuses before looking at them', () => {
  const cases: [string, string][] = [
    // Single-value entries of the config table, used by the sentinel or not.
    ['port', WRONG],
    ['port 1 2', WRONG],
    ['maxmemory', WRONG],
    ['appendonly yes no', WRONG],
    ['dir', WRONG],
    ['notify-keyspace-events', WRONG],
    ['tls-protocols TLSv1.2 TLSv1.3', WRONG],
    ['slave-priority', WRONG],
    ['masterauth a b', WRONG],
    // Multi-value entries with a count of their own.
    ['replicaof 10.0.0.1', WRONG],
    ['slaveof', WRONG],
    ['replicaof "10.0.0.1 6379 1"', WRONG],
    ['oom-score-adj-values 0 200', WRONG],
    ['save 900', 'Invalid save parameters'],
    ['save 900 1 300', 'Invalid save parameters'],
    // Ignored old names take exactly one value; otherwise they are bad directives.
    ['list-max-ziplist-entries', BAD_DIRECTIVE],
    ['lua-replicate-commands yes no', BAD_DIRECTIVE],
    // Directives handled outside the table.
    ['include', BAD_DIRECTIVE],
    ['include a b', BAD_DIRECTIVE],
    ['rename-command PING', BAD_DIRECTIVE],
    ['rename-command PING a b', BAD_DIRECTIVE],
    ['user', BAD_DIRECTIVE],
    ['loadmodule', BAD_DIRECTIVE],
    ['mymodule.option', 'Module config specified without value'],
  ];
  for (const [line, reason] of cases) assert.deepEqual(failure(M + line + '\n'), [2, reason, line], line);
});

test('on the command line: the same refusals, on the line after the file, as redis shows the option', () => {
  assert.deepEqual(failure(M, ['--bogus', '1']), [3, BAD_DIRECTIVE, 'bogus "1"']);
  assert.deepEqual(failure(M, ['--requirepas', 'secret']), [3, BAD_DIRECTIVE, 'requirepas "secret"']);
  assert.deepEqual(failure(M, ['--bogus']), [3, BAD_DIRECTIVE, 'bogus']);
  assert.deepEqual(failure(M, ['--port']), [3, WRONG, 'port']);
  assert.deepEqual(failure(M, ['--port', '26400', '--tls-protocols', 'TLSv1.2', 'TLSv1.3']), [4, WRONG, 'tls-protocols "TLSv1.2" "TLSv1.3"']);
  // One argument holding the whole line is split like a file line.
  assert.deepEqual(failure(M, ['--bogus 1 2']), [3, BAD_DIRECTIVE, 'bogus 1 2']);
});

test('directiveCountError and multiValues on their own', () => {
  assert.equal(directiveCountError('maxmemory', ['1mb']), null);
  assert.equal(directiveCountError('maxmemory', []), WRONG);
  assert.equal(directiveCountError('nosuch', ['1']), BAD_DIRECTIVE);
  assert.equal(directiveCountError('sentinel', []), null);
  assert.equal(directiveCountError('user', ['u']), null);
  assert.equal(directiveCountError('bind', []), null);
  assert.equal(directiveCountError('client-output-buffer-limit', []), null);
  assert.equal(directiveCountError('save', ['']), null);
  // Object.prototype's names are not directives.
  for (const name of ['constructor', '__proto__', 'toString']) assert.equal(directiveCountError(name, ['1']), BAD_DIRECTIVE);
  assert.deepEqual(multiValues(['a b']), ['a', 'b']);
  assert.deepEqual(multiValues(['']), ['']);
  assert.deepEqual(multiValues(['"a']), []);
  assert.deepEqual(multiValues(['a', 'b c']), ['a', 'b c']);
});
