/**
 * Minority fencing, applied (the decisions are in rules/fence.ts). Every timer run, for every
 * master with `fence-minority yes`: while we reach the master but not a majority of the
 * sentinels, read the master's client list until it shows that the peers no longer reach it
 * either, then pause its writes with a lease renewed while the condition holds. Lift the fence
 * when a majority answers again and confirms this master; if the majority has moved on, keep the
 * old master paused until it is converted into a replica (then unpause it, in the same MULTI).
 * Fencing never starts a failover and never votes: it only reads, pauses and unpauses.
 */
import type { Wire } from './actions.js';
import { isWireError } from './actions.js';
import type { Addr } from './addr.js';
import { sameAddr } from './addr.js';
import { sendSlaveOf } from './failover.js';
import { adoptAnnouncedConfig } from './gossip.js';
import type { MasterInstance, ReplicaInstance, SentinelPeer } from './instance.js';
import {
  CLIENT_LIST_PERIOD_MS,
  FENCE_LEASE_MS,
  FENCE_REFUSED_BACKOFF_MS,
  PEER_VIEW_PERIOD_MS,
  fenceAfter,
  fenceBlocker,
  fenceRenewalDue,
  inMinority,
  masterCutOff,
  peerCommandIdle,
  peerGoneFromMaster,
  peerViewFromMasterReply,
  reachableSentinels,
  trackIdle,
  unfenceVerdict,
} from './rules/fence.js';
import { masterLooksSane } from './rules/reconf.js';
import type { CoreContext } from './state.js';
import { adoptEpoch } from './voting.js';

/** Sentinels that answered within `window` (default fence-after; us included), and all we know of. */
function sentinelReach(m: MasterInstance, now: number, window = fenceAfter(m.fenceAfterMs, m.downAfterMs)): { reachable: number; known: number } {
  const last = [...m.sentinels.values()].map((p) => p.link.lastAvailTime);
  return { reachable: reachableSentinels(last, window, now), known: m.sentinels.size + 1 };
}

/**
 * Whether this master should be fenced now as far as our own view goes (before the cross-check).
 * `early`: the peers have been silent for half of fence-after only: time to start reading the
 * master's client list, so that the cross-check has seen the peers' idle times grow by the time
 * the silence is long enough to fence (it cannot be rushed: idle counts whole seconds).
 */
function mayNeedFence(ctx: CoreContext, m: MasterInstance, now: number, early = false): boolean {
  const link = m.link;
  const blocker = fenceBlocker({
    enabled: m.fenceMinority,
    tilt: ctx.s.tilt,
    masterReachable: !link.disconnected && !m.sDown && now - link.lastAvailTime < 2 * ctx.s.timing.pingPeriod,
    reportsMaster: m.roleReported === 'master' && m.infoRefresh > 0,
    failoverRunning: m.failoverState !== 'none' || (m.serverFailoverState !== null && m.serverFailoverState !== 'no-failover'),
    replicas: m.slaves.size,
  });
  if (blocker !== null || now < m.fence.refusedUntil) return false;
  const after = fenceAfter(m.fenceAfterMs, m.downAfterMs);
  const { reachable, known } = sentinelReach(m, now, early ? Math.ceil(after / 2) : after);
  return inMinority(reachable, known);
}

/** The entry of the server we paused: the master, or, once the majority's failover reached us, a replica. */
function fencedServer(m: MasterInstance): MasterInstance | ReplicaInstance | undefined {
  const a = m.fence.addr;
  if (a === null) return undefined;
  if (sameAddr(m.addr, a)) return m;
  for (const r of m.slaves.values()) if (sameAddr(r.addr, a)) return r;
  return undefined;
}

function fenceLabel(m: MasterInstance, a: Addr, ctx: CoreContext): string {
  return `master ${m.name} ${ctx.fx.announceAddr(a)} ${a.port}`;
}

function sendPause(ctx: CoreContext, m: MasterInstance, ri: MasterInstance | ReplicaInstance, now: number): void {
  if (ctx.fx.send(ri, 'cc', 'fence-pause', [m.cmd('CLIENT'), 'PAUSE', String(FENCE_LEASE_MS), 'WRITE'])) m.fence.leaseUntil = now + FENCE_LEASE_MS;
}

/**
 * Ends a fence. `unpause`: lift the pause now (the master was confirmed, or it is a replica
 * already); otherwise the lease lapses by itself.
 */
function endFence(ctx: CoreContext, m: MasterInstance, why: string, unpause: boolean): void {
  const f = m.fence;
  const ri = fencedServer(m);
  if (unpause && ri && !ri.link.disconnected) ctx.fx.send(ri, 'cc', 'ignore', [m.cmd('CLIENT'), 'UNPAUSE']);
  if (f.addr) ctx.fx.masterEvent('warning', '-fence', m, `${fenceLabel(m, f.addr, ctx)} #${why}`);
  f.phase = 'off';
  f.addr = null;
  f.leaseUntil = 0;
  for (const p of m.sentinels.values()) {
    p.fenceView = null;
    p.idleAtMaster = undefined;
  }
}

/** One timer run of fencing for a master (runs in TILT too: a fence held in TILT is lifted). */
export function stepFence(ctx: CoreContext, m: MasterInstance, now: number): void {
  const f = m.fence;
  if (f.phase === 'fenced') {
    holdFence(ctx, m, now);
    return;
  }
  if (!mayNeedFence(ctx, m, now, true)) {
    if (f.phase === 'checking') {
      f.phase = 'off';
      for (const p of m.sentinels.values()) p.idleAtMaster = undefined;
    }
    return;
  }
  if (f.phase === 'off') {
    f.phase = 'checking';
    f.since = now;
    const window = Math.ceil(fenceAfter(m.fenceAfterMs, m.downAfterMs) / 2);
    const { reachable, known } = sentinelReach(m, now, window);
    ctx.fx.log('notice', `Fencing check for ${m.name}: ${reachable} of ${known} sentinels answered within ${window} ms; reading who still reaches the master`);
  }
  // One CLIENT LIST at a time; a lost one (link dropped) is given up after a while.
  if (now - f.lastListAt >= CLIENT_LIST_PERIOD_MS && (f.listPending === false || now - f.lastListAt > 2000)) {
    if (ctx.fx.send(m, 'cc', 'client-list', [m.cmd('CLIENT'), 'LIST', 'TYPE', 'normal'])) {
      f.lastListAt = now;
      f.listPending = true;
    }
  }
}

/** The master's client list: fence when it shows that too few sentinels still reach it. */
export function onClientList(ctx: CoreContext, m: MasterInstance, value: Wire, now: number): void {
  const f = m.fence;
  f.listPending = false;
  if (f.phase !== 'checking') return;
  if (typeof value !== 'string') {
    const why = isWireError(value) ? value.error : 'not a bulk string';
    ctx.fx.log('warning', `Cannot fence ${m.name}: CLIENT LIST refused (${why}); the sentinel user needs +client|list +client|pause +client|unpause. Retrying in ${FENCE_REFUSED_BACKOFF_MS / 1000} s`);
    f.refusedUntil = now + FENCE_REFUSED_BACKOFF_MS;
    f.phase = 'off';
    return;
  }
  const idle = peerCommandIdle(value);
  let live = 0;
  for (const p of m.sentinels.values()) {
    p.idleAtMaster = trackIdle(p.idleAtMaster, idle.get((p.runid ?? '').slice(0, 8)), now);
    if (!peerGoneFromMaster(p.idleAtMaster, now)) live++;
  }
  // Fenced only once the peers have been silent for the whole of fence-after.
  if (!mayNeedFence(ctx, m, now)) return;
  const { reachable, known } = sentinelReach(m, now);
  if (!masterCutOff(live, known)) return;
  f.phase = 'fenced';
  f.addr = { ...m.addr };
  f.since = now;
  f.total++;
  f.lastViewAskAt = 0;
  for (const p of m.sentinels.values()) p.fenceView = null;
  sendPause(ctx, m, m, now);
  ctx.fx.masterEvent('warning', '+fence', m, `${fenceLabel(m, m.addr, ctx)} #${reachable}/${known} sentinels reachable, ${live} peers reach the master`);
}

/** The reply to our CLIENT PAUSE: a refusal ends the fence (the master stays writable). */
export function onFencePause(ctx: CoreContext, m: MasterInstance, value: Wire, now: number): void {
  if (!isWireError(value) || m.fence.phase !== 'fenced') return;
  ctx.fx.log('warning', `Cannot fence ${m.name}: CLIENT PAUSE refused (${value.error})`);
  m.fence.refusedUntil = now + FENCE_REFUSED_BACKOFF_MS;
  endFence(ctx, m, `pause refused: ${value.error}`, false);
}

/** A peer's answer to SENTINEL MASTER while we fence: its view, and a newer configuration adopted as from a hello. */
export function onPeerView(ctx: CoreContext, p: SentinelPeer, value: Wire, now: number): void {
  const v = peerViewFromMasterReply(value, now);
  if (!v) return;
  p.fenceView = v;
  // A config epoch is an epoch someone reached: the current epoch is never below it.
  adoptEpoch(ctx, p.master, v.configEpoch);
  adoptAnnouncedConfig(ctx, p.master, p, v.masterHost, v.masterPort, v.configEpoch, now);
}

function holdFence(ctx: CoreContext, m: MasterInstance, now: number): void {
  const f = m.fence;
  const ri = fencedServer(m);
  if (!ri) return endFence(ctx, m, 'no longer monitored', false);
  if (!m.fenceMinority) return endFence(ctx, m, 'fencing disabled', true);
  if (ctx.s.tilt) return endFence(ctx, m, 'tilt', true);
  // Converted into a replica (by us, a peer or an operator): a paused replica would not apply
  // the replication stream, so it is unpaused at once.
  if (ri.roleReported === 'slave' && ri.infoRefresh > f.since) return endFence(ctx, m, 'demoted to replica', true);
  if (ri === m) {
    if (m.failoverState !== 'none') return endFence(ctx, m, 'failover started', true);
    // A peer's coordinated hand-over (FAILOVER TO) reached the master after all: stop renewing
    // and let the lease lapse; unpausing now would also lift the hand-over's own CLIENT PAUSE.
    if (m.serverFailoverState !== null && m.serverFailoverState !== 'no-failover') return endFence(ctx, m, `server FAILOVER running (${m.serverFailoverState})`, false);
    const { reachable, known } = sentinelReach(m, now);
    if (!inMinority(reachable, known)) {
      const views = [...m.sentinels.values()].flatMap((p) => (p.fenceView ? [p.fenceView] : []));
      const verdict = unfenceVerdict(views, known, m.addr, m.configEpoch, f.since);
      if (verdict === 'confirmed') return endFence(ctx, m, `confirmed by ${known > 1 ? 'a majority' : 'us'} at config epoch ${m.configEpoch}`, true);
      if (verdict === 'wait' && now - f.lastViewAskAt >= PEER_VIEW_PERIOD_MS) {
        f.lastViewAskAt = now;
        for (const p of m.sentinels.values()) if (!p.link.disconnected) ctx.fx.send(p, 'cc', 'peer-view', [m.cmd('SENTINEL'), 'MASTER', m.name]);
      }
    }
  }
  // The majority moved on and its configuration reached us: the old master, still paused, is
  // converted at once (not after the usual observation window) and unpaused in the same MULTI.
  if (ri !== m && ri.roleReported === 'master' && ri.infoRefresh > 0 && masterLooksSane(m, ctx.s.timing.infoPeriod, now)) {
    if (sendSlaveOf(ctx, ri, m.addr, { unpause: true })) {
      ctx.fx.event('notice', '+convert-to-slave', ri);
      return endFence(ctx, m, 'converted to a replica', false);
    }
  }
  if (!ri.link.disconnected && fenceRenewalDue(f.leaseUntil, now)) sendPause(ctx, m, ri, now);
  // Could not renew (the link is down): the pause has lapsed on the server by now.
  if (now > f.leaseUntil) endFence(ctx, m, 'lease lapsed', false);
}

/** SENTINEL RESET / REMOVE: forget a fence; the server's lease lapses by itself. */
export function forgetFence(ctx: CoreContext, m: MasterInstance, why: string): void {
  if (m.fence.phase === 'fenced') endFence(ctx, m, why, false);
  m.fence.phase = 'off';
}
