/**
 * GET /metrics: the Prometheus text format, from a private prom-client registry. The sentinel
 * families keep redis_exporter's names, labels and derivations (observability digest section 1)
 * so that existing dashboards and alerts work; ours sit beside them. Values are read at scrape
 * time from the core's reads (collect() resets first, so a status or address change leaves no
 * stale series, and never throws: a failed read would fail the whole scrape).
 */
import client from 'prom-client';
import type { SentinelCore } from '../core/sentinel.js';
import type { Fields } from '../core/snapshot.js';
import { ckquorumText } from '../commands/sentinel.js';

/** What the metrics read: the core, the clock, the script queue. */
export interface SentinelView {
  readonly core: SentinelCore;
  now(): number;
  scripts(): { running: number; queued: number };
  /** Runs a change of the core (an admin operation) and carries out the actions it queues. */
  apply(f: () => void): void;
  /** sentinel-ts's version, and the redis version it reports (INFO redis_version). */
  readonly version: string;
  readonly redisVersion: string;
}

const field = (f: Fields, k: string): string => f.find(([n]) => n === k)?.[1] ?? '';
const flagSet = (f: Fields): Set<string> => new Set(field(f, 'flags').split(','));
const okFlags = (f: Fields): boolean => {
  const flags = flagSet(f);
  return !flags.has('s_down') && !flags.has('o_down');
};

export class SentinelMetrics {
  readonly registry = new client.Registry();
  private readonly events: client.Counter<'event'>;
  private readonly failovers: client.Counter<'master_name' | 'trigger' | 'result'>;
  private readonly phases: client.Histogram<'phase'>;
  private readonly tilts: client.Counter<'cause'>;
  private readonly votes: client.Counter<'master_name'>;
  private readonly elections: client.Counter<'master_name'>;
  /** The phase each failover we lead is in, and since when (ms). */
  private readonly phaseOf = new Map<string, { phase: string; since: number }>();
  /** SENTINEL MASTERS's field maps while a scrape renders (null outside one). */
  private scrapeMasters: Fields[] | null = null;
  /** Failovers we lead, by master: their trigger, from +try-failover to the end or abort. */
  private readonly leading = new Map<string, string>();

  constructor(private readonly view: SentinelView) {
    const r = this.registry;
    const v = view;
    const gauge = <L extends string>(name: string, help: string, labelNames: readonly L[], collect: (g: client.Gauge<L>) => void): void => {
      new client.Gauge<L>({
        name,
        help,
        labelNames,
        registers: [r],
        collect() {
          this.reset();
          try {
            collect(this);
          } catch {
            // A read that fails leaves this family empty for this scrape; the others still answer.
          }
        },
      });
    };
    // Every per-master family reads the same field maps: built once per scrape (render), not once per family.
    const masters = (): Fields[] => (this.scrapeMasters ??= v.core.mastersFields(v.now()));
    const addrOf = (m: Fields): string => `${field(m, 'ip')}:${field(m, 'port')}`;
    const perMaster = (name: string, help: string, value: (m: Fields) => number): void =>
      gauge(name, help, ['master_name', 'master_address'], (g) => {
        for (const m of masters()) g.set({ master_name: field(m, 'name'), master_address: addrOf(m) }, value(m));
      });

    // redis_exporter's families (all gauges there).
    gauge('redis_sentinel_masters', 'Number of masters this sentinel monitors.', [], (g) => g.set(v.core.masterNames().length));
    gauge('redis_sentinel_tilt', 'Whether this sentinel is in TILT mode (1) or not (0).', [], (g) => g.set(v.core.snapshot().tilt ? 1 : 0));
    gauge('redis_sentinel_running_scripts', 'Notification and reconfiguration scripts running.', [], (g) => g.set(v.scripts().running));
    gauge('redis_sentinel_scripts_queue_length', 'Scripts waiting to run.', [], (g) => g.set(v.scripts().queued));
    gauge('redis_sentinel_master_status', 'Master status as INFO shows it: 1 when ok, 0 when sdown or odown (the status is also a label).', ['master_name', 'master_address', 'master_status'], (g) => {
      for (const m of masters()) {
        const flags = flagSet(m);
        const status = flags.has('o_down') ? 'odown' : flags.has('s_down') ? 'sdown' : 'ok';
        g.set({ master_name: field(m, 'name'), master_address: addrOf(m), master_status: status }, status === 'ok' ? 1 : 0);
      }
    });
    perMaster('redis_sentinel_master_slaves', 'Replicas this sentinel knows for the master.', (m) => Number(field(m, 'num-slaves')));
    perMaster('redis_sentinel_master_sentinels', 'Sentinels monitoring the master, this one included.', (m) => Number(field(m, 'num-other-sentinels')) + 1);
    perMaster('redis_sentinel_master_ok_slaves', 'Replicas neither sdown nor odown.', (m) => v.core.fields(field(m, 'name'), 'replicas', v.now()).filter(okFlags).length);
    perMaster('redis_sentinel_master_ok_sentinels', 'Sentinels neither sdown nor odown, this one included.', (m) => 1 + v.core.fields(field(m, 'name'), 'sentinels', v.now()).filter(okFlags).length);
    gauge('redis_sentinel_master_ckquorum_status', 'SENTINEL CKQUORUM: 1 when it passes; its reply is the message label.', ['master_name', 'message'], (g) => {
      for (const name of v.core.masterNames()) {
        const q = ckquorumText(v.core.ckquorum(name));
        g.set({ master_name: name, message: q.text }, q.ok ? 1 : 0);
      }
    });
    perMaster('redis_sentinel_master_setting_ckquorum', 'The quorum configured for the master.', (m) => Number(field(m, 'quorum')));
    perMaster('redis_sentinel_master_setting_failover_timeout', 'failover-timeout, in milliseconds as configured.', (m) => Number(field(m, 'failover-timeout')));
    perMaster('redis_sentinel_master_setting_parallel_syncs', 'parallel-syncs.', (m) => Number(field(m, 'parallel-syncs')));
    perMaster('redis_sentinel_master_setting_down_after_milliseconds', 'down-after-milliseconds (redis_exporter name, kept for compatibility).', (m) => Number(field(m, 'down-after-milliseconds')));
    perMaster('redis_sentinel_master_config_epoch', 'The configuration epoch of the master (it grows with each failover).', (m) => Number(field(m, 'config-epoch')));
    perMaster('redis_sentinel_master_last_ok_ping_reply_seconds', 'Seconds since the master last answered PING acceptably.', (m) => Number(field(m, 'last-ok-ping-reply')) / 1000);

    // sentinel-ts's own.
    gauge('redis_sentinel_build_info', 'sentinel-ts build information (always 1).', ['version', 'redis_version', 'nodejs_version'], (g) =>
      g.set({ version: v.version, redis_version: v.redisVersion, nodejs_version: process.version }, 1),
    );
    gauge('redis_sentinel_current_epoch', 'The current epoch.', [], (g) => g.set(v.core.currentEpoch));
    gauge('redis_sentinel_link_connected', 'Whether the sentinel holds its connections to an instance (1) or not (0).', ['master_name', 'role', 'address'], (g) => {
      for (const m of masters()) {
        const name = field(m, 'name');
        const up = (f: Fields): number => (flagSet(f).has('disconnected') ? 0 : 1);
        g.set({ master_name: name, role: 'master', address: addrOf(m) }, up(m));
        for (const r of v.core.fields(name, 'all-replicas', v.now())) g.set({ master_name: name, role: 'replica', address: addrOf(r) }, up(r));
        for (const p of v.core.fields(name, 'sentinels', v.now())) g.set({ master_name: name, role: 'sentinel', address: addrOf(p) }, up(p));
      }
    });
    gauge('redis_sentinel_replica_lag_bytes', "How far each replica's offset is behind the master's, in bytes (from their last INFO).", ['master_name', 'replica'], (g) => {
      for (const m of v.core.snapshot().masters) {
        for (const r of m.replicas) g.set({ master_name: m.name, replica: `${r.host}:${r.port}` }, Math.max(0, m.replOffset - r.offset));
      }
    });
    this.phases = new client.Histogram({
      name: 'redis_sentinel_failover_phase_seconds',
      help: 'How long each phase of the failovers this sentinel led took (election, select-slave, send-slaveof-noone, wait-promotion, reconf-slaves).',
      labelNames: ['phase'],
      buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 180],
      registers: [r],
    });
    this.votes = new client.Counter({ name: 'redis_sentinel_votes_total', help: 'Votes this sentinel gave in leader elections (+vote-for-leader), for itself or a peer.', labelNames: ['master_name'], registers: [r] });
    this.elections = new client.Counter({ name: 'redis_sentinel_elections_won_total', help: 'Leader elections this sentinel won (+elected-leader).', labelNames: ['master_name'], registers: [r] });
    this.tilts = new client.Counter({ name: 'redis_sentinel_tilt_entries_total', help: 'Times this sentinel entered TILT, by cause (timer-stall: the timer ran too late or the clock jumped forward; clock-backwards).', labelNames: ['cause'], registers: [r] });
    this.events = new client.Counter({ name: 'redis_sentinel_events_total', help: 'Events this sentinel published, by event name (+sdown, +switch-master, ...).', labelNames: ['event'], registers: [r] });
    this.failovers = new client.Counter({
      name: 'redis_sentinel_failovers_total',
      help: 'Failovers this sentinel led, by trigger (automatic, manual, coordinated) and result (success, aborted).',
      labelNames: ['master_name', 'trigger', 'result'],
      registers: [r],
    });
    client.collectDefaultMetrics({ register: r });
  }

  /** Every event the sentinel publishes passes here (the shell calls it as it flushes the core's actions). */
  onEvent(channel: string, masterName: string | undefined): void {
    this.events.inc({ event: channel });
    if (channel === '+tilt') this.tilts.inc({ cause: this.view.core.snapshot().tiltCause ?? 'unknown' });
    if (masterName === undefined) return;
    if (channel === '+vote-for-leader') this.votes.inc({ master_name: masterName });
    if (channel === '+elected-leader') this.elections.inc({ master_name: masterName });
    const now = this.view.now();
    const endPhase = (): void => {
      const p = this.phaseOf.get(masterName);
      if (p) this.phases.observe({ phase: p.phase }, Math.max(0, now - p.since) / 1000);
      this.phaseOf.delete(masterName);
    };
    if (channel === '+try-failover') {
      this.leading.set(masterName, this.triggerOf(masterName));
      endPhase();
      this.phaseOf.set(masterName, { phase: 'election', since: now });
      return;
    }
    if (channel.startsWith('+failover-state-') && this.phaseOf.has(masterName)) {
      endPhase();
      this.phaseOf.set(masterName, { phase: channel.slice('+failover-state-'.length), since: now });
    }
    if (channel === '+failover-end' || channel.startsWith('-failover-abort')) endPhase();
    const trigger = this.leading.get(masterName);
    if (trigger === undefined) return;
    if (channel === '+failover-end' || channel.startsWith('-failover-abort')) {
      this.failovers.inc({ master_name: masterName, trigger, result: channel === '+failover-end' ? 'success' : 'aborted' });
      this.leading.delete(masterName);
    }
  }

  /** What started the failover now starting on this master, from its flags. */
  triggerOf(masterName: string): 'automatic' | 'manual' | 'coordinated' {
    const flags = new Set((this.view.core.masterSnapshot(masterName)?.flags ?? '').split(','));
    return flags.has('coordinated_failover') ? 'coordinated' : flags.has('force_failover') ? 'manual' : 'automatic';
  }

  /** The text format (Prometheus 0.0.4). */
  async render(): Promise<{ contentType: string; body: string }> {
    this.scrapeMasters = null;
    try {
      return { contentType: this.registry.contentType, body: await this.registry.metrics() };
    } finally {
      this.scrapeMasters = null;
    }
  }
}
