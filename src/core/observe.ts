/**
 * What the sentinel concludes from what it observes: SDOWN and ODOWN transitions (rules in
 * rules/sdown.ts and rules/odown.ts), INFO replies (run id, role, replicas, replication state),
 * and the replica corrections INFO calls for (rules in rules/reconf.ts).
 */
import { isIpLiteral } from '../util/ip.js';
import { hostPort } from './addr.js';
import { parseInfo } from './info.js';
import type { AnyInstance, MasterInstance, ReplicaInstance } from './instance.js';
import { confirmPromotion, sendSlaveOf } from './failover.js';
import { addReplica, currentMasterAddr } from './registry.js';
import { configConfirmedByMajority } from './rules/hello.js';
import { isObjectivelyDown, odownVotes } from './rules/odown.js';
import { convertWait, followsOtherMaster, masterLooksSane, reconfProgress, shouldConvertToSlave, shouldFixSlaveConfig } from './rules/reconf.js';
import { commandLinkStale, isSubjectivelyDown, pubsubLinkStale } from './rules/sdown.js';
import type { CoreContext } from './state.js';

/** Applies the SDOWN rule (and closes links that stopped answering). */
export function checkSubjectivelyDown(ctx: CoreContext, ri: AnyInstance, now: number): void {
  const { s, fx } = ctx;
  const t = s.timing;
  const link = ri.link;
  // Judged on the link as it was at this tick, before any stale connection is closed below.
  const down = isSubjectivelyDown(ri, link, t.infoPeriod, now);
  if (commandLinkStale(link, ri.downAfterMs, t.minLinkReconnectPeriod, now)) fx.closeConn(link, 'cc');
  if (pubsubLinkStale(link, t.publishPeriod, t.minLinkReconnectPeriod, now)) fx.closeConn(link, 'pc');
  if (down && !ri.sDown) {
    fx.event('warning', '+sdown', ri);
    ri.sDown = true;
    ri.sDownSinceTime = now;
    // A failover may follow: get the replicas' state now rather than at the next INFO period.
    if (ri.kind === 'master') {
      for (const r of ri.slaves.values()) if (!r.link.disconnected) fx.sendInfo(r);
    }
  } else if (!down && ri.sDown) {
    fx.event('warning', '-sdown', ri);
    ri.sDown = false;
    ri.scriptKillSent = false;
  }
}

/** Applies the ODOWN rule to a master. */
export function checkObjectivelyDown(ctx: CoreContext, m: MasterInstance, now: number): void {
  const votes = odownVotes(m.sDown, m.sentinels.values());
  const odown = isObjectivelyDown(m.sDown, votes, m.quorum);
  if (odown && !m.oDown) {
    ctx.fx.event('warning', '+odown', m, `#quorum ${votes}/${m.quorum}`);
    m.oDown = true;
    m.oDownSinceTime = now;
  } else if (!odown && m.oDown) {
    ctx.fx.event('warning', '-odown', m);
    m.oDown = false;
  }
}

/** Takes in an INFO reply of a master or replica. */
export function refreshInfo(ctx: CoreContext, ri: MasterInstance | ReplicaInstance, text: string, now: number): void {
  const { s, fx } = ctx;
  const p = parseInfo(text);
  ri.info = text;
  if (ri.kind === 'slave') ri.masterLinkDownTime = p.masterLinkDownMs;
  if (p.runId !== undefined) {
    if (ri.runid === null) {
      ri.runid = p.runId;
    } else if (ri.runid !== p.runId) {
      fx.event('notice', '+reboot', ri);
      if (ri.kind === 'master' && ri.masterRebootDownAfterPeriod !== 0) {
        ri.rebooted = true;
        ri.rebootSinceTime = now;
      }
      ri.runid = p.runId;
    }
  }
  if (ri.kind === 'master') {
    if (p.masterReplOffset !== undefined) ri.replOffset = p.masterReplOffset;
    for (const line of p.replicas) {
      if (!s.resolveHostnames && !isIpLiteral(line.ip)) continue;
      let known = ri.slaves.get(hostPort(line.ip, line.port));
      if (!known) {
        known = addReplica(ctx, ri, line.ip, line.port, now)!;
        fx.event('notice', '+slave', known);
        fx.persist();
      }
      // When each replica acknowledges (once a second): a coordinated hand-over is timed by it.
      if (line.ackOffset !== known.ackOffset) {
        known.ackOffset = line.ackOffset;
        known.ackChangedAt = now;
      }
    }
  }
  if (ri.kind === 'slave' && p.role === 'slave') {
    if (p.masterHost !== undefined && (ri.slaveMasterHost === null || p.masterHost.toLowerCase() !== ri.slaveMasterHost.toLowerCase())) {
      ri.slaveMasterHost = p.masterHost;
      ri.slaveConfChangeTime = now;
    }
    if (p.masterPort !== undefined && p.masterPort !== ri.slaveMasterPort) {
      ri.slaveMasterPort = p.masterPort;
      ri.slaveConfChangeTime = now;
    }
    if (p.masterLinkUp !== undefined) ri.slaveMasterLinkUp = p.masterLinkUp;
    if (p.slavePriority !== undefined) ri.slavePriority = p.slavePriority;
    if (p.slaveReplOffset !== undefined) ri.slaveReplOffset = p.slaveReplOffset;
    if (p.replicaAnnounced !== undefined) ri.replicaAnnounced = p.replicaAnnounced;
  }
  ri.infoRefresh = now;
  // (Kept only when changed: the same text again is one more string per server to hold.)
  if (p.failoverState !== undefined && p.failoverState !== ri.serverFailoverState) ri.serverFailoverState = p.failoverState;
  if (p.version !== undefined && p.version !== ri.serverVersion) ri.serverVersion = p.version;
  const role = p.role;
  if (role !== undefined && role !== ri.roleReported) {
    ri.roleReportedTime = now;
    ri.roleReported = role;
    if (ri.kind === 'slave' && role === 'slave') ri.slaveConfChangeTime = now;
    const coherent = (ri.kind === 'master') === (role === 'master');
    fx.event('verbose', coherent ? '+role-change' : '-role-change', ri, `new reported role is ${role}`);
  }
  if (s.tilt) return;
  if (ri.kind === 'slave') actOnReplicaInfo(ctx, ri, role, now);
}

/** What a replica's INFO means for the failover and for replica auto-correction. */
function actOnReplicaInfo(ctx: CoreContext, ri: ReplicaInstance, role: 'master' | 'slave' | undefined, now: number): void {
  const { s, fx } = ctx;
  const t = s.timing;
  const m = ri.master;
  if (role === 'master') {
    if (ri.promoted && m.failoverInProgress && m.failoverState === 'wait_promotion') {
      confirmPromotion(ctx, m, ri, now);
    } else {
      // A replica that claims to be a master (typically the old master coming back): after a
      // stable observation window, impose the current configuration on it.
      const confirmed = configConfirmedByMajority(m.sentinels.values(), m.sentinels.size, currentMasterAddr(m), m.configEpoch, t.publishPeriod, now);
      const wait = convertWait(confirmed, t.pingPeriod, t.publishPeriod);
      if (shouldConvertToSlave(ri, masterLooksSane(m, t.infoPeriod, now), wait, now)) {
        if (sendSlaveOf(ctx, ri, m.addr)) fx.event('notice', '+convert-to-slave', ri);
      }
    }
  }
  if (role === 'slave' && followsOtherMaster(ri, m.addr)) {
    if (shouldFixSlaveConfig(ri, masterLooksSane(m, t.infoPeriod, now), m.failoverTimeout, now)) {
      if (sendSlaveOf(ctx, ri, m.addr)) fx.event('notice', '+fix-slave-config', ri);
    }
  }
  if (role === 'slave' && (ri.reconf === 'sent' || ri.reconf === 'inprog') && m.promotedSlave) {
    for (const step of reconfProgress(ri, m.promotedSlave.addr)) {
      ri.reconf = step;
      fx.event('notice', step === 'inprog' ? '+slave-reconf-inprog' : '+slave-reconf-done', ri);
    }
  }
}
