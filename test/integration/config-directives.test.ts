/**
 * Unknown directives, side by side: /usr/bin/redis-sentinel and bin/sentinel-ts are started on
 * the same bad config files and command lines; both must exit 1 and print the same FATAL CONFIG
 * FILE ERROR report on stderr, apart from the version tag ("Redis 7.0.15" / "sentinel-ts").
 * Directives of redis-server that a sentinel does not use must still let both start.
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { REDIS_SENTINEL, SENTINEL_TS } from '../helpers/paths.js';
import { killEverything, runToExit, tempDir } from '../helpers/pids.js';
import type { ProcessRun } from '../helpers/pids.js';
import { startSentinel } from '../helpers/sentinels.js';
import type { SentinelImpl } from '../helpers/sentinels.js';
import { pingOk } from '../helpers/wire.js';
import { freePort, isPortFree } from '../helpers/ports.js';

after(killEverything);

/** Starts `bin` on `<fresh dir>/sentinel.conf` holding `lines`, and waits for it to exit (SIGKILL after 10 s). */
function runUntilExit(bin: string, lines: string[], cli: string[]): Promise<ProcessRun> {
  const dir = tempDir('sentinel-directives-');
  fs.writeFileSync(path.join(dir, 'sentinel.conf'), lines.join('\n') + '\n');
  return runToExit(bin, ['sentinel.conf', ...cli], { cwd: dir });
}

/** redis-sentinel's report, as sentinel-ts prints it. */
const asSentinelTs = (s: string): string => s.replace('*** FATAL CONFIG FILE ERROR (Redis 7.0.15) ***', '*** FATAL CONFIG FILE ERROR (sentinel-ts) ***');

const report = (line: number, text: string, reason: string): string =>
  `\n*** FATAL CONFIG FILE ERROR (sentinel-ts) ***\nReading the configuration file, at line ${line}\n>>> '${text}'\n${reason}\n`;

const BAD = 'Bad directive or wrong number of arguments';

/**
 * [what, extra config lines, command-line arguments, the report expected given the number of
 * lines before the extra ones]. The file ends with a newline, so the command line's first
 * option is numbered two lines after the file's last line, as redis numbers it.
 */
const CASES: [string, string[], string[], (n: number) => string][] = [
  ['an unknown directive in the file', ['bogus-directive 1'], [], (n) => report(n + 1, 'bogus-directive 1', BAD)],
  ['the typo requirepas', ['requirepas secret'], [], (n) => report(n + 1, 'requirepas secret', BAD)],
  ['an unknown directive after valid redis-server ones', ['maxmemory 100mb', 'appendonly yes', 'bogus'], [], (n) => report(n + 3, 'bogus', BAD)],
  ['an unknown option on the command line', [], ['--bogus', '1'], (n) => report(n + 2, 'bogus "1"', BAD)],
  ['the typo on the command line', [], ['--requirepas', 'secret'], (n) => report(n + 2, 'requirepas "secret"', BAD)],
  ['an unknown option without a value', [], ['--bogus'], (n) => report(n + 2, 'bogus', BAD)],
  ['a known directive without its value', ['maxmemory'], [], (n) => report(n + 1, 'maxmemory', 'wrong number of arguments')],
  ['a single-value directive given two', ['tls-protocols TLSv1.2 TLSv1.3'], [], (n) => report(n + 1, 'tls-protocols TLSv1.2 TLSv1.3', 'wrong number of arguments')],
  ['replicaof with one value', ['replicaof 10.0.0.1'], [], (n) => report(n + 1, 'replicaof 10.0.0.1', 'wrong number of arguments')],
  ['a module option without a value', ['mymodule.option'], [], (n) => report(n + 1, 'mymodule.option', 'Module config specified without value')],
];

for (const [what, extra, cli, expected] of CASES) {
  test(`refused like redis-sentinel: ${what}`, async () => {
    const port = await freePort();
    const base = [`port ${port}`, 'bind 127.0.0.1', 'sentinel monitor mymaster 127.0.0.1 6379 2'];
    const lines = [...base, ...extra];
    const want = expected(base.length);
    const redis = await runUntilExit(REDIS_SENTINEL, lines, cli);
    const ts = await runUntilExit(SENTINEL_TS, lines, cli);
    assert.equal(redis.code, 1, `redis-sentinel exit code; stdout:\n${redis.stdout}`);
    assert.equal(ts.code, 1, `sentinel-ts exit code; stdout:\n${ts.stdout}`);
    assert.equal(asSentinelTs(redis.stderr), want, 'redis-sentinel prints the expected report');
    assert.equal(ts.stderr, asSentinelTs(redis.stderr));
    assert.equal(redis.stdout, '');
    assert.equal(ts.stdout, '');
    assert.equal(await isPortFree(port), true, 'neither ever listened');
  });
}

test('valid redis-server directives a sentinel does not use: both implementations start', async () => {
  const lines = [
    'sentinel monitor mymaster 127.0.0.1 6379 2',
    'maxmemory 100mb',
    'appendonly yes',
    'save 900 1',
    'hz 10',
    'slave-priority 5',
    'SLAVE-READ-ONLY yes',
    'lua-replicate-commands yes',
    'latency-tracking-info-percentiles 50 99',
    'mymodule.option 1',
  ];
  for (const impl of ['redis', 'ts'] as SentinelImpl[]) {
    const s = await startSentinel({ impl, lines, extraArgs: ['--maxmemory-policy', 'noeviction'] });
    try {
      assert.equal(await pingOk(s.port), true, `${impl} answers PING`);
      assert.equal(s.stderr(), '', `${impl} printed nothing on stderr`);
    } finally {
      await s.stop();
    }
  }
});
