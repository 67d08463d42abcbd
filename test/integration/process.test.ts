import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { SENTINEL_TS, pingOk, startSentinel, tempDir, waitFor } from '../helpers/processes.js';
import { freePort } from '../helpers/ports.js';

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs sentinel-ts to completion (for the cases where it must exit by itself). */
function run(args: string[], cwd: string, timeoutMs = 10000): Promise<Run> {
  return new Promise((resolve) => {
    const c = spawn(SENTINEL_TS, args, { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    c.stdout.on('data', (d) => (stdout += d));
    c.stderr.on('data', (d) => (stderr += d));
    const t = setTimeout(() => c.kill('SIGKILL'), timeoutMs);
    c.on('exit', (code) => {
      clearTimeout(t);
      resolve({ code, stdout, stderr });
    });
  });
}

test('a missing config file: exit 1, the reason on stdout, nothing on stderr', async () => {
  const dir = tempDir();
  const r = await run(['nope.conf'], dir);
  assert.equal(r.code, 1);
  assert.match(r.stdout, /can't open config file '.*nope\.conf'/);
  assert.equal(r.stderr, '');
});

test('a config path that is a directory is refused', async () => {
  const dir = tempDir();
  fs.mkdirSync(path.join(dir, 'sentinel.conf'));
  const r = await run(['sentinel.conf'], dir);
  assert.equal(r.code, 1);
  assert.equal(r.stderr, '');
});

test('a bad line: exit 1, the message names the line and the reason', async () => {
  const dir = tempDir();
  fs.writeFileSync(path.join(dir, 's.conf'), '# comment\nport 0\nsentinel monitor m 127.0.0.1 6379 0\n');
  const r = await run(['s.conf'], dir);
  assert.equal(r.code, 1);
  assert.match(r.stderr, /at line 3/);
  assert.match(r.stderr, /Quorum must be 1 or greater\./);
});

test('port in use: logs the reason and exits non-zero, nothing on stderr', async () => {
  const port = await freePort();
  const blocker = net.createServer().listen(port, '127.0.0.1');
  await new Promise((r) => blocker.once('listening', r));
  try {
    const dir = tempDir();
    fs.writeFileSync(path.join(dir, 's.conf'), `port ${port}\nbind 127.0.0.1\n`);
    const r = await run(['s.conf'], dir);
    assert.notEqual(r.code, 0);
    assert.match(r.stdout, /Address already in use/);
    assert.equal(r.stderr, '');
  } finally {
    blocker.close();
  }
});

test('SIGTERM: exits promptly and frees the port', async () => {
  const s = await startSentinel({ lines: [] });
  const t0 = Date.now();
  await s.stop();
  assert.ok(Date.now() - t0 < 2000, 'exited within 2 s');
  assert.equal(await pingOk(s.port), false);
  assert.equal(s.stderr(), '');
});

test('--port on the command line overrides the file; relative paths resolve like redis', async () => {
  const dir = tempDir();
  fs.mkdirSync(path.join(dir, 'work'));
  fs.mkdirSync(path.join(dir, 'conf'));
  const port = await freePort();
  // The config path is made absolute before `dir` applies, so the rewrite still finds it.
  fs.writeFileSync(path.join(dir, 'conf/s.conf'), 'port 1\nbind 127.0.0.1\ndir work\nlogfile log.txt\n');
  const c = spawn(SENTINEL_TS, ['conf/s.conf', '--port', String(port)], { cwd: dir, stdio: 'ignore' });
  try {
    await waitFor(() => pingOk(port), 10000, 'sentinel on the command-line port');
    await waitFor(() => fs.existsSync(path.join(dir, 'work/log.txt')), 5000, 'log.txt inside dir');
    const conf = fs.readFileSync(path.join(dir, 'conf/s.conf'), 'utf8');
    assert.match(conf, /^sentinel myid [0-9a-f]{40}$/m);
    assert.match(conf, new RegExp(`^port ${port}$`, 'm'));
    assert.match(conf, new RegExp(`^dir "${path.join(dir, 'work').replace(/[/\\]/g, '.')}"$`, 'm'));
  } finally {
    c.kill('SIGKILL');
  }
});

test('daemonize yes with a pidfile: the launcher returns, the daemon runs with that pid', async () => {
  const dir = tempDir();
  const port = await freePort();
  const pidfile = path.join(dir, 's.pid');
  fs.writeFileSync(path.join(dir, 's.conf'), `port ${port}\nbind 127.0.0.1\ndaemonize yes\npidfile ${pidfile}\nlogfile ${path.join(dir, 'log.txt')}\n`);
  const r = await run(['s.conf'], dir);
  assert.equal(r.code, 0);
  const pid = Number(await waitFor(() => (fs.existsSync(pidfile) ? fs.readFileSync(pidfile, 'utf8').trim() : ''), 10000, 'the pidfile'));
  try {
    await waitFor(() => pingOk(port), 10000, 'the daemon to answer');
    process.kill(pid, 0);
  } finally {
    process.kill(pid, 'SIGKILL');
  }
});
