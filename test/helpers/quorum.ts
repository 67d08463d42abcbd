/**
 * Steps shared by the integration tests that run a mixed quorum (two sentinel-ts and one
 * redis-sentinel, or all redis-sentinel with SENTINEL_IMPL=redis) through a failover.
 */
import type { RedisServer } from './redis-server.js';
import { startSentinel } from './sentinels.js';
import type { SentinelImpl, SentinelProcess } from './sentinels.js';
import { waitFor } from './wait.js';
import { redisCli } from './wire.js';

export const MIXED_QUORUM: readonly SentinelImpl[] = ['ts', 'ts', 'redis'];

/** One sentinel per implementation, each with the same config lines (started one after the other). */
export async function startSentinels(lines: string[], impls: readonly SentinelImpl[] = MIXED_QUORUM): Promise<SentinelProcess[]> {
  const out: SentinelProcess[] = [];
  for (const impl of impls) out.push(await startSentinel({ impl, lines }));
  return out;
}

/** `INFO sentinel`'s line for a master: `address=<host>:<port>,slaves=<n>,sentinels=<n>` reached on every sentinel. */
export async function waitForView(sentinels: readonly SentinelProcess[], view: string, timeoutMs = 15000, cli: string[] = []): Promise<void> {
  for (const s of sentinels) {
    await waitFor(async () => (await redisCli(s.port, ...cli, 'info', 'sentinel')).includes(view), timeoutMs, `${s.impl} sentinel on ${s.port} to show ${view}`);
  }
}

/** Waits until every sentinel names 127.0.0.1:`port` as the master `name`. */
export async function waitForMaster(sentinels: readonly SentinelProcess[], port: number, timeoutMs = 30000, cli: string[] = [], name = 'mymaster'): Promise<void> {
  for (const s of sentinels) {
    await waitFor(
      async () => (await redisCli(s.port, ...cli, 'sentinel', 'get-master-addr-by-name', name)) === `127.0.0.1\n${port}\n`,
      timeoutMs,
      `${s.impl} sentinel on ${s.port} to name 127.0.0.1:${port} as ${name}`,
    );
  }
}

/** Freezes `master` (SIGSTOP) until every sentinel names `promotedPort`, then thaws it. */
export async function failOverFrozenMaster(master: RedisServer, sentinels: readonly SentinelProcess[], promotedPort: number, cli: string[] = []): Promise<void> {
  master.sigstop();
  try {
    await waitForMaster(sentinels, promotedPort, 30000, cli);
  } finally {
    master.sigcont();
  }
}

/** Waits until `server` replicates from 127.0.0.1:`masterPort` (redis-cli extra arguments for auth in `cli`). */
export async function waitForReplicaOf(server: RedisServer, masterPort: number, timeoutMs = 30000, cli: string[] = []): Promise<void> {
  await waitFor(async () => (await redisCli(server.port, ...cli, 'info', 'replication')).includes(`master_port:${masterPort}`), timeoutMs, `${server.port} to replicate from ${masterPort}`);
}

/** Stops the sentinels, then the servers (each may be undefined when `before` failed early). */
export async function stopAll(sentinels: readonly SentinelProcess[], servers: readonly (RedisServer | undefined)[]): Promise<void> {
  for (const s of sentinels) await s.stop();
  for (const r of servers) await r?.stop();
}

/** sentinel-ts must never write to stderr (redis-sentinel is not held to it). */
export function tsStderr(sentinels: readonly SentinelProcess[]): string {
  return sentinels
    .filter((s) => s.impl === 'ts')
    .map((s) => s.stderr())
    .join('');
}
