/**
 * Read-only views of the core's state, as plain data: the field maps SENTINEL MASTER(S),
 * REPLICAS/SLAVES and SENTINELS return, INFO's sentinel section, the configuration to persist,
 * and a structured snapshot for tests, metrics and the HTTP API. Field names, order and presence
 * of the field maps are a wire contract (redis-py int()-converts many of them, some tools read
 * fields by position), so they live in one place. Values are strings or numbers: the reply
 * encodes them all as bulk strings (numbers in decimal, as String() spells them).
 */
import type { KnownReplica, KnownSentinel, MasterConfig, SentinelGlobals } from '../config/model.js';
import { newMasterConfig } from '../config/model.js';
import type { Addr } from './addr.js';
import type { AnyInstance, FailoverState, MasterInstance } from './instance.js';
import { heldByFence } from './instance.js';
import { currentMasterAddr } from './registry.js';
import { fenceAfter } from './rules/fence.js';
import type { CoreState } from './state.js';
import type { FieldMapList, FieldSink } from '../protocol/reply.js';

/** A field map: [name, value] pairs in reply order. */
export type Fields = [string, string][];

function shown(s: CoreState, a: Addr): string {
  return s.announceHostnames ? a.hostname : a.ip;
}

export function instanceFlags(ri: AnyInstance): string {
  const f: string[] = [];
  if (ri.sDown) f.push('s_down');
  if (ri.oDown) f.push('o_down');
  f.push(ri.kind);
  if (ri.link.disconnected) f.push('disconnected');
  if (ri.kind === 'sentinel' && ri.masterDown) f.push('master_down');
  if (ri.kind === 'master') {
    if (ri.failoverInProgress) f.push('failover_in_progress');
  }
  if (ri.kind === 'slave') {
    if (ri.promoted) f.push('promoted');
    if (ri.reconf === 'sent') f.push('reconf_sent');
    if (ri.reconf === 'inprog') f.push('reconf_inprog');
    if (ri.reconf === 'done') f.push('reconf_done');
  }
  if (ri.kind === 'master' && ri.forceFailover) f.push('force_failover');
  if (ri.kind === 'master' && ri.coordinated) f.push('coordinated_failover');
  if (ri.scriptKillSent) f.push('script_kill_sent');
  if (ri.kind === 'master' && ri.rebooted) f.push('master_reboot');
  if (heldByFence(ri)) f.push('fenced');
  return f.join(',');
}

/**
 * The field map of one instance, pair by pair into `out`, in reply order: the one definition of
 * what SENTINEL MASTER(S), REPLICAS and SENTINELS show. Written into a sink rather than returned
 * so that the encoder can take SENTINEL MASTERS at thousands of masters straight to bytes (the
 * pairs as arrays of strings cost more to allocate and collect than to encode).
 */
export function writeInstanceFields(s: CoreState, ri: AnyInstance, now: number, out: FieldSink): void {
  const link = ri.link;
  out.field('name', ri.name);
  out.field('ip', shown(s, ri.addr));
  out.field('port', ri.addr.port);
  out.field('runid', ri.runid ?? '');
  out.field('flags', instanceFlags(ri));
  out.field('link-pending-commands', link.pendingCommands);
  out.field('link-refcount', link.refcount);
  if (ri.kind === 'master' && ri.failoverInProgress) out.field('failover-state', ri.failoverState);
  out.field('last-ping-sent', link.actPingTime ? now - link.actPingTime : 0);
  out.field('last-ok-ping-reply', now - link.lastAvailTime);
  out.field('last-ping-reply', now - link.lastPongTime);
  if (ri.sDown) out.field('s-down-time', now - ri.sDownSinceTime);
  if (ri.oDown) out.field('o-down-time', now - ri.oDownSinceTime);
  out.field('down-after-milliseconds', ri.downAfterMs);
  if (ri.kind !== 'sentinel') {
    out.field('info-refresh', ri.infoRefresh ? now - ri.infoRefresh : 0);
    out.field('role-reported', ri.roleReported);
    out.field('role-reported-time', now - ri.roleReportedTime);
  }
  if (ri.kind === 'master') {
    out.field('config-epoch', ri.configEpoch);
    out.field('num-slaves', ri.slaves.size);
    out.field('num-other-sentinels', ri.sentinels.size);
    out.field('quorum', ri.quorum);
    out.field('failover-timeout', ri.failoverTimeout);
    out.field('parallel-syncs', ri.parallelSyncs);
    if (ri.notificationScript) out.field('notification-script', ri.notificationScript);
    if (ri.clientReconfigScript) out.field('client-reconfig-script', ri.clientReconfigScript);
    // sentinel-ts's fencing, shown once configured (the reply stays redis-sentinel's otherwise).
    if (ri.fenceMinority || ri.fenceAfterMs !== null) {
      out.field('fence-minority', ri.fenceMinority ? 'yes' : 'no');
      out.field('fence-after-milliseconds', fenceAfter(ri.fenceAfterMs, ri.downAfterMs));
      out.field('fence-state', ri.fence.phase);
      out.field('fences', ri.fence.total);
    }
  }
  if (ri.kind === 'slave') {
    out.field('master-link-down-time', ri.masterLinkDownTime);
    out.field('master-link-status', ri.slaveMasterLinkUp ? 'ok' : 'err');
    out.field('master-host', ri.slaveMasterHost ?? '?');
    out.field('master-port', ri.slaveMasterPort);
    out.field('slave-priority', ri.slavePriority);
    out.field('slave-repl-offset', ri.slaveReplOffset);
    out.field('replica-announced', ri.replicaAnnounced ? '1' : '0');
  }
  if (ri.kind === 'sentinel') {
    out.field('last-hello-message', now - ri.lastHelloTime);
    out.field('voted-leader', ri.leader ?? '?');
    out.field('voted-leader-epoch', ri.leaderEpoch);
  }
}

/** The field maps of `list`, written on demand (see writeInstanceFields). */
export function fieldMapList(s: CoreState, list: readonly AnyInstance[], now: number): FieldMapList {
  return { length: list.length, write: (i, into) => writeInstanceFields(s, list[i]!, now, into) };
}

/** `status` of a master in INFO sentinel. */
export function masterStatus(m: MasterInstance): 'ok' | 'sdown' | 'odown' {
  return m.oDown ? 'odown' : m.sDown ? 'sdown' : 'ok';
}

/** The `# Sentinel` INFO section body (without the header). */
export function infoSentinel(core: CoreState, now: number, scripts: { running: number; queued: number }): string {
  const lines = [
    `sentinel_masters:${core.masters.size}`,
    `sentinel_tilt:${core.tilt ? 1 : 0}`,
    `sentinel_tilt_since_seconds:${core.tilt ? Math.floor((now - core.tiltStartTime) / 1000) : -1}`,
    `sentinel_total_tilt:${core.totalTilt}`,
    `sentinel_running_scripts:${scripts.running}`,
    `sentinel_scripts_queue_length:${scripts.queued}`,
    `sentinel_simulate_failure_flags:${core.simFailureFlags}`,
  ];
  // sentinel-ts's fencing: counts shown once any master has it on.
  const masters = [...core.masters.values()];
  if (masters.some((m) => m.fenceMinority)) {
    lines.push(`sentinel_fenced_masters:${masters.filter((m) => m.fence.phase === 'fenced').length}`, `sentinel_fences_total:${masters.reduce((n, m) => n + m.fence.total, 0)}`);
  }
  let i = 0;
  for (const m of core.masters.values()) {
    lines.push(
      `master${i}:name=${m.name},status=${masterStatus(m)},address=${shown(core, m.addr)}:${m.addr.port},` +
        `slaves=${m.slaves.size},sentinels=${m.sentinels.size + 1}`,
    );
    i++;
  }
  return lines.join('\r\n');
}

/** The globals to persist. */
export function exportGlobals(s: CoreState): SentinelGlobals {
  const g: SentinelGlobals = {
    myid: s.myid,
    currentEpoch: s.currentEpoch,
    announcePort: s.announcePort,
    denyScriptsReconfig: s.denyScriptsReconfig,
    resolveHostnames: s.resolveHostnames,
    announceHostnames: s.announceHostnames,
  };
  if (s.announceIp) g.announceIp = s.announceIp;
  if (s.sentinelUser) g.sentinelUser = s.sentinelUser;
  if (s.sentinelPass) g.sentinelPass = s.sentinelPass;
  return g;
}

/** Every master's configuration to persist, as the sentinel currently sees it. */
export function exportMasters(s: CoreState): MasterConfig[] {
  const out: MasterConfig[] = [];
  for (const m of s.masters.values()) {
    const addr = currentMasterAddr(m);
    const mc = newMasterConfig(m.name, shown(s, addr), addr.port, m.quorum);
    mc.downAfterMs = m.downAfterMs;
    mc.failoverTimeoutMs = m.failoverTimeout;
    mc.parallelSyncs = m.parallelSyncs;
    if (m.notificationScript) mc.notificationScript = m.notificationScript;
    if (m.clientReconfigScript) mc.clientReconfigScript = m.clientReconfigScript;
    if (m.authPass) mc.authPass = m.authPass;
    if (m.authUser) mc.authUser = m.authUser;
    mc.masterRebootDownAfterPeriodMs = m.masterRebootDownAfterPeriod;
    mc.fenceMinority = m.fenceMinority;
    if (m.fenceAfterMs !== null) mc.fenceAfterMs = m.fenceAfterMs;
    mc.renamedCommands = m.renamedCommands ? [...m.renamedCommands.entries()] : [];
    mc.configEpoch = m.configEpoch;
    mc.leaderEpoch = m.leaderEpoch;
    if (m.leader) mc.leader = m.leader;
    const replicas: KnownReplica[] = [];
    for (const r of m.slaves.values()) {
      // While the promoted replica is the current address, the old master stands in its place.
      const a = r === m.promotedSlave && addr === r.addr ? m.addr : r.addr;
      replicas.push({ host: shown(s, a), port: a.port });
    }
    mc.knownReplicas = replicas;
    const peers: KnownSentinel[] = [];
    for (const p of m.sentinels.values()) {
      if (p.runid) peers.push({ host: shown(s, p.addr), port: p.addr.port, runid: p.runid });
    }
    mc.knownSentinels = peers;
    out.push(mc);
  }
  return out;
}

/** A structured, plain view of one master as this sentinel sees it (tests, metrics, HTTP API). */
export interface MasterSnapshot {
  name: string;
  /** The address clients are told (the promoted replica's once the failover got that far). */
  host: string;
  port: number;
  /** The address the entry monitors: the old master's until the switch, while host/port already name the promoted replica. */
  monitoredHost: string;
  monitoredPort: number;
  flags: string;
  quorum: number;
  configEpoch: number;
  leader: string | null;
  leaderEpoch: number;
  failoverState: FailoverState;
  failoverEpoch: number;
  /** `master_repl_offset` from the master's last INFO. */
  replOffset: number;
  replicas: { name: string; host: string; port: number; flags: string; priority: number; offset: number }[];
  sentinels: { runid: string; host: string; port: number; flags: string; leader: string | null; leaderEpoch: number }[];
}

export interface CoreSnapshot {
  myid: string;
  currentEpoch: number;
  tilt: boolean;
  totalTilt: number;
  tiltCause: 'clock-backwards' | 'timer-stall' | null;
  masters: MasterSnapshot[];
}

export function coreSnapshot(s: CoreState): CoreSnapshot {
  const masters = [...s.masters.values()].map((m) => masterSnapshot(s, m));
  return { myid: s.myid, currentEpoch: s.currentEpoch, tilt: s.tilt, totalTilt: s.totalTilt, tiltCause: s.tiltCause, masters };
}

export function masterSnapshot(s: CoreState, m: MasterInstance): MasterSnapshot {
    const a = currentMasterAddr(m);
    return {
      name: m.name,
      host: shown(s, a),
      port: a.port,
      monitoredHost: shown(s, m.addr),
      monitoredPort: m.addr.port,
      flags: instanceFlags(m),
      quorum: m.quorum,
      configEpoch: m.configEpoch,
      leader: m.leader,
      leaderEpoch: m.leaderEpoch,
      failoverState: m.failoverState,
      failoverEpoch: m.failoverEpoch,
      replOffset: m.replOffset,
      replicas: [...m.slaves.values()].map((r) => ({
        name: r.name,
        host: shown(s, r.addr),
        port: r.addr.port,
        flags: instanceFlags(r),
        priority: r.slavePriority,
        offset: r.slaveReplOffset,
      })),
      sentinels: [...m.sentinels.values()].map((p) => ({
        runid: p.runid ?? '',
        host: shown(s, p.addr),
        port: p.addr.port,
        flags: instanceFlags(p),
        leader: p.leader,
        leaderEpoch: p.leaderEpoch,
      })),
    };
}
