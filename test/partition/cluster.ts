/**
 * The topology of the partition scenarios, in namespaces of test/helpers/netns.ts: hosts h1, h2,
 * h3, each with one redis-server (port 6379) and one sentinel (port 26379) bound to the host's
 * address, and a client host c. h1's redis starts as the master, h2's and h3's as its replicas;
 * every sentinel monitors it with the same settings and finds its peers by hello. Each host runs
 * an agent (remote.ts) that samples its redis (role, writable) and records its sentinel's events.
 *
 * The sentinel implementation, its extra config lines (e.g. fencing) and extra redis-server
 * config lines (e.g. min-replicas-to-write) are options, so a feature is compared by running the
 * same scenario with and without its lines.
 */
import { Net } from '../helpers/netns.js';
import { removeTempDir } from '../helpers/pids.js';
import { startRedis } from '../helpers/redis-server.js';
import type { RedisServer } from '../helpers/redis-server.js';
import { startSentinel } from '../helpers/sentinels.js';
import type { SentinelImpl, SentinelProcess } from '../helpers/sentinels.js';
import { waitFor } from '../helpers/wait.js';
import { pairsToMap } from '../helpers/wire.js';
import { HostAgent, WriterProcess } from './remote.js';

export const SERVER_HOSTS = ['h1', 'h2', 'h3'] as const;
export type ServerHost = (typeof SERVER_HOSTS)[number];
export const CLIENT_HOST = 'c';
export const REDIS_PORT = 6379;
export const SENTINEL_PORT = 26379;

export interface ClusterOptions {
  /** 'ts' (bin/sentinel-ts, default) or 'redis' (/usr/bin/redis-sentinel). */
  impl?: SentinelImpl;
  /** Default 'mymaster'. */
  masterName?: string;
  /** Default 2. */
  quorum?: number;
  /** Default 5000. */
  downAfterMs?: number;
  /** Default 10000. */
  failoverTimeoutMs?: number;
  /** More lines for every sentinel's config, e.g. `sentinel fence-minority mymaster yes`. */
  sentinelLines?: string[];
  /** redis-server config lines for the master and the replicas, e.g. `min-replicas-to-write 1`. */
  redisLines?: string[];
  /** How often each agent samples its redis. Default 50 ms. */
  sampleIntervalMs?: number;
  /** How long a SET probe may take before the master counts as not writable. Default 200 ms. */
  probeTimeoutMs?: number;
  /** Called with progress lines (the bench prints them; tests stay quiet). */
  log?: (line: string) => void;
}

/** A sentinel did not start; `refusedConfig` when it rejected its config file (e.g. a directive it does not know). */
export class SentinelStartError extends Error {
  readonly refusedConfig: boolean;
  /** One line: the offending config line and the sentinel's reason, or the first line of the error. */
  readonly reason: string;
  constructor(message: string) {
    super(message);
    this.refusedConfig = message.includes('FATAL CONFIG FILE ERROR');
    const lines = message.split('\n').map((l) => l.trim());
    const i = lines.findIndex((l) => l.startsWith('>>>'));
    this.reason = i >= 0 ? `${lines[i]!.replace(/^>>>\s*/, '')}: ${lines[i + 1] ?? ''}` : (lines[0] ?? message);
  }
}

export class Cluster {
  readonly redis = {} as Record<ServerHost, RedisServer>;
  readonly sentinels = {} as Record<ServerHost, SentinelProcess>;
  readonly agents = {} as Record<ServerHost, HostAgent>;
  readonly masterName: string;
  readonly key = 'writes';
  private readonly writers: WriterProcess[] = [];

  private constructor(
    readonly net: Net,
    readonly opts: ClusterOptions,
  ) {
    this.masterName = opts.masterName ?? 'mymaster';
  }

  /** Builds the network, starts everything, and waits until the sentinels have settled. */
  static async start(opts: ClusterOptions = {}): Promise<Cluster> {
    const net = await Net.create([...SERVER_HOSTS, CLIENT_HOST]);
    const cluster = new Cluster(net, opts);
    try {
      await cluster.boot();
    } catch (e) {
      await cluster.destroy();
      throw e;
    }
    return cluster;
  }

  private log(line: string): void {
    this.opts.log?.(line);
  }

  private async boot(): Promise<void> {
    const o = this.opts;
    for (const h of SERVER_HOSTS) this.agents[h] = HostAgent.start(this.net, h);
    const redisArgs = (o.redisLines ?? []).flatMap((l) => {
      const [k, ...v] = l.trim().split(/\s+/);
      return [`--${k}`, ...v];
    });
    const master = this.addr('h1');
    for (const h of SERVER_HOSTS) {
      this.redis[h] = await startRedis({
        port: REDIS_PORT,
        place: this.net.placement(h),
        replicaOf: h === 'h1' ? undefined : { host: master, port: REDIS_PORT },
        args: redisArgs,
      });
    }
    await waitFor(async () => /connected_slaves:2/.test(await this.info('h1')), 20000, 'the master to list both replicas');
    for (const h of SERVER_HOSTS) {
      try {
        this.sentinels[h] = await startSentinel({
          impl: o.impl ?? 'ts',
          port: SENTINEL_PORT,
          place: this.net.placement(h),
          lines: [
            `sentinel monitor ${this.masterName} ${master} ${REDIS_PORT} ${o.quorum ?? 2}`,
            `sentinel down-after-milliseconds ${this.masterName} ${o.downAfterMs ?? 5000}`,
            `sentinel failover-timeout ${this.masterName} ${o.failoverTimeoutMs ?? 10000}`,
            ...(o.sentinelLines ?? []),
          ],
        });
      } catch (e) {
        throw new SentinelStartError((e as Error).message);
      }
    }
    for (const h of SERVER_HOSTS) {
      await this.agents[h].subscribe(SENTINEL_PORT);
      await this.agents[h].watch(REDIS_PORT, { intervalMs: o.sampleIntervalMs ?? 50, probeTimeoutMs: o.probeTimeoutMs ?? 200, probeKey: 'partition-probe' });
    }
    await waitFor(() => this.settled(), 30000, 'every sentinel to see 2 replicas and 3 sentinels', 100);
    this.log(`settled: ${o.impl ?? 'ts'} sentinels on ${SERVER_HOSTS.map((h) => this.addr(h)).join(', ')}`);
  }

  addr(host: string): string {
    return this.net.addr(host);
  }

  /** The server host whose redis has address `addr`. */
  hostOf(addr: string): ServerHost | undefined {
    const h = this.net.hostOf(addr);
    return (SERVER_HOSTS as readonly string[]).includes(h ?? '') ? (h as ServerHost) : undefined;
  }

  /** INFO replication of `host`'s redis, asked by its own agent. */
  async info(host: ServerHost): Promise<string> {
    return String(await this.agents[host].call(REDIS_PORT, ['INFO', 'replication']));
  }

  /** Sentinels still running (the kill scenario kills one). */
  aliveSentinels(): ServerHost[] {
    return SERVER_HOSTS.filter((h) => !this.sentinels[h].exited);
  }

  aliveRedis(): ServerHost[] {
    return SERVER_HOSTS.filter((h) => !this.redis[h].exited);
  }

  /** True when every sentinel sees the master ok with 2 replicas and 3 sentinels. */
  async settled(): Promise<boolean> {
    for (const h of SERVER_HOSTS) {
      const info = String(await this.agents[h].call(SENTINEL_PORT, ['INFO', 'sentinel']));
      if (!/status=ok,.*slaves=2,sentinels=3/.test(info)) return false;
    }
    return true;
  }

  /** The server host each running sentinel names as the master (undefined: unknown address). */
  async sentinelMasters(): Promise<Partial<Record<ServerHost, ServerHost | undefined>>> {
    const r: Partial<Record<ServerHost, ServerHost | undefined>> = {};
    for (const h of this.aliveSentinels()) {
      const a = (await this.agents[h].call(SENTINEL_PORT, ['SENTINEL', 'GET-MASTER-ADDR-BY-NAME', this.masterName])) as string[] | null;
      r[h] = a ? this.hostOf(a[0]!) : undefined;
    }
    return r;
  }

  /**
   * The master once everything has converged: every running sentinel names it and has no
   * failover in progress and no down flag on it (so a leader still finishing the failover has
   * published its +switch-master before anything is counted), it reports
   * role:master and lists every other running server as an online replica, and those report
   * role:slave of it with the link up and no sync in progress. Throws with what is missing.
   */
  async converged(): Promise<ServerHost> {
    const named = await this.sentinelMasters();
    const masters = new Set(Object.values(named));
    const m = [...masters][0];
    if (masters.size !== 1 || !m) throw new Error(`sentinels name ${JSON.stringify(named)}`);
    for (const h of this.aliveSentinels()) {
      const fields = pairsToMap<string>(await this.agents[h].call(SENTINEL_PORT, ['SENTINEL', 'MASTER', this.masterName]));
      if (fields.get('flags') !== 'master') throw new Error(`sentinel ${h} flags the master ${fields.get('flags')}`);
    }
    if (this.redis[m].exited) throw new Error(`sentinels name ${m}, whose redis is not running`);
    const mInfo = await this.info(m);
    if (!/^role:master/m.test(mInfo)) throw new Error(`${m} is named by the sentinels but is not a master`);
    for (const r of this.aliveRedis().filter((x) => x !== m)) {
      const info = await this.info(r);
      const following = /^role:slave/m.test(info) && info.includes(`master_host:${this.addr(m)}`) && info.includes('master_link_status:up') && info.includes('master_sync_in_progress:0');
      if (!following) throw new Error(`${r} does not replicate from ${m} yet`);
      if (!new RegExp(`ip=${this.addr(r).replace(/\./g, '\\.')},port=${REDIS_PORT},state=online`).test(mInfo)) throw new Error(`${m} does not list ${r} as an online replica`);
    }
    return m;
  }

  /** Waits for `converged()`; returns the master. */
  async waitConverged(timeoutMs: number): Promise<ServerHost> {
    return waitFor(() => this.converged(), timeoutMs, 'the sentinels and servers to converge', 100);
  }

  /** The numbers in the writer's list on `host`'s redis. */
  async listOn(host: ServerHost): Promise<number[]> {
    const items = (await this.agents[host].call(REDIS_PORT, ['LRANGE', this.key, '0', '-1'], 10000)) as string[];
    return items.map(Number);
  }

  /** Starts the writer in the client host, given every sentinel. */
  async startWriter(): Promise<WriterProcess> {
    const w = await WriterProcess.start(this.net, CLIENT_HOST, {
      sentinels: SERVER_HOSTS.map((h) => ({ host: this.addr(h), port: SENTINEL_PORT })),
      name: this.masterName,
      key: this.key,
    });
    this.writers.push(w);
    return w;
  }

  /** Stops every process and deletes the network. */
  async destroy(): Promise<void> {
    await Promise.all(this.writers.map((w) => w.stop().catch(() => {})));
    await Promise.all(Object.values(this.agents).map((a) => a.close()));
    const servers = [...Object.values(this.sentinels), ...Object.values(this.redis)];
    await Promise.all(servers.map((s) => s.kill9()));
    for (const s of servers) removeTempDir(s.dir);
    await this.net.destroy();
  }
}
