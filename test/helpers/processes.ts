/**
 * Real processes for integration tests, the demo and benchmarks: redis-server and sentinels
 * (sentinel-ts or the reference redis-sentinel) on free loopback ports, each tracked by pid and
 * killed when the test ends, and again on process exit, so nothing is ever left running.
 */
import { execFile, spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort } from './ports.js';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..', '..');
export const SENTINEL_TS = path.join(ROOT, 'bin/sentinel-ts');
export const REDIS_SENTINEL = '/usr/bin/redis-sentinel';
export const REDIS_SERVER = '/usr/bin/redis-server';
export const REDIS_CLI = '/usr/bin/redis-cli';

const live = new Map<number, ChildProcess>();
const tempDirs = new Set<string>();

function cleanupEverything(): void {
  for (const [pid] of live) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
  live.clear();
  for (const d of tempDirs) fs.rmSync(d, { recursive: true, force: true });
  tempDirs.clear();
}
process.on('exit', cleanupEverything);
for (const sig of ['SIGINT', 'SIGTERM'] as const) {
  process.once(sig, () => {
    cleanupEverything();
    process.exit(130);
  });
}

export function tempDir(prefix = 'sentinel-ts-'): string {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  tempDirs.add(d);
  return d;
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Polls `f` until it returns a truthy value; the error names what was awaited. */
export async function waitFor<T>(f: () => T | Promise<T>, timeoutMs: number, what: string): Promise<NonNullable<T>> {
  const end = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await f();
      if (v) return v as NonNullable<T>;
    } catch (e) {
      last = e;
    }
    if (Date.now() > end) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${last ? ` (last error: ${(last as Error).message})` : ''}`);
    await sleep(25);
  }
}

/** One RESP command over a fresh socket (RESP2), returning the raw reply text. */
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
      if (/\r\n$/.test(out)) {
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

export async function pingOk(port: number): Promise<boolean> {
  try {
    const r = await rawCommand(port, 'PING\r\n', 500);
    return r.startsWith('+') || r.startsWith('-');
  } catch {
    return false;
  }
}

export function redisCli(port: number, ...args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(REDIS_CLI, ['-p', String(port), ...args], { timeout: 10000 }, (err, stdout, stderr) => {
      if (err) reject(new Error(`redis-cli ${args.join(' ')}: ${err.message} ${stderr}`));
      else resolve(stdout);
    });
  });
}

interface Managed {
  port: number;
  readonly pid: number;
  readonly dir: string;
  /** SIGTERM, then SIGKILL after 5 s; resolves when the process is gone. */
  stop(): Promise<void>;
  kill9(): Promise<void>;
  signal(sig: NodeJS.Signals): void;
  restart(): Promise<void>;
  readonly exited: boolean;
}

function track(child: ChildProcess): void {
  if (child.pid) live.set(child.pid, child);
  child.on('exit', () => {
    if (child.pid) live.delete(child.pid);
  });
}

async function terminate(child: ChildProcess, sig: NodeJS.Signals, graceMs: number): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const gone = new Promise<void>((r) => child.once('exit', () => r()));
  child.kill(sig);
  const t = setTimeout(() => child.kill('SIGKILL'), graceMs);
  await gone;
  clearTimeout(t);
}

export interface RedisServer extends Managed {
  readonly args: string[];
}

export async function startRedis(opts: { port?: number; replicaOf?: number; args?: string[] } = {}): Promise<RedisServer> {
  const port = opts.port ?? (await freePort());
  const dir = tempDir('redis-');
  const args = ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir, '--protected-mode', 'no', '--repl-diskless-sync-delay', '0'];
  if (opts.replicaOf) args.push('--replicaof', '127.0.0.1', String(opts.replicaOf));
  args.push(...(opts.args ?? []));
  let child!: ChildProcess;
  const launch = async (): Promise<void> => {
    child = spawn(REDIS_SERVER, args, { cwd: dir, stdio: 'ignore' });
    track(child);
    await waitFor(() => pingOk(port), 10000, `redis-server on ${port}`);
  };
  await launch();
  const server: RedisServer = {
    port,
    dir,
    args,
    get pid() {
      return child.pid ?? 0;
    },
    get exited() {
      return child.exitCode !== null || child.signalCode !== null;
    },
    stop: () => terminate(child, 'SIGTERM', 5000),
    kill9: () => terminate(child, 'SIGKILL', 0),
    signal: (sig) => child.kill(sig),
    restart: async () => {
      await terminate(child, 'SIGTERM', 5000);
      await launch();
    },
  };
  return server;
}

export type SentinelImpl = 'ts' | 'redis';

export interface SentinelProcess extends Managed {
  readonly impl: SentinelImpl;
  readonly confPath: string;
  stdout(): string;
  stderr(): string;
  log(): string;
  readonly exitCode: number | null;
}

/** The implementation a test asked for, unless SENTINEL_IMPL=redis forces the reference everywhere. */
export function effectiveImpl(impl: SentinelImpl): SentinelImpl {
  return process.env['SENTINEL_IMPL'] === 'redis' ? 'redis' : impl;
}

export async function startSentinel(opts: { lines: string[]; impl?: SentinelImpl; port?: number; extraArgs?: string[]; waitReady?: boolean }): Promise<SentinelProcess> {
  const impl = effectiveImpl(opts.impl ?? 'ts');
  const port = opts.port ?? (await freePort());
  const dir = tempDir('sentinel-');
  const confPath = path.join(dir, 'sentinel.conf');
  fs.writeFileSync(confPath, [`port ${port}`, 'bind 127.0.0.1', `dir ${dir}`, 'logfile log.txt', ...opts.lines, ''].join('\n'));
  let child!: ChildProcess;
  let out = '';
  let err = '';
  const launch = async (): Promise<void> => {
    child = spawn(impl === 'ts' ? SENTINEL_TS : REDIS_SENTINEL, [confPath, ...(opts.extraArgs ?? [])], { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
    track(child);
    child.stdout!.on('data', (d) => (out += d.toString()));
    child.stderr!.on('data', (d) => (err += d.toString()));
    if (opts.waitReady !== false) {
      await waitFor(() => pingOk(port), 10000, `${impl} sentinel on ${port} (stderr: ${err})`);
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
      return child.exitCode !== null || child.signalCode !== null;
    },
    get exitCode() {
      return child.exitCode;
    },
    stdout: () => out,
    stderr: () => err,
    log: () => {
      try {
        return fs.readFileSync(path.join(dir, 'log.txt'), 'utf8');
      } catch {
        return '';
      }
    },
    stop: () => terminate(child, 'SIGTERM', 5000),
    kill9: () => terminate(child, 'SIGKILL', 0),
    signal: (sig) => child.kill(sig),
    restart: async () => {
      await terminate(child, 'SIGTERM', 5000);
      await launch();
    },
  };
}

export interface Topology {
  master: RedisServer;
  replicas: RedisServer[];
  sentinels: SentinelProcess[];
  masterName: string;
  stopAll(): Promise<void>;
}

/** A master, its replicas, and sentinels monitoring it (quorum 2, fast timers by default). */
export async function startTopology(opts: {
  replicas?: number;
  sentinels?: number;
  impls?: SentinelImpl[];
  downAfterMs?: number;
  failoverTimeoutMs?: number;
  quorum?: number;
  extraLines?: string[];
}): Promise<Topology> {
  const master = await startRedis();
  const replicas: RedisServer[] = [];
  for (let i = 0; i < (opts.replicas ?? 2); i++) replicas.push(await startRedis({ replicaOf: master.port }));
  const sentinels: SentinelProcess[] = [];
  const n = opts.sentinels ?? 3;
  for (let i = 0; i < n; i++) {
    sentinels.push(
      await startSentinel({
        impl: opts.impls?.[i] ?? 'ts',
        lines: [
          `sentinel monitor mymaster 127.0.0.1 ${master.port} ${opts.quorum ?? 2}`,
          `sentinel down-after-milliseconds mymaster ${opts.downAfterMs ?? 2000}`,
          `sentinel failover-timeout mymaster ${opts.failoverTimeoutMs ?? 10000}`,
          ...(opts.extraLines ?? []),
        ],
      }),
    );
  }
  return {
    master,
    replicas,
    sentinels,
    masterName: 'mymaster',
    stopAll: async () => {
      await Promise.all([...sentinels, master, ...replicas].map((p) => p.stop()));
    },
  };
}
