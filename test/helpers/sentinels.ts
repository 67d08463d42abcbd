/**
 * Sentinels for the tests (sentinel-ts, or the reference redis-sentinel) on free loopback ports,
 * each with its config file in a temp dir, and whole topologies: a master, its replicas and the
 * sentinels monitoring it.
 *
 * Set SENTINEL_IMPL=redis to run every sentinel as /usr/bin/redis-sentinel: the integration suite
 * then checks itself against the reference implementation.
 */
import type { ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { LOCAL, awaitReady, managedHandle, readIfExists, tail, terminate } from './managed.js';
import type { Managed, Placement } from './managed.js';
import { REDIS_SENTINEL, SENTINEL_TS } from './paths.js';
import { removeTempDir, spawnTracked, tempDir } from './pids.js';
import { freePort } from './ports.js';
import { startRedis } from './redis-server.js';
import type { RedisServer } from './redis-server.js';
import { waitFor } from './wait.js';
import { redisCli } from './wire.js';

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
  /** Where it runs and what it binds: by default here, on 127.0.0.1. */
  place?: Placement;
}

/**
 * Writes `<fresh temp dir>/sentinel.conf` (port, bind 127.0.0.1 or `place`'s address, dir, `logfile log.txt`, then
 * `lines`), starts the sentinel on it with stdout and stderr captured, and waits for PING.
 */
export async function startSentinel(opts: StartSentinelOptions): Promise<SentinelProcess> {
  const impl = effectiveImpl(opts.impl ?? 'ts');
  const port = opts.port ?? (await freePort());
  const dir = tempDir('sentinel-');
  const confPath = path.join(dir, 'sentinel.conf');
  fs.writeFileSync(confPath, [`port ${port}`, `bind ${(opts.place ?? LOCAL).host}`, `dir ${dir}`, 'logfile log.txt', ...opts.lines, ''].join('\n'));
  return launchSentinel(impl, port, dir, confPath, opts);
}

async function launchSentinel(impl: SentinelImpl, port: number, dir: string, confPath: string, opts: Omit<StartSentinelOptions, 'lines'>): Promise<SentinelProcess> {
  const logFile = path.join(dir, 'log.txt');
  let child!: ChildProcess;
  let out = '';
  let err = '';
  const place = opts.place ?? LOCAL;
  const launch = async (): Promise<void> => {
    child = spawnTracked(...place.command(sentinelBinary(impl), [confPath, ...(opts.extraArgs ?? [])]), { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
    if (opts.waitReady === false) return;
    try {
      await awaitReady(child, port, opts.readyTimeoutMs ?? 10000, () => `${impl} sentinel (${confPath})`, place.ping);
    } catch (e) {
      await terminate(child, 'SIGKILL', 0);
      throw new Error(`${(e as Error).message}\n--- stderr ---\n${tail(err)}\n--- stdout ---\n${tail(out)}\n--- log.txt ---\n${tail(readIfExists(logFile))}`);
    }
  };
  await launch();
  // The getters of the handle must stay live: extend it, do not spread it.
  return Object.assign(managedHandle(port, dir, logFile, () => child, launch), {
    impl,
    confPath,
    stdout: () => out,
    stderr: () => err,
    conf: () => readIfExists(confPath),
    withImpl: async (other: SentinelImpl): Promise<SentinelProcess> => {
      await terminate(child, 'SIGTERM', 5000);
      return launchSentinel(other, port, dir, confPath, opts);
    },
  });
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
  /** More config lines for the sentinel of this index (e.g. its own http-port). */
  linesFor?: (index: number) => string[] | Promise<string[]>;
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
          ...((await opts.linesFor?.(i)) ?? []),
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
