/** Real Debian redis-servers for the tests, on free loopback ports, in temp dirs, with no persistence. */
import type { ChildProcess } from 'node:child_process';
import path from 'node:path';
import { LOCAL, awaitReady, managedHandle, readIfExists, tail, terminate } from './managed.js';
import type { Managed, Placement } from './managed.js';
import { REDIS_SERVER } from './paths.js';
import { spawnTracked, tempDir } from './pids.js';
import { freePort } from './ports.js';

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
  /** Where it runs and what it binds: by default here, on 127.0.0.1. */
  place?: Placement;
}

/**
 * Starts a real Debian redis-server on 127.0.0.1 (or `place`) with no persistence, in a fresh temp dir, logging
 * to `<dir>/redis.log`, and waits until it answers PING.
 */
export async function startRedis(opts: StartRedisOptions = {}): Promise<RedisServer> {
  const place = opts.place ?? LOCAL;
  const port = opts.port ?? (await freePort());
  const dir = tempDir('redis-');
  const logFile = path.join(dir, 'redis.log');
  const args = ['--port', String(port), '--bind', place.host, '--save', '', '--appendonly', 'no', '--dir', dir, '--protected-mode', 'no', '--logfile', logFile, '--repl-diskless-sync-delay', '0'];
  if (opts.replicaOf !== undefined) {
    const m = typeof opts.replicaOf === 'number' ? { host: '127.0.0.1', port: opts.replicaOf } : opts.replicaOf;
    args.push('--replicaof', m.host, String(m.port));
  }
  args.push(...(opts.args ?? []));
  let child!: ChildProcess;
  const launch = async (): Promise<void> => {
    child = spawnTracked(...place.command(REDIS_SERVER, args), { cwd: dir, stdio: 'ignore' });
    try {
      await awaitReady(child, port, opts.readyTimeoutMs ?? 10000, () => `redis-server (${place.host}:${port})`, place.ping);
    } catch (e) {
      await terminate(child, 'SIGKILL', 0);
      throw new Error(`${(e as Error).message}\n--- ${logFile} ---\n${tail(readIfExists(logFile))}`);
    }
  };
  await launch();
  // The getters of the handle must stay live: extend it, do not spread it.
  return Object.assign(managedHandle(port, dir, logFile, () => child, launch), { args });
}
