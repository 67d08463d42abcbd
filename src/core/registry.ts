/**
 * The tables of monitored instances: creating masters, replicas and peers, sharing links between
 * entries of the same peer, removing and resetting entries. Bookkeeping only: the rules that
 * decide when to do these things live in rules/ and their callers.
 */
import type { MasterConfig } from '../config/model.js';
import type { Addr } from './addr.js';
import { addrIs, hostPort, sameAddr } from './addr.js';
import type { AnyInstance } from './instance.js';
import { MasterInstance, ReplicaInstance, SentinelPeer } from './instance.js';
import { peerMatches } from './rules/hello.js';
import type { CoreContext } from './state.js';

export function makeAddr(host: string, port: number): Addr {
  return { hostname: host, ip: host, port };
}

/** Adds a master entry from its configuration, with its known replicas and peers. */
export function loadMaster(ctx: CoreContext, mc: MasterConfig, now: number): MasterInstance {
  const { s, fx } = ctx;
  const m = new MasterInstance(mc.name, makeAddr(mc.host, mc.port), mc.quorum, mc.downAfterMs, mc.failoverTimeoutMs, now);
  fx.track(m);
  m.parallelSyncs = mc.parallelSyncs;
  m.authPass = mc.authPass;
  m.authUser = mc.authUser;
  m.notificationScript = mc.notificationScript;
  m.clientReconfigScript = mc.clientReconfigScript;
  m.masterRebootDownAfterPeriod = mc.masterRebootDownAfterPeriodMs;
  m.fenceMinority = mc.fenceMinority;
  m.fenceAfterMs = mc.fenceAfterMs ?? null;
  for (const [from, to] of mc.renamedCommands) (m.renamedCommands ??= new Map()).set(from.toUpperCase(), to);
  m.configEpoch = mc.configEpoch;
  m.leaderEpoch = mc.leaderEpoch;
  m.leader = mc.leader ?? null;
  if (mc.configEpoch > s.currentEpoch) s.currentEpoch = mc.configEpoch;
  s.masters.set(m.name, m);
  for (const r of mc.knownReplicas) addReplica(ctx, m, r.host, r.port, now);
  for (const p of mc.knownSentinels) {
    if (findSentinel(m, p.host, p.port, p.runid)) continue;
    addPeer(ctx, m, makeAddr(p.host, p.port), p.runid, now);
  }
  return m;
}

/** A new replica entry, or undefined when one with that address exists. */
export function addReplica(ctx: CoreContext, m: MasterInstance, host: string, port: number, now: number): ReplicaInstance | undefined {
  const key = hostPort(host, port);
  if (m.slaves.has(key)) return undefined;
  const r = new ReplicaInstance(m, makeAddr(host, port), now);
  ctx.fx.track(r);
  m.slaves.set(key, r);
  return r;
}

/** A new peer entry, sharing the link of the same peer under another master when there is one. */
export function addPeer(ctx: CoreContext, m: MasterInstance, addr: Addr, runid: string, now: number): SentinelPeer {
  const peer = new SentinelPeer(m, addr, runid, now);
  ctx.fx.track(peer);
  m.sentinels.set(peer.name, peer);
  shareLink(ctx, peer);
  return peer;
}

export function findSentinel(m: MasterInstance, host: string | null, port: number, runid: string | null): SentinelPeer | undefined {
  for (const p of m.sentinels.values()) if (peerMatches(p, host, port, runid)) return p;
  return undefined;
}

/** Peers with the same run id under other masters share one link (one PING per peer). */
function shareLink(ctx: CoreContext, peer: SentinelPeer): void {
  for (const m of ctx.s.masters.values()) {
    if (m === peer.master) continue;
    const other = m.sentinels.get(peer.name);
    if (!other || other.link === peer.link) continue;
    if (!sameAddr(other.addr, peer.addr)) continue;
    ctx.fx.releaseLink(peer);
    peer.link = other.link;
    peer.link.refcount++;
    return;
  }
}

/** After an address switch, the other masters' entries of the same peer get the new address too. */
export function updateSentinelAddressInAllMasters(ctx: CoreContext, si: SentinelPeer): void {
  let reconfigured = 0;
  for (const m of ctx.s.masters.values()) {
    if (m === si.master) continue;
    const other = m.sentinels.get(si.name);
    if (!other || sameAddr(other.addr, si.addr)) continue;
    ctx.fx.releaseLink(other);
    other.addr = { ...si.addr };
    other.link = si.link;
    si.link.refcount++;
    reconfigured++;
  }
  if (reconfigured) ctx.fx.event('notice', '+sentinel-address-update', si, `${reconfigured} additional matching instances`);
}

/** Removes the peer with this run id from a master; returns how many were removed. */
export function removeSentinelFromMaster(ctx: CoreContext, m: MasterInstance, runid: string): number {
  const p = m.sentinels.get(runid);
  if (!p) return 0;
  m.sentinels.delete(runid);
  ctx.fx.untrack(p);
  ctx.fx.releaseLink(p);
  return 1;
}

/** Forgets an instance (and, for a master, its replicas and peers), closing links nobody shares. */
export function releaseInstance(ctx: CoreContext, ri: AnyInstance): void {
  ctx.fx.untrack(ri);
  ctx.fx.releaseLink(ri);
  if (ri.kind === 'master') {
    for (const r of ri.slaves.values()) releaseInstance(ctx, r);
    for (const p of ri.sentinels.values()) releaseInstance(ctx, p);
    ri.slaves.clear();
    ri.sentinels.clear();
  }
}

/** The address clients should use for a master (the promoted replica's once a failover got that far). */
export function currentMasterAddr(m: MasterInstance): Addr {
  if (m.promotedSlave && (m.failoverState === 'reconf_slaves' || m.failoverState === 'update_config')) return m.promotedSlave.addr;
  return m.addr;
}

/** SENTINEL RESET semantics (keepSentinels=false) and the reset done on an address switch. */
export function resetMaster(ctx: CoreContext, m: MasterInstance, now: number, keepSentinels: boolean): void {
  for (const r of m.slaves.values()) releaseInstance(ctx, r);
  m.slaves.clear();
  if (!keepSentinels) {
    for (const p of m.sentinels.values()) releaseInstance(ctx, p);
    m.sentinels.clear();
  }
  ctx.fx.closeLink(m.link);
  m.sDown = m.oDown = false;
  m.sDownSinceTime = m.oDownSinceTime = 0;
  m.scriptKillSent = false;
  m.rebooted = false;
  m.leader = null;
  m.failoverState = 'none';
  m.failoverStartTime = 0;
  m.clearFailoverRun();
  m.runid = null;
  m.info = '';
  m.infoRefresh = 0;
  m.serverFailoverState = null;
  m.serverVersion = '';
  m.replOffset = 0;
  m.roleReported = 'master';
  m.roleReportedTime = now;
  m.link.actPingTime = now;
  m.link.lastPongTime = now;
  m.link.lastAvailTime = now;
  m.link.lastPingTime = 0;
}

/**
 * Points a master entry at a new address, keeping its peers: the replicas (and the old master,
 * which may come back) are re-created as replicas of the new address.
 */
export function resetMasterAndChangeAddress(ctx: CoreContext, m: MasterInstance, host: string, port: number, now: number): void {
  const keep: { host: string; port: number }[] = [];
  for (const r of m.slaves.values()) {
    if (addrIs(r.addr, host, port)) continue;
    keep.push({ host: r.addr.hostname, port: r.addr.port });
  }
  if (!addrIs(m.addr, host, port)) keep.push({ host: m.addr.hostname, port: m.addr.port });
  resetMaster(ctx, m, now, true);
  m.addr = makeAddr(host, port);
  for (const k of keep) {
    const r = addReplica(ctx, m, k.host, k.port, now);
    if (r) ctx.fx.event('notice', '+slave', r);
  }
  ctx.fx.persist();
}
