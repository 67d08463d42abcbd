/**
 * Partition scenarios on the namespace cluster (cluster.ts), for the partition tests and
 * bench/partition.ts. Each one builds a fresh cluster, lets it settle, starts the writer in the
 * client host, warms up, injects its fault, heals, waits until everything has converged, stops
 * the writer, reads the final master's list, tears everything down (also on failure), and
 * returns plain figures:
 *
 * - isolateMaster: {h1 (the master), c} cut off from {h2, h3} for partitionMs. The majority
 *   promotes a replica; without fencing the old master keeps acknowledging the client's writes,
 *   which are lost at the heal.
 * - sentinelOnlyPartition: only the sentinel port is cut, between all three sentinel hosts (or
 *   between h3 and the other two); every sentinel still reaches every redis. Nothing should fail
 *   over, and nothing should stop writes either.
 * - killFencingSentinel: an isolateMaster partition in which h1's sentinel is SIGKILLed once it
 *   has fenced the master (its +fence event, when fencing is configured) or after killAfterMs;
 *   measures when writes resume at the isolated master.
 * - killMaster: SIGKILL of the master's redis, no partition: lost writes and the number of
 *   failovers (exactly one expected).
 */
import { sleep, waitFor } from '../helpers/wait.js';
import type { SentinelImpl } from '../helpers/sentinels.js';
import { CLIENT_HOST, Cluster, SENTINEL_PORT } from './cluster.js';
import type { ClusterOptions, ServerHost } from './cluster.js';
import { dualMasterMs, longestGap, lostWrites } from './measure.js';
import type { RoleSample, SentinelEvent, WriterProcess } from './remote.js';

/**
 * The sentinel config lines that turn minority fencing on (only sentinel-ts accepts them; until
 * it does, a sentinel started with them refuses its config).
 */
export const FENCING_LINES = (masterName = 'mymaster', afterMs = 1000): string[] => [`sentinel fence-minority ${masterName} yes`, `sentinel fence-after-milliseconds ${masterName} ${afterMs}`];

/** The redis-server lines that make a master refuse writes once it has no replica acknowledging within 10 s. */
export const MIN_REPLICAS_LINES = ['min-replicas-to-write 1', 'min-replicas-max-lag 10'];

export type ScenarioKind = 'isolateMaster' | 'sentinelOnlyPartition' | 'killFencingSentinel' | 'killMaster';

export interface ScenarioOptions extends ClusterOptions {
  /** How long partitions last. Default 20000 ms. */
  partitionMs?: number;
  /** Writing before the fault. Default 3000 ms. */
  warmupMs?: number;
  /** Default 60000 ms. */
  convergeTimeoutMs?: number;
  /** sentinelOnlyPartition: cut every sentinel from every other ('all', default), or only h3's from the other two. */
  cutOff?: 'all' | 'h3';
  /** killFencingSentinel: wait for h1's +fence before the kill. Default: whether the sentinel lines enable fence-minority. */
  expectFence?: boolean;
  /** killFencingSentinel: when no fence is awaited, kill this long after the partition starts. Default 3000 ms. */
  killAfterMs?: number;
}

/** An event, with `t` in ms since the fault. */
export type RelativeEvent = SentinelEvent;

export interface ScenarioResult {
  scenario: ScenarioKind;
  impl: SentinelImpl;
  /** Writes the writer sent (acknowledged + failed). */
  attempted: number;
  acknowledged: number;
  failed: number;
  /** Acknowledged writes missing from the final master's list. */
  lost: number;
  /** The first few lost numbers, for a report. */
  lostSample: number[];
  /** Failed writes by error message (its first 60 characters). */
  errors: Record<string, number>;
  /** Times the writer's ioredis client gave up for good and was replaced (writer.ts explains). */
  writerClientRestarts: number;
  /** The writer's (re)connections: ms since the fault, and the server's ip:port. */
  connections: { t: number; addr: string }[];
  /** Acknowledged writes whose reply came during the fault window (partition, or kill to convergence). */
  acknowledgedDuringFault: number;
  /** The longest time without an acknowledged write, from the fault to the writer's stop. */
  longestGapMs: number;
  /** +switch-master events h2's sentinel published after the fault. */
  failovers: number;
  dualMaster: {
    /** During the fault window: h1 and another server both report role:master. */
    faultMs: number;
    /** The same, while h1 also accepts a probe write (not paused, not refusing). */
    faultWritableMs: number;
    /** From the heal until the writer's stop. */
    afterHealMs: number;
    afterHealWritableMs: number;
  };
  oldMaster: ServerHost;
  finalMaster: ServerHost;
  /** Did the writer get an acknowledgement from the converged master before being stopped. */
  writesResumed: boolean;
  /** Milestones in ms since the fault (null: did not happen). */
  timeline: {
    healMs: number | null;
    convergedMs: number;
    firstSwitchMasterMs: number | null;
    firstFenceMs: number | null;
    /** killFencingSentinel: when h1's sentinel was killed. */
    killMs: number | null;
    /** killFencingSentinel: from the kill to the next acknowledged write before the heal (null: none). */
    writesResumedAfterKillMs: number | null;
  };
  /** Per channel, how many events all sentinels published after the fault. */
  eventCounts: Record<string, number>;
  /** Every sentinel event after the fault, with `t` in ms since the fault. */
  events: RelativeEvent[];
}

/** What a fault did: when it healed (if it is a partition) and any milestones of its own. */
interface FaultOutcome {
  healAt: number | null;
  killAt?: number;
}

const ISOLATE: string[][] = [
  ['h1', CLIENT_HOST],
  ['h2', 'h3'],
];

export function isolateMaster(opts: ScenarioOptions = {}): Promise<ScenarioResult> {
  return runScenario('isolateMaster', opts);
}

export function sentinelOnlyPartition(opts: ScenarioOptions = {}): Promise<ScenarioResult> {
  return runScenario('sentinelOnlyPartition', opts);
}

export function killFencingSentinel(opts: ScenarioOptions = {}): Promise<ScenarioResult> {
  return runScenario('killFencingSentinel', opts);
}

export function killMaster(opts: ScenarioOptions = {}): Promise<ScenarioResult> {
  return runScenario('killMaster', opts);
}

/** Whether the sentinel config lines turn fencing on. */
export function fencingConfigured(opts: ScenarioOptions): boolean {
  return (opts.sentinelLines ?? []).some((l) => /^\s*sentinel\s+fence-minority\s+\S+\s+yes\b/i.test(l));
}

/** Holds a partition for partitionMs from `faultAt`, then heals. */
async function holdAndHeal(cluster: Cluster, faultAt: number, partitionMs: number): Promise<number> {
  await sleep(Math.max(0, faultAt + partitionMs - Date.now()));
  await cluster.net.heal();
  return Date.now();
}

async function injectFault(kind: ScenarioKind, cluster: Cluster, opts: ScenarioOptions, faultAt: number): Promise<FaultOutcome> {
  const partitionMs = opts.partitionMs ?? 20000;
  const log = (l: string): void => opts.log?.(l);
  switch (kind) {
    case 'isolateMaster': {
      await cluster.net.partition(ISOLATE);
      log(`partition {h1, c} | {h2, h3} for ${partitionMs} ms`);
      return { healAt: await holdAndHeal(cluster, faultAt, partitionMs) };
    }
    case 'sentinelOnlyPartition': {
      const groups = opts.cutOff === 'h3' ? [['h3'], ['h1', 'h2']] : [['h1'], ['h2'], ['h3']];
      await cluster.net.partition(groups, { port: SENTINEL_PORT });
      log(`sentinel port cut between ${groups.map((g) => `{${g.join(', ')}}`).join(' | ')} for ${partitionMs} ms`);
      return { healAt: await holdAndHeal(cluster, faultAt, partitionMs) };
    }
    case 'killFencingSentinel': {
      await cluster.net.partition(ISOLATE);
      const agent = cluster.agents.h1;
      if (opts.expectFence ?? fencingConfigured(opts)) {
        log('partition {h1, c} | {h2, h3}; waiting for +fence on h1');
        const budget = Math.max(1000, partitionMs - 1000);
        try {
          await waitFor(() => agent.events.some((e) => e.channel === '+fence' && e.t >= faultAt), budget, "h1's sentinel to publish +fence");
        } catch {
          log(`no +fence within ${budget} ms: killing anyway`);
        }
      } else {
        const killAfter = opts.killAfterMs ?? 3000;
        log(`partition {h1, c} | {h2, h3}; killing h1's sentinel after ${killAfter} ms`);
        await sleep(Math.max(0, faultAt + killAfter - Date.now()));
      }
      const killAt = Date.now();
      await cluster.sentinels.h1.kill9();
      log(`killed h1's sentinel at +${killAt - faultAt} ms`);
      return { healAt: await holdAndHeal(cluster, faultAt, partitionMs), killAt };
    }
    case 'killMaster': {
      await cluster.redis.h1.kill9();
      log("killed h1's redis (the master)");
      return { healAt: null };
    }
  }
}

/** Runs one scenario on a fresh cluster; see the top of the file. */
export async function runScenario(kind: ScenarioKind, opts: ScenarioOptions = {}): Promise<ScenarioResult> {
  const cluster = await Cluster.start(opts);
  try {
    const writer = await cluster.startWriter();
    await sleep(opts.warmupMs ?? 3000);
    const faultAt = Date.now();
    const fault = await injectFault(kind, cluster, opts, faultAt);
    const finalMaster = await cluster.waitConverged(opts.convergeTimeoutMs ?? 60000);
    const convergedAt = Date.now();
    opts.log?.(`converged on ${finalMaster} at +${convergedAt - faultAt} ms`);
    let writesResumed = true;
    try {
      // The writer finds the converged master by itself; give it time, then some writes there.
      await waitFor(() => writer.lastAckAt() > convergedAt, 20000, 'writes to resume on the converged master');
      await sleep(500);
    } catch {
      writesResumed = false;
    }
    await writer.stop();
    const endAt = Date.now();
    const finalList = await cluster.listOn(finalMaster);
    return measure(kind, cluster, writer, finalList, { faultAt, endAt, convergedAt, finalMaster, writesResumed, ...fault });
  } finally {
    await cluster.destroy();
  }
}

interface Moments extends FaultOutcome {
  faultAt: number;
  endAt: number;
  convergedAt: number;
  finalMaster: ServerHost;
  writesResumed: boolean;
}

function measure(kind: ScenarioKind, cluster: Cluster, writer: WriterProcess, finalList: number[], m: Moments): ScenarioResult {
  const acks = writer.acks();
  const lost = lostWrites(
    acks.map((w) => w.id),
    finalList,
  );
  const faultEnd = m.healAt ?? m.endAt;
  const samples: RoleSample[] = Object.values(cluster.agents).flatMap((a) => a.samples);
  const events = Object.values(cluster.agents)
    .flatMap((a) => a.events)
    .filter((e) => e.t >= m.faultAt)
    .sort((a, b) => a.t - b.t)
    .map((e) => ({ ...e, t: e.t - m.faultAt }));
  const eventCounts: Record<string, number> = {};
  for (const e of events) eventCounts[e.channel] = (eventCounts[e.channel] ?? 0) + 1;
  const first = (channel: string): number | null => events.find((e) => e.channel === channel)?.t ?? null;
  const errors: Record<string, number> = {};
  for (const w of writer.writes) if (!w.ok) errors[(w.error ?? '').slice(0, 60)] = (errors[(w.error ?? '').slice(0, 60)] ?? 0) + 1;
  const resumed = m.killAt === undefined ? undefined : acks.find((w) => w.done > m.killAt! && (m.healAt === null || w.done <= m.healAt));
  return {
    scenario: kind,
    impl: cluster.sentinels.h2.impl,
    attempted: writer.attempted,
    acknowledged: acks.length,
    failed: writer.writes.length - acks.length,
    lost: lost.length,
    lostSample: lost.slice(0, 10),
    errors,
    writerClientRestarts: writer.clientRestarts,
    connections: writer.connections.map((c) => ({ t: c.t - m.faultAt, addr: c.addr })),
    acknowledgedDuringFault: acks.filter((w) => w.done >= m.faultAt && w.done <= faultEnd).length,
    longestGapMs: longestGap(
      acks.map((w) => w.done),
      m.faultAt,
      m.endAt,
    ),
    failovers: events.filter((e) => e.host === 'h2' && e.channel === '+switch-master').length,
    dualMaster: {
      faultMs: dualMasterMs(samples, 'h1', m.faultAt, faultEnd),
      faultWritableMs: dualMasterMs(samples, 'h1', m.faultAt, faultEnd, { writable: true }),
      afterHealMs: m.healAt === null ? 0 : dualMasterMs(samples, 'h1', m.healAt, m.endAt),
      afterHealWritableMs: m.healAt === null ? 0 : dualMasterMs(samples, 'h1', m.healAt, m.endAt, { writable: true }),
    },
    oldMaster: 'h1',
    finalMaster: m.finalMaster,
    writesResumed: m.writesResumed,
    timeline: {
      healMs: m.healAt === null ? null : m.healAt - m.faultAt,
      convergedMs: m.convergedAt - m.faultAt,
      firstSwitchMasterMs: first('+switch-master'),
      firstFenceMs: first('+fence'),
      killMs: m.killAt === undefined ? null : m.killAt - m.faultAt,
      writesResumedAfterKillMs: resumed && m.killAt !== undefined ? resumed.done - m.killAt : null,
    },
    eventCounts,
    events,
  };
}
