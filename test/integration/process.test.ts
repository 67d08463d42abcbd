/**
 * The process contract of `bin/sentinel-ts <config> [--opt value ...]`, as redis-sentinel has it:
 * exit codes and messages for a missing, unwritable or bad config file and a busy port, SIGTERM,
 * command-line overrides, relative paths, daemonize + pidfile. Nothing may ever reach stderr,
 * except what redis itself prints there: the FATAL CONFIG FILE ERROR report.
 *
 * With SENTINEL_IMPL=redis the same checks run against /usr/bin/redis-sentinel.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import type { SpawnOptions } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { runToExit, spawnTracked, tempDir, trackPid, untrackPid } from '../helpers/pids.js';
import type { ProcessRun } from '../helpers/pids.js';
import { effectiveImpl, tsOnly, sentinelBinary, startSentinel } from '../helpers/sentinels.js';
import { waitFor } from '../helpers/wait.js';
import { pingOk } from '../helpers/wire.js';
import { freePort, isPortFree } from '../helpers/ports.js';

const IMPL = effectiveImpl('ts');
const BIN = sentinelBinary(IMPL);
const NOBODY = 65534;

/** Runs the sentinel in `cwd` until it exits by itself (SIGKILL after `timeoutMs`). */
function run(args: string[], cwd: string, opts: SpawnOptions = {}, timeoutMs = 10000): Promise<ProcessRun> {
  return runToExit(BIN, args, { ...opts, cwd }, timeoutMs);
}

/** Whether `pid` is a live process (a zombie waiting for its reaper counts as gone). */
function alive(pid: number): boolean {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    try {
      process.kill(pid, 0);
      return true;
    } catch {
      return false;
    }
  }
}

function write(file: string, lines: string[]): void {
  fs.writeFileSync(file, lines.join('\n') + '\n');
}

test('a missing config file: exit 1, the reason on stdout, nothing on stderr', async () => {
  const dir = tempDir();
  const r = await run(['nope.conf'], dir);
  assert.equal(r.code, 1);
  // The path is made absolute first, as redis does.
  assert.match(r.stdout, new RegExp(`Fatal error, can't open config file '${path.join(dir, 'nope.conf')}': No such file or directory`));
  assert.equal(r.stderr, '');
});

test('a config file the sentinel cannot write: exit 1 with the reason, nothing on stderr', async (t) => {
  const dir = tempDir();
  const port = await freePort();
  const conf = path.join(dir, 's.conf');
  write(conf, [`port ${port}`, 'bind 127.0.0.1', 'sentinel monitor mymaster 127.0.0.1 1 2']);
  fs.chmodSync(conf, 0o444);
  const asUser: SpawnOptions = {};
  if (process.getuid?.() === 0) {
    // root may write any file: run the sentinel as nobody instead, if nobody can run it at all.
    fs.chmodSync(dir, 0o755);
    asUser.uid = NOBODY;
    asUser.gid = NOBODY;
    const probe =
      IMPL === 'redis'
        ? spawnSync(BIN, ['--version'], { uid: NOBODY, gid: NOBODY, cwd: dir, timeout: 10000 })
        : spawnSync('node', ['-e', `require('fs').accessSync(${JSON.stringify(BIN)}, require('fs').constants.X_OK)`], { uid: NOBODY, gid: NOBODY, cwd: dir, timeout: 10000 });
    if (probe.status !== 0) {
      t.skip(`running as root (who may write any file), and ${BIN} cannot be run as uid ${NOBODY} instead`);
      return;
    }
  }
  const r = await run(['s.conf'], dir, asUser);
  assert.equal(r.code, 1, `exit code; stdout:\n${r.stdout}`);
  assert.match(r.stdout, new RegExp(`Sentinel config file ${conf} is not writable: Permission denied\\. Exiting\\.\\.\\.`));
  assert.equal(r.stderr, '');
  assert.equal(await isPortFree(port), true, 'it never listened');
});

// redis-sentinel 7.0.15 reads a directory as an empty file, starts, and only logs "Sentinel was
// not able to save the new configuration on disk!!!: Is a directory"; sentinel-ts refuses it.
const directorySkip = tsOnly('redis-sentinel 7.0.15 starts with a directory as its config file');
test('a config path that is a directory: exit 1 naming the reason, nothing on stderr', { skip: directorySkip }, async () => {
  const dir = tempDir();
  fs.mkdirSync(path.join(dir, 'sentinel.conf'));
  const r = await run(['sentinel.conf'], dir);
  assert.equal(r.code, 1);
  assert.match(r.stdout, /Is a directory/);
  assert.equal(r.stderr, '');
});

test('a bad config line: exit 1, the report names the line number, the line and the reason', async () => {
  const dir = tempDir();
  write(path.join(dir, 's.conf'), ['# comment', 'port 0', 'sentinel monitor m 127.0.0.1 6379 0']);
  const r = await run(['s.conf'], dir);
  assert.equal(r.code, 1);
  // The one report redis itself writes to stderr (before any log is open).
  assert.match(r.stderr, /\*\*\* FATAL CONFIG FILE ERROR \(.+\) \*\*\*/);
  assert.match(r.stderr, /^Reading the configuration file, at line 3$/m);
  assert.match(r.stderr, /^>>> 'sentinel monitor m 127\.0\.0\.1 6379 0'$/m);
  assert.match(r.stderr, /^Quorum must be 1 or greater\.$/m);
  assert.equal(r.stdout, '');

  write(path.join(dir, 'u.conf'), ['port 0', '', 'sentinel bogus-directive x']);
  const u = await run(['u.conf'], dir);
  assert.equal(u.code, 1);
  assert.match(u.stderr, /at line 3\n>>> 'sentinel bogus-directive x'\nUnrecognized sentinel configuration statement\./);
});

test('port in use: the reason goes to the log (or stdout), exit non-zero, nothing on stderr', async () => {
  const port = await freePort();
  const blocker = net.createServer();
  await new Promise<void>((r) => blocker.listen(port, '127.0.0.1', r));
  try {
    const dir = tempDir();
    write(path.join(dir, 'stdout.conf'), [`port ${port}`, 'bind 127.0.0.1']);
    const a = await run(['stdout.conf'], dir);
    assert.notEqual(a.code, 0);
    assert.equal(a.signal, null);
    assert.match(a.stdout, /Address already in use/);
    assert.equal(a.stderr, '');

    write(path.join(dir, 'log.conf'), [`port ${port}`, 'bind 127.0.0.1', `logfile ${path.join(dir, 'log.txt')}`]);
    const b = await run(['log.conf'], dir);
    assert.notEqual(b.code, 0);
    assert.match(fs.readFileSync(path.join(dir, 'log.txt'), 'utf8'), /Address already in use/);
    assert.equal(b.stdout, '', 'with a logfile nothing goes to stdout');
    assert.equal(b.stderr, '');
  } finally {
    await new Promise((r) => blocker.close(r));
  }
});

test('SIGTERM: exits within 2 s and the port is free again', async () => {
  const s = await startSentinel({ lines: ['sentinel monitor mymaster 127.0.0.1 1 2'] });
  const t0 = Date.now();
  await s.stop('SIGTERM', 2000);
  const took = Date.now() - t0;
  assert.ok(took < 2000, `exited after ${took} ms`);
  assert.equal(s.exitCode, 0, 'exit code after SIGTERM');
  assert.equal(await isPortFree(s.port), true, `port ${s.port} is free`);
  assert.equal(s.stderr(), '');
  assert.match(s.log(), /bye bye/);
});

test('--port overrides the file; a relative config path and a relative dir resolve like redis', async () => {
  const dir = tempDir();
  fs.mkdirSync(path.join(dir, 'work'));
  fs.mkdirSync(path.join(dir, 'conf'));
  const port = await freePort();
  // `dir work` makes the process chdir; the config path was made absolute before, so the rewrite
  // still lands in conf/s.conf, and the relative logfile is opened inside work/.
  write(path.join(dir, 'conf/s.conf'), ['port 1', 'bind 127.0.0.1', 'dir work', 'logfile log.txt', 'sentinel monitor mymaster 127.0.0.1 1 2']);
  const c = spawnTracked(BIN, ['conf/s.conf', '--port', String(port)], { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  c.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  try {
    await waitFor(() => pingOk(port), 10000, `the sentinel on the command-line port ${port}`);
    await waitFor(() => fs.existsSync(path.join(dir, 'work/log.txt')), 5000, 'log.txt inside dir');
    const conf = await waitFor(() => {
      const text = fs.readFileSync(path.join(dir, 'conf/s.conf'), 'utf8');
      return /^sentinel myid [0-9a-f]{40}$/m.test(text) ? text : '';
    }, 5000, 'the rewrite of conf/s.conf');
    const lines = conf.split('\n');
    assert.ok(lines.includes(`port ${port}`), `the rewrite keeps the command-line port:\n${conf}`);
    assert.ok(lines.includes(`dir "${path.join(dir, 'work')}"`), `the rewrite makes dir absolute:\n${conf}`);
    assert.equal(fs.existsSync(path.join(dir, 'work/conf')), false);
    assert.equal(stderr, '');
  } finally {
    c.kill('SIGKILL');
  }
});

test('daemonize yes + pidfile: the launcher returns, the pidfile names a running server', async () => {
  const dir = tempDir();
  const port = await freePort();
  const pidfile = path.join(dir, 's.pid');
  write(path.join(dir, 's.conf'), [`port ${port}`, 'bind 127.0.0.1', 'daemonize yes', `pidfile ${pidfile}`, `logfile ${path.join(dir, 'log.txt')}`]);
  const r = await run(['s.conf'], dir);
  assert.equal(r.code, 0);
  assert.ok(r.exitedAfterMs < 3000, `the launcher returned after ${r.exitedAfterMs} ms`);
  assert.equal(r.stderr, '');
  const pid = Number(await waitFor(() => (fs.existsSync(pidfile) ? fs.readFileSync(pidfile, 'utf8').trim() : ''), 10000, 'the pidfile'));
  trackPid(pid, 'daemonized sentinel');
  try {
    assert.ok(Number.isInteger(pid) && pid > 0, `pidfile holds ${pid}`);
    await waitFor(() => pingOk(port), 10000, 'the daemon to answer PING');
    assert.ok(alive(pid), `daemon ${pid} is running`);
    process.kill(pid, 'SIGTERM');
    await waitFor(() => !alive(pid), 5000, `daemon ${pid} to exit on SIGTERM`);
    assert.equal(await isPortFree(port), true);
  } finally {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // already gone
    }
    untrackPid(pid);
  }
});
