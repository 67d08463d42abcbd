import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseDrillArgs, parseEndpoint } from '../../src/cli/drill-args.js';
import type { DrillOptions } from '../../src/cli/drill-args.js';
import { DrillArgsError } from '../../src/util/errors.js';

const BASE = ['--sentinel', '127.0.0.1:26379', '--master', 'mymaster'];

function run(argv: string[], env: Record<string, string | undefined> = {}): { options: DrillOptions; warnings: string[] } {
  const r = parseDrillArgs(argv, env);
  assert.equal(r.kind, 'run');
  if (r.kind !== 'run') throw new Error('unreachable');
  return r;
}

test('defaults: coordinated, 100 writes/s, 2000 ms before and after, 60 s timeout, no WAIT, no auth, no TLS', () => {
  const { options, warnings } = run(BASE);
  assert.deepEqual(options, {
    sentinels: [{ host: '127.0.0.1', port: 26379 }],
    master: 'mymaster',
    mode: 'coordinated',
    to: null,
    writesPerSecond: 100,
    wait: null,
    beforeMs: 2000,
    afterMs: 2000,
    timeoutMs: 60000,
    json: false,
    keepKeys: false,
    serverAuth: {},
    sentinelAuth: {},
    tls: null,
  });
  assert.deepEqual(warnings, []);
});

test('every option, in any order; --sentinel repeats, in order', () => {
  const { options } = run([
    '--json', '--mode', 'plain', '--sentinel', 'a.example:1', '--master', 'm', '--sentinel', '[::1]:26380', '--to', '10.0.0.2:6380',
    '--writes-per-second', '250', '--wait', '1', '--wait-timeout', '50', '--before', '0', '--after', '500', '--timeout', '9000', '--keep-keys',
    '--user', 'app', '--pass', 'pw', '--no-auth-warning', '--sentinel-user', 'su', '--sentinel-pass', 'sp',
    '--tls', '--cacert', 'ca.crt', '--cert', 'c.crt', '--key', 'c.key', '--insecure', '--sni', 'redis.example',
  ]);
  assert.deepEqual(options.sentinels, [{ host: 'a.example', port: 1 }, { host: '::1', port: 26380 }]);
  assert.equal(options.mode, 'plain');
  assert.deepEqual(options.to, { host: '10.0.0.2', port: 6380 });
  assert.equal(options.writesPerSecond, 250);
  assert.deepEqual(options.wait, { replicas: 1, timeoutMs: 50 });
  assert.deepEqual([options.beforeMs, options.afterMs, options.timeoutMs], [0, 500, 9000]);
  assert.equal(options.json, true);
  assert.equal(options.keepKeys, true);
  assert.deepEqual(options.serverAuth, { user: 'app', password: 'pw' });
  assert.deepEqual(options.sentinelAuth, { user: 'su', password: 'sp' });
  assert.deepEqual(options.tls, { insecure: true, cacert: 'ca.crt', cert: 'c.crt', key: 'c.key', sni: 'redis.example' });
});

test('--wait alone takes the default WAIT timeout of 100 ms', () => {
  assert.deepEqual(run([...BASE, '--wait', '2']).options.wait, { replicas: 2, timeoutMs: 100 });
});

test('server password: -a / --pass first, else REDISCLI_AUTH (as redis-cli); the sentinels never get it', () => {
  const rows: [string[], Record<string, string>, { user?: string; password?: string }][] = [
    [[], {}, {}],
    [[], { REDISCLI_AUTH: 'fromenv' }, { password: 'fromenv' }],
    [[], { REDISCLI_AUTH: '' }, {}],
    [['-a', 'cli'], { REDISCLI_AUTH: 'fromenv' }, { password: 'cli' }],
    [['--pass', 'cli'], {}, { password: 'cli' }],
    [['--user', 'u'], { REDISCLI_AUTH: 'fromenv' }, { user: 'u', password: 'fromenv' }],
    [['--user', 'u'], {}, { user: 'u' }],
  ];
  for (const [extra, env, want] of rows) {
    const { options } = run([...BASE, ...extra], env);
    assert.deepEqual(options.serverAuth, want, `${extra.join(' ')} ${JSON.stringify(env)}`);
    assert.deepEqual(options.sentinelAuth, {});
  }
});

test('a password on the command line warns on stderr unless --no-auth-warning; REDISCLI_AUTH does not', () => {
  assert.equal(run([...BASE, '-a', 'pw']).warnings.length, 1);
  assert.match(run([...BASE, '-a', 'pw']).warnings[0]!, /REDISCLI_AUTH/);
  assert.equal(run([...BASE, '-a', 'pw', '--no-auth-warning']).warnings.length, 0);
  assert.equal(run(BASE, { REDISCLI_AUTH: 'pw' }).warnings.length, 0);
});

test('-h and --help ask for the usage, whatever else is there', () => {
  assert.deepEqual(parseDrillArgs(['-h'], {}), { kind: 'help' });
  assert.deepEqual(parseDrillArgs([...BASE, '--help'], {}), { kind: 'help' });
});

test('refusals: each a one-line DrillArgsError naming the problem', () => {
  const rows: [string[], RegExp][] = [
    [[], /--sentinel <host:port> is required/],
    [['--master', 'm'], /--sentinel <host:port> is required/],
    [['--sentinel', '127.0.0.1:26379'], /--master <name> is required/],
    [[...BASE, '--bogus'], /unknown option '--bogus'/],
    [[...BASE, 'extra'], /unexpected argument 'extra'/],
    [[...BASE, '--mode'], /--mode needs a value/],
    [[...BASE, '--mode', 'forced'], /--mode wants coordinated or plain, got 'forced'/],
    [['--sentinel', 'localhost', '--master', 'm'], /--sentinel wants <host:port>, got 'localhost'/],
    [['--sentinel', 'h:0', '--master', 'm'], /--sentinel wants <host:port>/],
    [['--sentinel', 'h:65536', '--master', 'm'], /--sentinel wants <host:port>/],
    [['--sentinel', ':26379', '--master', 'm'], /--sentinel wants <host:port>/],
    [[...BASE, '--to', '10.0.0.1'], /--to wants <host:port>/],
    [[...BASE, '--writes-per-second', '0'], /--writes-per-second wants a whole number from 1 to 10000, got '0'/],
    [[...BASE, '--writes-per-second', '1.5'], /--writes-per-second wants a whole number/],
    [[...BASE, '--before', '-1'], /--before wants a whole number from 0/],
    [[...BASE, '--timeout', '0'], /--timeout wants a whole number from 1/],
    [[...BASE, '--wait', '0'], /--wait wants a whole number from 1/],
    [[...BASE, '--wait-timeout', '10'], /--wait-timeout needs --wait/],
    [[...BASE, '--master', 'other'], /--master given more than once/],
    [[...BASE, '-a', 'x', '--pass', 'y'], /-a and --pass are the same option/],
    [[...BASE, '--cacert', 'ca.crt'], /--cacert needs --tls/],
    [[...BASE, '--insecure'], /--insecure needs --tls/],
    [[...BASE, '--tls', '--cert', 'c.crt'], /--cert and --key go together/],
  ];
  for (const [argv, want] of rows) {
    assert.throws(
      () => parseDrillArgs(argv, {}),
      (e: unknown) => e instanceof DrillArgsError && e.code === 'DRILL_BAD_ARGUMENT' && want.test(e.message) && !e.message.includes('\n'),
      `${argv.join(' ')} should be refused with ${want}`,
    );
  }
});

test('endpoints: host:port, [v6]:port, and a bare v6 whose last colon separates the port', () => {
  assert.deepEqual(parseEndpoint('127.0.0.1:6379', '--x'), { host: '127.0.0.1', port: 6379 });
  assert.deepEqual(parseEndpoint('redis.example:1', '--x'), { host: 'redis.example', port: 1 });
  assert.deepEqual(parseEndpoint('[fe80::1]:26379', '--x'), { host: 'fe80::1', port: 26379 });
  assert.deepEqual(parseEndpoint('::1:26379', '--x'), { host: '::1', port: 26379 });
  assert.throws(() => parseEndpoint('127.0.0.1:', '--x'), DrillArgsError);
  assert.throws(() => parseEndpoint('127.0.0.1:6379x', '--x'), DrillArgsError);
});
