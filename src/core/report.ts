/**
 * The field maps SENTINEL MASTER(S), REPLICAS/SLAVES and SENTINELS return. Field names, order
 * and presence are a wire contract (redis-py int()-converts many of them, some tools read
 * fields by position), so they live in one place. Every value is a string: the reply encodes
 * them all as bulk strings.
 */
import type { AnyInstance, MasterInstance } from './instance.js';
import type { SentinelCore } from './sentinel.js';

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
  if (ri.scriptKillSent) f.push('script_kill_sent');
  if (ri.kind === 'master' && ri.rebooted) f.push('master_reboot');
  return f.join(',');
}

export function instanceFields(core: SentinelCore, ri: AnyInstance, now: number): [string, string][] {
  const link = ri.link;
  const out: [string, string][] = [
    ['name', ri.name],
    ['ip', core.announceAddr(ri.addr)],
    ['port', String(ri.addr.port)],
    ['runid', ri.runid ?? ''],
    ['flags', instanceFlags(ri)],
    ['link-pending-commands', String(link.pendingCommands)],
    ['link-refcount', String(link.refcount)],
  ];
  if (ri.kind === 'master' && ri.failoverInProgress) out.push(['failover-state', ri.failoverState]);
  out.push(
    ['last-ping-sent', String(link.actPingTime ? now - link.actPingTime : 0)],
    ['last-ok-ping-reply', String(now - link.lastAvailTime)],
    ['last-ping-reply', String(now - link.lastPongTime)],
  );
  if (ri.sDown) out.push(['s-down-time', String(now - ri.sDownSinceTime)]);
  if (ri.oDown) out.push(['o-down-time', String(now - ri.oDownSinceTime)]);
  out.push(['down-after-milliseconds', String(ri.downAfterMs)]);
  if (ri.kind !== 'sentinel') {
    out.push(
      ['info-refresh', String(ri.infoRefresh ? now - ri.infoRefresh : 0)],
      ['role-reported', ri.roleReported],
      ['role-reported-time', String(now - ri.roleReportedTime)],
    );
  }
  if (ri.kind === 'master') {
    out.push(
      ['config-epoch', String(ri.configEpoch)],
      ['num-slaves', String(ri.slaves.size)],
      ['num-other-sentinels', String(ri.sentinels.size)],
      ['quorum', String(ri.quorum)],
      ['failover-timeout', String(ri.failoverTimeout)],
      ['parallel-syncs', String(ri.parallelSyncs)],
    );
    if (ri.notificationScript) out.push(['notification-script', ri.notificationScript]);
    if (ri.clientReconfigScript) out.push(['client-reconfig-script', ri.clientReconfigScript]);
  }
  if (ri.kind === 'slave') {
    out.push(
      ['master-link-down-time', String(ri.masterLinkDownTime)],
      ['master-link-status', ri.slaveMasterLinkUp ? 'ok' : 'err'],
      ['master-host', ri.slaveMasterHost ?? '?'],
      ['master-port', String(ri.slaveMasterPort)],
      ['slave-priority', String(ri.slavePriority)],
      ['slave-repl-offset', String(ri.slaveReplOffset)],
      ['replica-announced', ri.replicaAnnounced ? '1' : '0'],
    );
  }
  if (ri.kind === 'sentinel') {
    out.push(
      ['last-hello-message', String(now - ri.lastHelloTime)],
      ['voted-leader', ri.leader ?? '?'],
      ['voted-leader-epoch', String(ri.leaderEpoch)],
    );
  }
  return out;
}

/** `status` of a master in INFO sentinel. */
export function masterStatus(m: MasterInstance): 'ok' | 'sdown' | 'odown' {
  return m.oDown ? 'odown' : m.sDown ? 'sdown' : 'ok';
}

/** The `# Sentinel` INFO section body (without the header). */
export function infoSentinel(core: SentinelCore, now: number, scripts: { running: number; queued: number }): string {
  const lines = [
    `sentinel_masters:${core.masters.size}`,
    `sentinel_tilt:${core.tilt ? 1 : 0}`,
    `sentinel_tilt_since_seconds:${core.tilt ? Math.floor((now - core.tiltStartTime) / 1000) : -1}`,
    `sentinel_total_tilt:${core.totalTilt}`,
    `sentinel_running_scripts:${scripts.running}`,
    `sentinel_scripts_queue_length:${scripts.queued}`,
    `sentinel_simulate_failure_flags:${core.simFailureFlags}`,
  ];
  let i = 0;
  for (const m of core.masters.values()) {
    lines.push(
      `master${i}:name=${m.name},status=${masterStatus(m)},address=${core.announceAddr(m.addr)}:${m.addr.port},` +
        `slaves=${m.slaves.size},sentinels=${m.sentinels.size + 1}`,
    );
    i++;
  }
  return lines.join('\r\n');
}
