/**
 * The package as an operator gets it. The tracked sources are copied to a temp dir (so that the
 * prepack build there cannot disturb this run's dist/), `npm pack` builds and packs them,
 * `npm install -g --prefix <dir> --offline <tarball>` installs it (the runtime dependencies come
 * from npm's cache, which `npm ci` filled), and the installed `sentinel-ts` is then run: version
 * and help, a sentinel watching a real redis-server, typos refused, `--check-config`, readiness
 * for systemd, and the tarball's unit file through `systemd-analyze verify`.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import type { ChildProcess, SpawnSyncReturns } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { terminate } from '../helpers/managed.js';
import { PYTHON3, ROOT } from '../helpers/paths.js';
import { spawnTracked, tempDir } from '../helpers/pids.js';
import { freePort } from '../helpers/ports.js';
import { startRedis } from '../helpers/redis-server.js';
import type { RedisServer } from '../helpers/redis-server.js';
import { waitFor } from '../helpers/wait.js';
import { pingOk, redisCli } from '../helpers/wire.js';

const SYSTEMD_ANALYZE = '/usr/bin/systemd-analyze';
const version = (JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { version: string }).version;

/** npm's own variables (this file runs under `npm test`) must not steer the nested npm commands. */
function cleanEnv(): NodeJS.ProcessEnv {
  return Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.toLowerCase().startsWith('npm_')));
}

function sh(cmd: string, args: string[], cwd: string, timeout = 180000): SpawnSyncReturns<string> {
  const r = spawnSync(cmd, args, { cwd, encoding: 'utf8', env: cleanEnv(), timeout });
  if (r.status !== 0) assert.fail(`${cmd} ${args.join(' ')} exited ${r.status}:\n${r.stdout}\n${r.stderr}`);
  return r;
}

let work = '';
let tarball = '';
let bin = '';
let redis: RedisServer | undefined;
const running: ChildProcess[] = [];

before(async () => {
  work = tempDir('package-');
  const src = path.join(work, 'src');
  // What a clean clone has: the tracked files (and new ones not ignored), nothing built.
  const files = sh('git', ['ls-files', '-z', '-c', '-o', '--exclude-standard'], ROOT).stdout.split('\0').filter((f) => f !== '');
  for (const f of files) {
    if (!fs.existsSync(path.join(ROOT, f))) continue; // deleted in the work tree, not yet committed
    fs.mkdirSync(path.dirname(path.join(src, f)), { recursive: true });
    fs.copyFileSync(path.join(ROOT, f), path.join(src, f));
  }
  fs.chmodSync(path.join(src, 'bin/sentinel-ts'), 0o755);
  // The build tools (typescript) as installed by npm ci here.
  fs.symlinkSync(path.join(ROOT, 'node_modules'), path.join(src, 'node_modules'));
  const out = path.join(work, 'out');
  fs.mkdirSync(out);
  const packed = sh('npm', ['pack', '--pack-destination', out], src).stdout.trim().split('\n');
  tarball = path.join(out, packed[packed.length - 1]!);
  sh('npm', ['install', '-g', '--prefix', path.join(work, 'prefix'), '--offline', '--no-audit', '--no-fund', tarball], work);
  bin = path.join(work, 'prefix', 'bin', 'sentinel-ts');
  redis = await startRedis();
});

after(async () => {
  for (const c of running) await terminate(c, 'SIGTERM', 3000);
  await redis?.stop();
});

function runBin(args: string[], cwd = work): SpawnSyncReturns<string> {
  return spawnSync(bin, args, { cwd, encoding: 'utf8', timeout: 20000 });
}

/** A fresh directory with `sentinel.conf` holding `lines`. */
function confDir(lines: string[]): { dir: string; file: string } {
  const dir = tempDir('package-conf-');
  const file = path.join(dir, 'sentinel.conf');
  fs.writeFileSync(file, lines.join('\n') + '\n');
  return { dir, file };
}

/** Starts the installed binary in `dir` and waits until `port` answers PING. */
function startInstalled(dir: string, args: string[], port: number, env: NodeJS.ProcessEnv = process.env): Promise<ChildProcess> {
  return startInstalledCommand(bin, dir, args, port, env);
}

async function startInstalledCommand(command: string, dir: string, args: string[], port: number, env: NodeJS.ProcessEnv): Promise<ChildProcess> {
  let output = '';
  const child = spawnTracked(command, args, { cwd: dir, env, stdio: ['ignore', 'pipe', 'pipe'] });
  running.push(child);
  child.stdout?.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (output += d.toString()));
  await waitFor(() => pingOk(port), 15000, `the installed sentinel-ts on port ${port} (output: ${output})`);
  return child;
}

test('the tarball holds the compiled code, the dashboard, the unit file, README and LICENSE, and nothing else', () => {
  const entries = sh('tar', ['tzf', tarball], work).stdout.trim().split('\n').map((e) => e.replace(/^package\//, ''));
  for (const want of ['package.json', 'README.md', 'LICENSE', 'bin/sentinel-ts', 'dist/src/cli/main.js', 'dist/src/cli/check-config.js', 'ui/index.html', 'ui/app.js', 'packaging/sentinel-ts.service']) {
    assert.ok(entries.includes(want), `${want} is in the tarball`);
  }
  const stray = entries.filter((e) => !/^(package\.json|README\.md|LICENSE|bin\/sentinel-ts|dist\/src\/.*\.js|ui\/[a-z]+\.(html|js|css)|packaging\/sentinel-ts\.service)$/.test(e));
  assert.deepEqual(stray, [], 'only what runs (no tests, benches, TypeScript sources or source maps)');
});

test('the installed binary: -v/--version and -h/--help as redis-sentinel has them', () => {
  for (const flag of ['-v', '--version']) {
    const r = runBin([flag]);
    assert.equal(r.status, 0);
    assert.match(r.stdout, new RegExp(`^sentinel-ts v=${version.replace(/\./g, '\\.')} redis-compat=7\\.\\d+\\.\\d+ `));
  }
  for (const flag of ['-h', '--help']) {
    const r = runBin([flag]);
    assert.equal(r.status, 0);
    assert.match(r.stdout, /^Usage: sentinel-ts \/path\/to\/sentinel\.conf \[options\]/);
    assert.match(r.stdout, /--check-config/);
    assert.match(r.stdout, /drill --sentinel/);
  }
});

test('the installed binary runs a sentinel (`x.conf --sentinel`, as charts start redis-server) that answers get-master-addr-by-name and serves the dashboard', async () => {
  const port = await freePort();
  const httpPort = await freePort();
  const { dir } = confDir([`port ${port}`, 'bind 127.0.0.1', 'maxclients 100', `http-port ${httpPort}`, `sentinel monitor mymaster 127.0.0.1 ${redis!.port} 1`]);
  const child = await startInstalled(dir, ['sentinel.conf', '--sentinel'], port);
  assert.equal(await redisCli(port, 'sentinel', 'get-master-addr-by-name', 'mymaster'), `127.0.0.1\n${redis!.port}\n`);
  const ui = await fetch(`http://127.0.0.1:${httpPort}/ui/`);
  assert.equal(ui.status, 200);
  assert.match(await ui.text(), /<html/i);
  await terminate(child, 'SIGTERM', 5000);
  assert.equal(child.exitCode, 0);
});

for (const typo of ['bogus-directive 1', 'requirepas x', 'http-portt 1']) {
  test(`the installed binary refuses \`${typo}\` with Bad directive, exit 1, nothing started`, async () => {
    const port = await freePort();
    const { dir, file } = confDir([`port ${port}`, `sentinel monitor mymaster 127.0.0.1 ${redis!.port} 1`, typo]);
    const before = fs.readFileSync(file, 'utf8');
    const r = runBin(['sentinel.conf'], dir);
    assert.notEqual(r.status, 0);
    assert.match(r.stderr, new RegExp(`Reading the configuration file, at line 3\\n>>> '${typo}'\\nBad directive or wrong number of arguments`));
    assert.equal(await pingOk(port), false);
    assert.equal(fs.readFileSync(file, 'utf8'), before);
  });
}

test('--check-config: OK on a good file (unchanged), every problem with its line on a bad one, exit 0 / 1', () => {
  const good = confDir(['port 26379', 'sentinel monitor mymaster 127.0.0.1 6379 2', 'maxclients 100']);
  const before = fs.readFileSync(good.file, 'utf8');
  const mtime = fs.statSync(good.file).mtimeMs;
  let r = runBin(['--check-config', 'sentinel.conf'], good.dir);
  assert.equal(r.status, 0, r.stdout + r.stderr);
  assert.equal(r.stdout, 'OK\n');
  assert.equal(fs.readFileSync(good.file, 'utf8'), before);
  assert.equal(fs.statSync(good.file).mtimeMs, mtime);
  assert.deepEqual(fs.readdirSync(good.dir), ['sentinel.conf']);

  const bad = confDir(['port 26379', 'sentinel monitor mymaster 127.0.0.1 6379 2', 'sentinel down-after-milliseconds mymaster -5', 'requirepas x']);
  const badBefore = fs.readFileSync(bad.file, 'utf8');
  r = runBin(['--check-config', bad.file]);
  assert.equal(r.status, 1);
  assert.equal(
    r.stdout,
    [
      `${bad.file}:3: negative or zero time parameter. >>> 'sentinel down-after-milliseconds mymaster -5'`,
      `${bad.file}:4: Bad directive or wrong number of arguments >>> 'requirepas x'`,
      '2 problems found: the sentinel would not start with this configuration.',
      '',
    ].join('\n'),
  );
  assert.equal(fs.readFileSync(bad.file, 'utf8'), badBefore);
});

test('supervised systemd: READY=1 reaches NOTIFY_SOCKET once the port answers; daemonize is then ignored', { skip: fs.existsSync('/usr/bin/systemd-notify') ? false : 'systemd-notify is not installed (package systemd)' }, async () => {
  const port = await freePort();
  const { dir } = confDir([`port ${port}`, 'bind 127.0.0.1', 'daemonize yes', `sentinel monitor mymaster 127.0.0.1 ${redis!.port} 1`]);
  const socket = path.join(dir, 'notify.sock');
  // A stand-in for systemd's notification socket: prints each datagram it receives.
  const listener = spawnTracked(PYTHON3, ['-u', '-c', 'import socket,sys\ns=socket.socket(socket.AF_UNIX,socket.SOCK_DGRAM)\ns.bind(sys.argv[1])\nprint("bound")\nwhile True: print(repr(s.recv(4096)))', socket], { stdio: ['ignore', 'pipe', 'inherit'] });
  running.push(listener);
  let got = '';
  listener.stdout?.on('data', (d: Buffer) => (got += d.toString()));
  await waitFor(() => got.includes('bound'), 10000, 'the notify socket');
  const child = await startInstalled(dir, ['sentinel.conf', '--supervised', 'systemd'], port, { ...process.env, NOTIFY_SOCKET: socket });
  await waitFor(() => got.includes('READY=1'), 10000, `READY=1 (got: ${got})`);
  assert.match(got, /READY=1\\nSTATUS=Ready to accept connections/);
  assert.equal(child.exitCode, null, 'still in the foreground, under the supervisor');
});

test("the tarball's unit file passes `systemd-analyze verify`", { skip: fs.existsSync(SYSTEMD_ANALYZE) ? false : `${SYSTEMD_ANALYZE} is not installed (package systemd)` }, () => {
  const unit = fs.readFileSync(path.join(work, 'prefix/lib/node_modules/sentinel-ts/packaging/sentinel-ts.service'), 'utf8');
  for (const line of ['Type=notify', 'NotifyAccess=all', 'User=sentinel-ts', 'Restart=on-failure', 'ProtectSystem=strict', 'ProtectHome=yes', 'NoNewPrivileges=yes', 'PrivateTmp=yes', 'ReadWritePaths=/etc/sentinel-ts']) {
    assert.match(unit, new RegExp(`^${line}$`, 'm'));
  }
  assert.doesNotMatch(unit, /^MemoryDenyWriteExecute/m, 'V8 needs to execute memory it wrote');
  assert.match(unit, /^ExecStart=\/usr\/local\/bin\/sentinel-ts \/etc\/sentinel-ts\/sentinel\.conf --supervised systemd/m);
  // verify also checks that the programs exist: point the unit at where this test installed it.
  const dir = tempDir('unit-');
  const copy = path.join(dir, 'sentinel-ts.service');
  fs.writeFileSync(copy, unit.replaceAll('/usr/local/bin/sentinel-ts', bin));
  const r = spawnSync(SYSTEMD_ANALYZE, ['verify', copy], { encoding: 'utf8', timeout: 30000 });
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stderr.trim(), '', 'no warning either');
});

test("the README's redis-server stand-in hands `redis-server <conf> --sentinel` to the installed sentinel-ts", async () => {
  const readme = fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8');
  const shim = /```sh\n(#!\/bin\/sh\n# \/usr\/local\/bin\/redis-server:[\s\S]*?)```/.exec(readme)?.[1];
  assert.ok(shim, 'the README shows the redis-server stand-in');
  const shimDir = tempDir('shim-');
  fs.writeFileSync(path.join(shimDir, 'redis-server'), shim, { mode: 0o755 });
  const port = await freePort();
  const httpPort = await freePort();
  // http-port: the real redis-server would refuse this file, so only sentinel-ts can be serving it.
  const { dir } = confDir([`port ${port}`, 'bind 127.0.0.1', `http-port ${httpPort}`, `sentinel monitor mymaster 127.0.0.1 ${redis!.port} 1`]);
  const env = { ...process.env, PATH: `${shimDir}:${path.dirname(bin)}:${process.env['PATH'] ?? ''}` };
  const child = await startInstalledCommand('redis-server', dir, ['sentinel.conf', '--sentinel'], port, env);
  assert.equal((await fetch(`http://127.0.0.1:${httpPort}/healthz/live`)).status, 200);
  assert.equal(await redisCli(port, 'sentinel', 'get-master-addr-by-name', 'mymaster'), `127.0.0.1\n${redis!.port}\n`);
  await terminate(child, 'SIGTERM', 5000);
});
