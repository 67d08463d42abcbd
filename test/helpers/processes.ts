/**
 * Real processes for the integration tests, the demo playground and the benchmarks: redis-server
 * and sentinels (sentinel-ts, or the reference redis-sentinel) on free loopback ports.
 *
 * Nothing is ever left running or lying around:
 * - every process started here is tracked by pid; `stop()`/`stopAll()` end them when a test ends;
 * - on process exit (normal end, process.exit, an uncaught error) an 'exit' hook SIGKILLs every
 *   pid still tracked and removes every temp dir made here;
 * - on SIGINT/SIGTERM/SIGHUP the same happens and the process exits, unless the program has its
 *   own handler for that signal (the demo stops things gracefully itself; the exit hook still
 *   catches anything it missed);
 * - a process that dies without running any hook (SIGKILL, OOM) leaves a record in
 *   `<tmpdir>/sentinel-ts-harness-<uid>/<pid>.json`; the next process loading this module kills the
 *   pids listed there (only if /proc shows the same process, by start time) and removes the dirs.
 *
 * Set SENTINEL_IMPL=redis to run every sentinel as /usr/bin/redis-sentinel: the integration suite
 * then checks itself against the reference implementation.
 */
import { execFile, spawn } from 'node:child_process';
import type { ChildProcess, SpawnOptions } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort } from './ports.js';

/** The repository root (this file runs from dist/test/helpers/). */
export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
export const SENTINEL_TS = path.join(ROOT, 'bin/sentinel-ts');
export const REDIS_SENTINEL = '/usr/bin/redis-sentinel';
export const REDIS_SERVER = '/usr/bin/redis-server';
export const REDIS_CLI = '/usr/bin/redis-cli';
/** Debian's python, which has python3-redis; a `python3` found on PATH may not. */
export const PYTHON3 = '/usr/bin/python3';

// ---------------------------------------------------------------------------------------------
// Bookkeeping: pids and temp dirs, in memory and in a crash record on disk.

interface Tracked {
  pid: number;
  /** Field 22 of /proc/<pid>/stat, to tell the process from a later one reusing its pid. */
  start: string;
  what: string;
}

const live = new Map<number, Tracked>();
const tempDirs = new Set<string>();
const recordDir = path.join(os.tmpdir(), `sentinel-ts-harness-${process.getuid?.() ?? 0}`);
const recordFile = path.join(recordDir, `${process.pid}.json`);

/** Removes a directory tree; never throws (a dying process may still be writing into it). */
function rmDir(d: string): void {
  // SENTINEL_TS_KEEP_DIRS=1 keeps every temp dir (configs, logs) for a post-mortem.
  if (process.env['SENTINEL_TS_KEEP_DIRS']) return;
  try {
    fs.rmSync(d, { recursive: true, force: true, maxRetries: 5, retryDelay: 20 });
  } catch {
    // left for the next sweep
  }
}

function procStart(pid: number): string {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) is in parentheses and may hold spaces: count from after it.
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19] ?? '';
  } catch {
    return '';
  }
}

function writeRecord(): void {
  try {
    if (live.size === 0 && tempDirs.size === 0) {
      fs.rmSync(recordFile, { force: true });
      return;
    }
    fs.mkdirSync(recordDir, { recursive: true });
    fs.writeFileSync(recordFile, JSON.stringify({ owner: process.pid, pids: [...live.values()], dirs: [...tempDirs] }));
  } catch {
    // the record is a safety net only
  }
}

/** Kills what processes that died without cleaning up left behind. */
function sweepOrphans(): void {
  let names: string[];
  try {
    names = fs.readdirSync(recordDir);
  } catch {
    return;
  }
  for (const name of names) {
    const owner = Number(name.replace(/\.json$/, ''));
    if (!Number.isInteger(owner) || owner === process.pid) continue;
    try {
      process.kill(owner, 0);
      continue; // its owner is alive and will clean up itself
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'EPERM') continue;
    }
    const file = path.join(recordDir, name);
    try {
      const rec = JSON.parse(fs.readFileSync(file, 'utf8')) as { pids?: Tracked[]; dirs?: string[] };
      for (const p of rec.pids ?? []) {
        if (p.start && procStart(p.pid) === p.start) {
          try {
            process.kill(p.pid, 'SIGKILL');
          } catch {
            // gone meanwhile
          }
        }
      }
      for (const d of rec.dirs ?? []) if (d.startsWith(os.tmpdir() + path.sep)) rmDir(d);
    } catch {
      // unreadable: just drop it
    }
    fs.rmSync(file, { force: true });
  }
}
sweepOrphans();

/** Tracks a pid this process is responsible for (e.g. a daemon read from a pidfile). */
export function trackPid(pid: number, what = 'process'): void {
  if (!(pid > 0)) return;
  live.set(pid, { pid, start: procStart(pid), what });
  writeRecord();
}

export function untrackPid(pid: number): void {
  if (live.delete(pid)) writeRecord();
}

/** Every pid currently tracked (processes started here and not yet seen exiting). */
export function trackedPids(): number[] {
  return [...live.keys()];
}

/** Kills every tracked pid with SIGKILL and removes every temp dir; synchronous. */
export function killEverything(): void {
  for (const pid of live.keys()) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
  live.clear();
  for (const d of tempDirs) rmDir(d);
  tempDirs.clear();
  writeRecord();
}

process.on('exit', killEverything);
const SIGNAL_NUMBERS = { SIGHUP: 1, SIGINT: 2, SIGTERM: 15 } as const;
for (const sig of Object.keys(SIGNAL_NUMBERS) as Array<keyof typeof SIGNAL_NUMBERS>) {
  process.on(sig, () => {
    // Someone else handles this signal (and will exit): the 'exit' hook cleans up after it.
    if (process.listenerCount(sig) > 1) return;
    killEverything();
    process.exit(128 + SIGNAL_NUMBERS[sig]);
  });
}

/** Spawns a process and tracks its pid until it exits. */
export function spawnTracked(cmd: string, args: string[], opts: SpawnOptions = {}): ChildProcess {
  const child = spawn(cmd, args, opts);
  const pid = child.pid;
  if (pid) trackPid(pid, `${path.basename(cmd)} ${args.join(' ')}`.slice(0, 200));
  child.on('exit', () => {
    if (pid) untrackPid(pid);
  });
  child.on('error', () => {
    // a spawn failure shows as a missing pid and an early exit; the caller reports it
  });
  return child;
}

/** A fresh temp dir, removed when the process exits (or by `removeTempDir`). */
export function tempDir(prefix = 'sentinel-ts-'): string {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  tempDirs.add(d);
  writeRecord();
  return d;
}

export function removeTempDir(d: string): void {
  rmDir(d);
  if (tempDirs.delete(d)) writeRecord();
}

// ---------------------------------------------------------------------------------------------
// Polling and talking to servers.

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/**
 * Polls `f` (every 25 ms) until it returns a truthy value, which is returned. Errors thrown by `f`
 * count as "not yet". On timeout the error says what was awaited, for how long, and the last
 * error or value seen.
 */
export async function waitFor<T>(f: () => T | Promise<T>, timeoutMs: number, what: string): Promise<NonNullable<T>> {
  const started = Date.now();
  let lastError: unknown;
  let lastValue: unknown;
  for (;;) {
    try {
      const v = await f();
      if (v) return v as NonNullable<T>;
      lastValue = v;
      lastError = undefined;
    } catch (e) {
      lastError = e;
    }
    if (Date.now() - started >= timeoutMs) {
      const detail = lastError !== undefined ? `last error: ${(lastError as Error)?.message ?? String(lastError)}` : `last value: ${JSON.stringify(lastValue)}`;
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what} (${detail})`);
    }
    await sleep(25);
  }
}

/** Sends raw bytes on a fresh connection and returns what came back up to the first complete line. */
export function rawCommand(port: number, data: string | Buffer, timeoutMs = 2000): Promise<string> {
  return new Promise((resolve, reject) => {
    const s = net.connect(port, '127.0.0.1');
    let out = '';
    const timer = setTimeout(() => {
      s.destroy();
      resolve(out);
    }, timeoutMs);
    s.on('data', (d) => {
      out += d.toString();
      if (out.endsWith('\r\n')) {
        clearTimeout(timer);
        s.destroy();
        resolve(out);
      }
    });
    s.on('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    s.write(data);
  });
}

/** An open TCP connection to 127.0.0.1:`port`, to drive the protocol by hand. */
export function connectRaw(port: number): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const s = net.connect(port, '127.0.0.1', () => resolve(s));
    s.on('error', reject);
  });
}

/** Resident memory of a live process, in MB (from /proc). */
export function rssMb(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) / 1024 : NaN;
}

/** True when the server answers an inline PING with a `+` or `-` line (how Redis's own harness checks). */
export async function pingOk(port: number): Promise<boolean> {
  try {
    const r = await rawCommand(port, 'PING\r\n', 500);
    return r.startsWith('+') || r.startsWith('-');
  } catch {
    return false;
  }
}

/** Runs the real `/usr/bin/redis-cli -p <port> ...args` and returns its stdout. */
export function redisCli(port: number, ...args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(REDIS_CLI, ['-p', String(port), ...args], { timeout: 10000 }, (err, stdout, stderr) => {
      if (err) reject(new Error(`redis-cli -p ${port} ${args.join(' ')}: ${err.message} ${stderr}`));
      else resolve(stdout);
    });
  });
}

// ---------------------------------------------------------------------------------------------
// Managed servers.

export interface Managed {
  readonly port: number;
  readonly pid: number;
  readonly dir: string;
  /** True once the current process has exited. */
  readonly exited: boolean;
  readonly exitCode: number | null;
  /**
   * Sends `signal` (SIGTERM by default, followed by SIGCONT so a stopped process can act on it),
   * then SIGKILL after `graceMs` (5000 by default); resolves once the process is gone.
   */
  stop(signal?: NodeJS.Signals, graceMs?: number): Promise<void>;
  /** SIGKILL; resolves once the process is gone. */
  kill9(): Promise<void>;
  /** Sends a signal and returns. */
  signal(sig: NodeJS.Signals): void;
  /** Freezes the process (SIGSTOP): it keeps its sockets but answers nothing. */
  sigstop(): void;
  /** Thaws a process frozen by `sigstop()` (SIGCONT). */
  sigcont(): void;
  /** Stops the process (SIGTERM) and starts it again with the same arguments, port and files. */
  restart(): Promise<void>;
  /** The server's log so far ('' when it has none yet). */
  log(): string;
}

const isGone = (c: ChildProcess): boolean => c.exitCode !== null || c.signalCode !== null;

async function terminate(child: ChildProcess, sig: NodeJS.Signals, graceMs: number): Promise<void> {
  if (isGone(child) || !child.pid) return;
  const gone = new Promise<void>((r) => child.once('exit', () => r()));
  try {
    child.kill(sig);
    if (sig !== 'SIGKILL' && sig !== 'SIGCONT') child.kill('SIGCONT');
  } catch {
    // raced with its exit
  }
  const t = setTimeout(() => {
    try {
      child.kill('SIGKILL');
    } catch {
      // gone
    }
  }, graceMs);
  await gone;
  clearTimeout(t);
}

function tail(text: string, lines = 15): string {
  return text.trimEnd().split('\n').slice(-lines).join('\n');
}

function readIfExists(file: string): string {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch {
    return '';
  }
}

/**
 * Waits until the server on `port` answers PING. Fails at once, with its output, if the process
 * exits first; otherwise after `timeoutMs`.
 */
async function awaitReady(child: ChildProcess, port: number, timeoutMs: number, describe: () => string): Promise<void> {
  const started = Date.now();
  for (;;) {
    if (isGone(child) || child.pid === undefined) {
      throw new Error(`${describe()} exited before answering PING on ${port} (exit code ${child.exitCode}, signal ${child.signalCode})`);
    }
    if (await pingOk(port)) return;
    if (Date.now() - started >= timeoutMs) throw new Error(`timed out after ${timeoutMs} ms waiting for ${describe()} to answer PING on ${port}`);
    await sleep(25);
  }
}

export interface RedisServer extends Managed {
  /** The redis-server arguments (without the binary). */
  readonly args: string[];
}

export interface StartRedisOptions {
  /** Default: a free port. */
  port?: number;
  /** Replicate from this port on 127.0.0.1, or from host:port. */
  replicaOf?: number | { host: string; port: number };
  /** More redis-server arguments, e.g. ['--replica-priority', '0']. */
  args?: string[];
  readyTimeoutMs?: number;
}

/**
 * Starts a real Debian redis-server on 127.0.0.1 with no persistence, in a fresh temp dir, logging
 * to `<dir>/redis.log`, and waits until it answers PING.
 */
export async function startRedis(opts: StartRedisOptions = {}): Promise<RedisServer> {
  const port = opts.port ?? (await freePort());
  const dir = tempDir('redis-');
  const logFile = path.join(dir, 'redis.log');
  const args = ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir, '--protected-mode', 'no', '--logfile', logFile, '--repl-diskless-sync-delay', '0'];
  if (opts.replicaOf !== undefined) {
    const m = typeof opts.replicaOf === 'number' ? { host: '127.0.0.1', port: opts.replicaOf } : opts.replicaOf;
    args.push('--replicaof', m.host, String(m.port));
  }
  args.push(...(opts.args ?? []));
  let child!: ChildProcess;
  const launch = async (): Promise<void> => {
    child = spawnTracked(REDIS_SERVER, args, { cwd: dir, stdio: 'ignore' });
    try {
      await awaitReady(child, port, opts.readyTimeoutMs ?? 10000, () => `redis-server (port ${port})`);
    } catch (e) {
      await terminate(child, 'SIGKILL', 0);
      throw new Error(`${(e as Error).message}\n--- ${logFile} ---\n${tail(readIfExists(logFile))}`);
    }
  };
  await launch();
  return {
    port,
    dir,
    args,
    get pid() {
      return child.pid ?? 0;
    },
    get exited() {
      return isGone(child);
    },
    get exitCode() {
      return child.exitCode;
    },
    stop: (sig = 'SIGTERM', graceMs = 5000) => terminate(child, sig, graceMs),
    kill9: () => terminate(child, 'SIGKILL', 0),
    signal: (sig) => void child.kill(sig),
    sigstop: () => void child.kill('SIGSTOP'),
    sigcont: () => void child.kill('SIGCONT'),
    restart: async () => {
      await terminate(child, 'SIGTERM', 5000);
      await launch();
    },
    log: () => readIfExists(logFile),
  };
}

export type SentinelImpl = 'ts' | 'redis';

/** The implementation a test asked for, unless SENTINEL_IMPL=redis forces the reference everywhere. */
export function effectiveImpl(impl: SentinelImpl): SentinelImpl {
  return process.env['SENTINEL_IMPL'] === 'redis' ? 'redis' : impl;
}

/**
 * For `test(name, { skip: tsOnly(reason) }, ...)`: skips a test of a deliberate difference from
 * redis-sentinel 7.0.15 (7.2 behaviour, a faster reaction) when SENTINEL_IMPL=redis.
 */
export function tsOnly(reason: string): string | false {
  return process.env['SENTINEL_IMPL'] === 'redis' ? `sentinel-ts only: ${reason}` : false;
}

/** The executable of an implementation: bin/sentinel-ts or /usr/bin/redis-sentinel. */
export function sentinelBinary(impl: SentinelImpl): string {
  return impl === 'redis' ? REDIS_SENTINEL : SENTINEL_TS;
}

export interface SentinelProcess extends Managed {
  readonly impl: SentinelImpl;
  /** Absolute path of the config file (the sentinel rewrites it). */
  readonly confPath: string;
  /** Everything the current and earlier runs wrote to stdout / stderr. */
  stdout(): string;
  stderr(): string;
  /** The config file as it is now on disk. */
  conf(): string;
  /**
   * Stops this sentinel (SIGTERM) and starts `impl` on the same config file, dir and port: the
   * other implementation taking over (a migration in either direction).
   */
  withImpl(impl: SentinelImpl): Promise<SentinelProcess>;
}

export interface StartSentinelOptions {
  /** Config lines after the generated `port`, `bind`, `dir` and `logfile` lines. */
  lines: string[];
  /** 'ts' (default) or 'redis'; SENTINEL_IMPL=redis overrides it. */
  impl?: SentinelImpl;
  /** Default: a free port. */
  port?: number;
  /** Command-line arguments after the config path, e.g. ['--loglevel', 'verbose']. */
  extraArgs?: string[];
  /** Default true: wait until it answers PING. */
  waitReady?: boolean;
  readyTimeoutMs?: number;
}

/**
 * Writes `<fresh temp dir>/sentinel.conf` (port, bind 127.0.0.1, dir, `logfile log.txt`, then
 * `lines`), starts the sentinel on it with stdout and stderr captured, and waits for PING.
 */
export async function startSentinel(opts: StartSentinelOptions): Promise<SentinelProcess> {
  const impl = effectiveImpl(opts.impl ?? 'ts');
  const port = opts.port ?? (await freePort());
  const dir = tempDir('sentinel-');
  const confPath = path.join(dir, 'sentinel.conf');
  fs.writeFileSync(confPath, [`port ${port}`, 'bind 127.0.0.1', `dir ${dir}`, 'logfile log.txt', ...opts.lines, ''].join('\n'));
  return launchSentinel(impl, port, dir, confPath, opts);
}

async function launchSentinel(impl: SentinelImpl, port: number, dir: string, confPath: string, opts: Omit<StartSentinelOptions, 'lines'>): Promise<SentinelProcess> {
  const logFile = path.join(dir, 'log.txt');
  let child!: ChildProcess;
  let out = '';
  let err = '';
  const launch = async (): Promise<void> => {
    child = spawnTracked(sentinelBinary(impl), [confPath, ...(opts.extraArgs ?? [])], { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
    if (opts.waitReady === false) return;
    try {
      await awaitReady(child, port, opts.readyTimeoutMs ?? 10000, () => `${impl} sentinel (${confPath})`);
    } catch (e) {
      await terminate(child, 'SIGKILL', 0);
      throw new Error(`${(e as Error).message}\n--- stderr ---\n${tail(err)}\n--- stdout ---\n${tail(out)}\n--- log.txt ---\n${tail(readIfExists(logFile))}`);
    }
  };
  await launch();
  return {
    impl,
    port,
    dir,
    confPath,
    get pid() {
      return child.pid ?? 0;
    },
    get exited() {
      return isGone(child);
    },
    get exitCode() {
      return child.exitCode;
    },
    stdout: () => out,
    stderr: () => err,
    log: () => readIfExists(logFile),
    conf: () => readIfExists(confPath),
    stop: (sig = 'SIGTERM', graceMs = 5000) => terminate(child, sig, graceMs),
    kill9: () => terminate(child, 'SIGKILL', 0),
    signal: (sig) => void child.kill(sig),
    sigstop: () => void child.kill('SIGSTOP'),
    sigcont: () => void child.kill('SIGCONT'),
    restart: async () => {
      await terminate(child, 'SIGTERM', 5000);
      await launch();
    },
    withImpl: async (other) => {
      await terminate(child, 'SIGTERM', 5000);
      return launchSentinel(other, port, dir, confPath, opts);
    },
  };
}

// ---------------------------------------------------------------------------------------------
// Topologies.

export interface Topology {
  master: RedisServer;
  replicas: RedisServer[];
  sentinels: SentinelProcess[];
  masterName: string;
  /** Every process of the topology: sentinels, master, replicas. */
  all(): Managed[];
  /** Stops every process (SIGTERM, SIGKILL after 5 s) and removes their temp dirs. */
  stopAll(): Promise<void>;
}

export interface TopologyOptions {
  /** Default 2. */
  replicas?: number;
  /** Default 3. */
  sentinels?: number;
  /** The implementation of each sentinel, by index; missing entries are 'ts'. */
  impls?: SentinelImpl[];
  /** Default 2000. */
  downAfterMs?: number;
  /** Default 10000. */
  failoverTimeoutMs?: number;
  /** Default 2. */
  quorum?: number;
  /** Default 'mymaster'. */
  masterName?: string;
  /** More sentinel config lines, for every sentinel. */
  extraLines?: string[];
  /** Default true: start the sentinels only once the master lists every replica as connected. */
  waitForReplicas?: boolean;
  /**
   * Called as soon as each sentinel answers PING, before the next one starts (e.g. to subscribe
   * to its events and see the discovery happen).
   */
  onSentinelStarted?: (s: SentinelProcess, index: number) => void | Promise<void>;
}

/** One master, its replicas (`replicaof`), and sentinels monitoring it. */
export async function startTopology(opts: TopologyOptions = {}): Promise<Topology> {
  const name = opts.masterName ?? 'mymaster';
  const started: Managed[] = [];
  const stopAll = async (): Promise<void> => {
    await Promise.all(started.map((p) => p.stop()));
    for (const p of started) removeTempDir(p.dir);
  };
  try {
    const master = await startRedis();
    started.push(master);
    const replicas: RedisServer[] = [];
    for (let i = 0; i < (opts.replicas ?? 2); i++) {
      const r = await startRedis({ replicaOf: master.port });
      started.push(r);
      replicas.push(r);
    }
    if (replicas.length > 0 && opts.waitForReplicas !== false) {
      const want = `connected_slaves:${replicas.length}`;
      await waitFor(async () => (await redisCli(master.port, 'info', 'replication')).includes(want), 15000, `master ${master.port} to report ${want}`);
    }
    const sentinels: SentinelProcess[] = [];
    for (let i = 0; i < (opts.sentinels ?? 3); i++) {
      const s = await startSentinel({
        impl: opts.impls?.[i] ?? 'ts',
        lines: [
          `sentinel monitor ${name} 127.0.0.1 ${master.port} ${opts.quorum ?? 2}`,
          `sentinel down-after-milliseconds ${name} ${opts.downAfterMs ?? 2000}`,
          `sentinel failover-timeout ${name} ${opts.failoverTimeoutMs ?? 10000}`,
          ...(opts.extraLines ?? []),
        ],
      });
      started.push(s);
      sentinels.push(s);
      await opts.onSentinelStarted?.(s, i);
    }
    return { master, replicas, sentinels, masterName: name, all: () => [...sentinels, master, ...replicas], stopAll };
  } catch (e) {
    await stopAll();
    throw e;
  }
}
